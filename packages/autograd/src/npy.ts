/** NumPy `.npy` v1/v2 reading and writing for float32 C-order arrays (little-endian `<f4`). */

export function parseNpy(bytes: Uint8Array, source = '.npy data'): { data: Float32Array; shape: number[] } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((value, index) => bytes[index] !== value)) {
    throw new Error(`${source}: not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = bytes[6]!;
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
  if (descr !== '<f4') throw new Error(`${source}: dtype '${descr}' is not supported; expected float32 ('<f4')`);
  if (fortran === 'True') throw new Error(`${source}: Fortran-order arrays are not supported; save with C order`);
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  const count = shape.reduce((product, size) => product * size, 1);
  const offset = headerStart + headerLength;
  if (bytes.length - offset < count * 4) {
    throw new Error(`${source}: truncated: ${bytes.length - offset} data bytes for shape (${shape.join(', ')}), need ${count * 4}`);
  }
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + count * 4));
  return { data, shape };
}

export function serializeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
