/**
 * NumPy `.npy` files (format v1.0 and v2.0, C order): magic `\x93NUMPY`, major, minor, header length (u16 in v1,
 * u32 in v2, little-endian), a Python dict literal `{'descr', 'fortran_order', 'shape'}`, then the values.
 * Read: little-endian float32 (`<f4`) and uint8 (`|u1`, converted exactly to float32). Write: `<f4`, v1.0.
 */
export interface NpyArray {
  readonly shape: number[];
  readonly dtype: '<f4' | '|u1';
  /** The values as float32 (uint8 values are exact). */
  readonly data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Parses `.npy` bytes; a bad file is an error starting with `source`. */
export function parseNpy(bytes: Uint8Array, source = '.npy data'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((value, index) => bytes[index] !== value)) {
    throw new Error(`${source}: not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = bytes[6]!;
  if (major !== 1 && major !== 2) throw new Error(`${source}: .npy format v${major}.${bytes[7]} is not supported (only v1 and v2)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${source}: unreadable .npy header: ${header.trim()}`);
  }
  if (descr !== '<f4' && descr !== '|u1') {
    throw new Error(`${source}: dtype '${descr}' is not supported; expected float32 ('<f4') or uint8 ('|u1')`);
  }
  if (fortran === 'True') throw new Error(`${source}: Fortran-order arrays are not supported; save with C order`);
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  const count = shape.reduce((product, size) => product * size, 1);
  const offset = headerStart + headerLength;
  const size = descr === '<f4' ? 4 : 1;
  if (bytes.length - offset < count * size) {
    throw new Error(`${source}: truncated: ${bytes.length - offset} data bytes for shape (${shape.join(', ')}), need ${count * size}`);
  }
  const body = bytes.subarray(offset, offset + count * size);
  if (descr === '|u1') return { shape, dtype: descr, data: Float32Array.from(body) };
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(body);
  return { shape, dtype: descr, data };
}

/** `.npy` v1.0 bytes of float32 C-order values, the header padded to a multiple of 64 bytes as NumPy writes it. */
export function serializeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([...MAGIC, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
