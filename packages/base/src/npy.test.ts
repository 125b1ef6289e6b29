import { describe, expect, it } from 'vitest';
import { parseNpy, serializeNpy } from './npy.js';

const header = (text: string, major = 1): Uint8Array => {
  const body = new TextEncoder().encode(text);
  const prefix = major === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, body.length, true);
  else view.setUint32(8, body.length, true);
  out.set(body, prefix);
  return out;
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) (out.set(part, at), (at += part.length));
  return out;
};

describe('.npy', () => {
  it('round-trips float32 through serializeNpy, its header padded to 64 bytes', () => {
    const data = Float32Array.from([1.5, -2.25, 3e-8, 7, 0, -1]);
    const bytes = serializeNpy(data, [2, 3]);
    expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
    const read = parseNpy(bytes, 'a.npy');
    expect(read).toEqual({ shape: [2, 3], dtype: '<f4', data });
    expect(parseNpy(serializeNpy(Float32Array.from([4]), [1])).shape).toEqual([1]);
  });
  it('reads uint8 exactly and the v2 header', () => {
    const bytes = concat(header("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", 2), Uint8Array.from([0, 128, 255]));
    expect(parseNpy(bytes)).toEqual({ shape: [3], dtype: '|u1', data: Float32Array.from([0, 128, 255]) });
  });
  it('names the file and the problem', () => {
    expect(() => parseNpy(Uint8Array.from([1, 2, 3]), 'x.npy')).toThrow(/^x.npy: not a .npy file/);
    expect(() => parseNpy(header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"), 'x.npy')).toThrow(/x.npy: dtype '<f8' is not supported/);
    expect(() => parseNpy(header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }"), 'x.npy')).toThrow(/x.npy: Fortran-order/);
    expect(() => parseNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"), 'x.npy')).toThrow(/x.npy: truncated: 0 data bytes/);
    expect(() => parseNpy(header('{}', 3), 'x.npy')).toThrow(/x.npy: .npy format v3.0 is not supported/);
  });
});
