/**
 * Test-only reader of NumPy .npy v1.0 files (C order, little-endian `<f4` float32 or `|u1` uint8), for the golden
 * fixtures. Takes bytes, reads no files, so it runs in Node and in a browser.
 */
export interface NpyArray {
  readonly shape: number[];
  readonly dtype: '<f4' | '|u1';
  /** The values as float32 (uint8 values are exact). */
  readonly data: Float32Array;
}

export function readNpy(bytes: Uint8Array): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new Error('readNpy: not a .npy file (bad magic)');
  if (bytes[6] !== 1) throw new Error(`readNpy: only format v1.0 is supported, got v${bytes[6]}.${bytes[7]}`);
  const headerLength = bytes[8]! | (bytes[9]! << 8);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`readNpy: bad header ${header}`);
  if (fortran !== 'False') throw new Error('readNpy: Fortran-order arrays are not supported');
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  const count = shape.reduce((product, size) => product * size, 1);
  const body = bytes.subarray(10 + headerLength);
  if (descr === '<f4') {
    if (body.byteLength !== count * 4) throw new Error(`readNpy: ${body.byteLength} data bytes for ${count} float32 values`);
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(body);
    return { shape, dtype: descr, data };
  }
  if (descr === '|u1') {
    if (body.byteLength !== count) throw new Error(`readNpy: ${body.byteLength} data bytes for ${count} uint8 values`);
    return { shape, dtype: descr, data: Float32Array.from(body) };
  }
  throw new Error(`readNpy: dtype ${descr} is not supported (only <f4 and |u1)`);
}
