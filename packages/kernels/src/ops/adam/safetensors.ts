/**
 * Minimal safetensors parser for the fixture tests (F32 only): 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}}`, then the data. No file access here (the cases run in
 * browsers too): the Node test reads the bytes and passes them in.
 */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export function parseSafetensors(bytes: Uint8Array): Map<string, NamedTensor> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const start = 8 + headerLength;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') throw new Error(`safetensors: ${name} is ${entry.dtype}; only F32 is supported`);
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((product, size) => product * size, 1);
    if (end - begin !== count * 4) throw new Error(`safetensors: ${name} holds ${end - begin} bytes for shape [${entry.shape}]`);
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(start + begin, start + end));
    tensors.set(name, { shape: entry.shape, data });
  }
  return tensors;
}
