/**
 * Reads an ONNX ModelProto back (onnx-proto's decoder) into a plain description: opset, inputs and outputs with
 * their dimensions, nodes with their attributes, initializers with their shapes (values on request). Used to
 * summarise an export and to check one without a runtime.
 */
import { AttributeType, FLOAT, onnx, type OnnxTypes } from './onnx-proto.js';
import type { Dimension } from './graph-builder.js';

export interface OnnxNodeSummary {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** INTS and FLOATS as number[], INT and FLOAT as number, STRING as its text; other kinds as their type name. */
  readonly attributes: Readonly<Record<string, number | number[] | string>>;
}

export interface OnnxSummary {
  readonly irVersion: number;
  /** The default-domain opset version. */
  readonly opset: number;
  readonly producer: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly inputs: readonly { name: string; shape: Dimension[] }[];
  readonly outputs: readonly { name: string; shape: Dimension[] }[];
  readonly nodes: readonly OnnxNodeSummary[];
  readonly initializers: readonly { name: string; shape: number[] }[];
  /** Node count per op type. */
  readonly opCounts: Readonly<Record<string, number>>;
  /** Number of float32 values in the initializers. */
  readonly parameterCount: number;
}

/** int64 fields decode to numbers, or to Long objects where protobufjs found the `long` package. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof (value as { toNumber?: unknown }).toNumber === 'function') return (value as { toNumber(): number }).toNumber();
  return 0;
}

function dimensions(info: OnnxTypes.IValueInfoProto): Dimension[] {
  const dims = info.type?.tensorType?.shape?.dim ?? [];
  return dims.map((dim) => (dim.dimParam ? dim.dimParam : toNumber(dim.dimValue)));
}

function attributeValue(attribute: OnnxTypes.IAttributeProto): number | number[] | string {
  switch (attribute.type) {
    case AttributeType.INTS:
      return (attribute.ints ?? []).map(toNumber);
    case AttributeType.INT:
      return toNumber(attribute.i);
    case AttributeType.FLOAT:
      return attribute.f ?? 0;
    case AttributeType.FLOATS:
      return [...(attribute.floats ?? [])];
    case AttributeType.STRING:
      return new TextDecoder().decode(attribute.s ?? new Uint8Array());
    default:
      return AttributeType[attribute.type ?? 0] ?? 'UNDEFINED';
  }
}

function decode(bytes: Uint8Array, source: string): OnnxTypes.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new Error(`${source}: not an ONNX model (${(error as Error).message})`);
  }
}

export function inspectOnnx(bytes: Uint8Array, source = 'model.onnx'): OnnxSummary {
  const model = decode(bytes, source);
  const graph = model.graph;
  if (!graph) throw new Error(`${source}: the ONNX model has no graph`);
  const nodes = (graph.node ?? []).map((node) => ({
    name: node.name ?? '',
    opType: node.opType ?? '',
    inputs: [...(node.input ?? [])],
    outputs: [...(node.output ?? [])],
    attributes: Object.fromEntries((node.attribute ?? []).map((attribute) => [attribute.name ?? '', attributeValue(attribute)])),
  }));
  const opCounts: Record<string, number> = {};
  for (const node of nodes) opCounts[node.opType] = (opCounts[node.opType] ?? 0) + 1;
  const initializers = (graph.initializer ?? []).map((tensor) => ({ name: tensor.name ?? '', shape: (tensor.dims ?? []).map(toNumber) }));
  return {
    irVersion: toNumber(model.irVersion),
    opset: toNumber(model.opsetImport.find((entry) => !entry.domain)?.version),
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(),
    metadata: Object.fromEntries(model.metadataProps.map((entry) => [entry.key ?? '', entry.value ?? ''])),
    inputs: (graph.input ?? []).map((info) => ({ name: info.name ?? '', shape: dimensions(info) })),
    outputs: (graph.output ?? []).map((info) => ({ name: info.name ?? '', shape: dimensions(info) })),
    nodes,
    initializers,
    opCounts,
    parameterCount: initializers.reduce((total, { shape }) => total + shape.reduce((product, size) => product * size, 1), 0),
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float32 little-endian bytes (raw_data) as values: a copy, aligned. */
function littleEndianFloats(raw: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(raw.slice().buffer);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Float32Array.from({ length: raw.byteLength / 4 }, (_, index) => view.getFloat32(index * 4, true));
}

/** Every initializer's float32 values (from raw_data or float_data), by name. */
export function readOnnxInitializers(bytes: Uint8Array, source = 'model.onnx'): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const tensor of decode(bytes, source).graph?.initializer ?? []) {
    const name = tensor.name ?? '';
    if (tensor.dataType !== FLOAT) throw new Error(`${source}: initializer '${name}' is not float32 (data type ${tensor.dataType})`);
    const raw = tensor.rawData;
    if (raw && raw.length > 0) {
      if (raw.byteLength % 4 !== 0) throw new Error(`${source}: initializer '${name}' has ${raw.byteLength} bytes, not whole float32 values`);
      values.set(name, littleEndianFloats(raw));
    } else {
      values.set(name, Float32Array.from(tensor.floatData ?? []));
    }
  }
  return values;
}
