/**
 * safetensors (https://github.com/huggingface/safetensors): 8-byte little-endian header length N, N bytes of JSON
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {string: string}}`, padded with spaces to a
 * multiple of 8), then the tensors' bytes. The writer stores F32 in the given order; the reader also takes F16, BF16,
 * F64, I64 and I32 and converts to float32. Reading checks offsets: in range, sized for the shape, covering the data
 * with no gaps, overlaps or trailing bytes.
 */
import { bfloat16ToNumber, halfToNumber } from './float16.js';

const DTYPES: Record<string, { bytes: number; read: (view: DataView, offset: number) => number }> = {
  F32: { bytes: 4, read: (view, offset) => view.getFloat32(offset, true) },
  F16: { bytes: 2, read: (view, offset) => halfToNumber(view.getUint16(offset, true)) },
  BF16: { bytes: 2, read: (view, offset) => bfloat16ToNumber(view.getUint16(offset, true)) },
  F64: { bytes: 8, read: (view, offset) => view.getFloat64(offset, true) },
  I64: { bytes: 8, read: (view, offset) => Number(view.getBigInt64(offset, true)) },
  I32: { bytes: 4, read: (view, offset) => view.getInt32(offset, true) },
};

export interface TensorEntry {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** The dtype stored in the file (values are converted to float32). */
  readonly storedAs?: string;
}

export type TensorMap = Map<string, TensorEntry>;

export interface Safetensors {
  weights: TensorMap;
  metadata: Record<string, string>;
}

export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return length > 1 && length <= bytes.length - 8 && bytes[8] === 0x7b; // '{'
}

export function readSafetensors(bytes: Uint8Array, source = 'weights.safetensors'): Safetensors {
  if (bytes.length < 8) throw new Error(`${source}: too short to be a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8 || headerLength > 100_000_000) {
    throw new Error(`${source}: header length ${headerLength} does not fit a file of ${bytes.length} bytes`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${source}: the header is not JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const spans: [number, number, string][] = [];
  const weights: TensorMap = new Map();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = value as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const type = DTYPES[dtype];
    if (!type) throw new Error(`${source}: tensor '${name}' has unsupported dtype '${dtype}'`);
    if (!Array.isArray(shape) || shape.some((size) => !Number.isInteger(size) || size < 0)) {
      throw new Error(`${source}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    const count = shape.reduce((product, size) => product * size, 1);
    const [begin, end] = offsets ?? [];
    if (Number.isInteger(end) && Number.isInteger(begin) && end! > dataLength && end! - begin! === count * type.bytes) {
      throw new Error(`${source}: truncated: tensor '${name}' ends at byte ${end} of the data, but the file holds only ${dataLength} bytes of data (an interrupted copy or download?)`);
    }
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin! < 0 || end! > dataLength || end! - begin! !== count * type.bytes) {
      throw new Error(`${source}: tensor '${name}' (${dtype} ${JSON.stringify(shape)}) has bad data_offsets ${JSON.stringify(offsets)}`);
    }
    spans.push([begin!, end!, name]);
    const data = new Float32Array(count);
    for (let index = 0; index < count; index++) data[index] = type.read(view, dataStart + begin! + index * type.bytes);
    weights.set(name, { shape, data, storedAs: dtype });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== cursor) throw new Error(`${source}: tensor '${name}' ${begin < cursor ? 'overlaps the previous one' : 'leaves a gap before it'}`);
    cursor = end;
  }
  if (cursor !== dataLength) throw new Error(`${source}: ${dataLength - cursor} trailing bytes after the last tensor`);
  return { weights, metadata };
}

/** Writes float32 tensors in the given order, with string metadata. */
export function writeSafetensors(entries: Iterable<[string, Pick<TensorEntry, 'shape' | 'data'>]>, metadata: Record<string, string> = {}): Uint8Array {
  const list = [...entries];
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, entry] of list) {
    const bytes = entry.data.length * 4;
    const count = entry.shape.reduce((product, size) => product * size, 1);
    if (count !== entry.data.length) throw new Error(`writeSafetensors: '${name}' has ${entry.data.length} values for shape ${JSON.stringify(entry.shape)}`);
    header[name] = { dtype: 'F32', shape: [...entry.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const [, entry] of list) {
    out.set(new Uint8Array(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength), cursor);
    cursor += entry.data.byteLength;
  }
  return out;
}
