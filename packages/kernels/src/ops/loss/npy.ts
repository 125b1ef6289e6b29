/**
 * Minimal `.npy` parser for the fixture tests (format 1.0/2.0, little-endian float32, C order). No file access here
 * (the cases also run in browsers): the Node test reads the bytes and passes them in.
 */
export function parseNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error('npy: missing the \\x93NUMPY magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = new TextDecoder().decode(bytes.subarray(major === 1 ? 10 : 12, start));
  if (!/'descr':\s*'<f4'/.test(header)) throw new Error(`npy: only little-endian float32 is supported, header ${header}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error('npy: Fortran order is not supported');
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new Error(`npy: no shape in header ${header}`);
  const shape = shapeText.split(',').map((part) => part.trim()).filter((part) => part !== '').map(Number);
  const count = shape.reduce((product, size) => product * size, 1);
  if (bytes.byteLength - start !== count * 4) throw new Error(`npy: ${bytes.byteLength - start} data bytes for shape (${shape})`);
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(start));
  return { shape, data };
}
