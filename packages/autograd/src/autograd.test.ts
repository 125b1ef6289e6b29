import { describe, expect, it } from 'vitest';
import { registerCases } from '@ulseg/kernels/testing/vitest';
import { autogradCases } from './autograd.cases.js';
import { parseNpy, serializeNpy } from '@ulseg/base';

describe('npy', () => {
  it('round-trips float32 C-order arrays and refuses other dtypes by name', () => {
    const data = Float32Array.from([1.5, -2, 3.25, 4, 5, 6]);
    const parsed = parseNpy(serializeNpy(data, [2, 3]));
    expect(parsed.shape).toEqual([2, 3]);
    expect([...parsed.data]).toEqual([...data]);
    const bytes = serializeNpy(data, [6]);
    const text = new TextDecoder('latin1').decode(bytes).replace("'<f4'", "'<f8'");
    expect(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)), 'x.npy')).toThrow(/x.npy: dtype '<f8' is not supported/);
    expect(() => parseNpy(new Uint8Array(12), 'y.npy')).toThrow(/y.npy: not a .npy file/);
  });
});

registerCases(autogradCases);
