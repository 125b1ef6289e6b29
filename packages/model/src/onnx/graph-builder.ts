/**
 * A small ONNX graph builder: nodes in topological order (the order they are added), float32 initializers under
 * caller-chosen names, one float32 input and output, encoded as a ModelProto with onnx-proto.
 *   value names: `<node name>_output`; node names: `<module path>/<OpType>` (made unique with `_<n>`).
 */
import { AttributeType, FLOAT, onnx, type OnnxTypes } from './onnx-proto.js';

/** ints (a list), floats (a list), a float, an int or a string: the attribute kinds our operators need. */
export type AttributeValue = { ints: readonly number[] } | { floats: readonly number[] } | { float: number } | { int: number } | { string: string };

/** A dimension: a size, or a symbolic name (`batch`) left to the runtime. */
export type Dimension = number | string;

export interface GraphInitializer {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface ModelDescription {
  readonly graphName: string;
  readonly opset: number;
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly input: { readonly name: string; readonly shape: readonly Dimension[] };
  readonly output: { readonly name: string; readonly shape: readonly Dimension[] };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float32 values as the little-endian bytes TensorProto.raw_data stores. */
export function float32Bytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  data.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return bytes;
}

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  if ('string' in value) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.INT, i: value.int };
}

function valueInfo(name: string, shape: readonly Dimension[]): OnnxTypes.IValueInfoProto {
  const dim = shape.map((size) => (typeof size === 'number' ? { dimValue: size } : { dimParam: size }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly nodeNames = new Set<string>();
  private readonly initializerNames = new Set<string>();
  private readonly initializers: GraphInitializer[] = [];

  /** Adds a node computing one output from `inputs` (value or initializer names); returns the output's name. */
  node(scope: string, opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}): string {
    let name = `${scope}/${opType}`;
    for (let index = 1; this.nodeNames.has(name); index++) name = `${scope}/${opType}_${index}`;
    this.nodeNames.add(name);
    const output = `${name}_output`;
    this.nodes.push({
      name,
      opType,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  /** Registers a float32 initializer; the name must be new. */
  initializer(entry: GraphInitializer): string {
    if (this.initializerNames.has(entry.name)) throw new Error(`ONNX graph: initializer '${entry.name}' added twice`);
    const expected = entry.shape.reduce((product, size) => product * size, 1);
    if (entry.data.length !== expected) {
      throw new Error(`ONNX graph: initializer '${entry.name}' has ${entry.data.length} values for shape [${entry.shape.join(', ')}]`);
    }
    this.initializerNames.add(entry.name);
    this.initializers.push(entry);
    return entry.name;
  }

  /**
   * A constant the graph itself computes (not model state), e.g. a pooling matrix: registered once under `name`; a
   * later call with the same name must give the same shape and returns the name again (the name encodes the content).
   */
  constantInitializer(name: string, shape: readonly number[], data: Float32Array): string {
    const existing = this.initializers.find((entry) => entry.name === name);
    if (!existing) return this.initializer({ name, shape, data });
    if (existing.shape.join() !== shape.join()) throw new Error(`ONNX graph: constant '${name}' registered with shapes [${existing.shape.join(', ')}] and [${shape.join(', ')}]`);
    return name;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** The last node's output becomes the graph output `description.output.name` (renamed, not copied). */
  encode(description: ModelDescription, result: string): Uint8Array {
    const last = this.nodes.at(-1);
    if (!last || last.output?.[0] !== result) throw new Error('ONNX graph: the result must be the last node’s output');
    last.output = [description.output.name];
    const model: OnnxTypes.IModelProto = {
      irVersion: description.irVersion,
      opsetImport: [{ domain: '', version: description.opset }],
      producerName: description.producerName,
      producerVersion: description.producerVersion,
      docString: description.docString ?? '',
      metadataProps: Object.entries(description.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: description.graphName,
        node: this.nodes,
        initializer: this.initializers.map(({ name, shape, data }) => ({ name, dims: [...shape], dataType: FLOAT, rawData: float32Bytes(data) })),
        input: [valueInfo(description.input.name, description.input.shape)],
        output: [valueInfo(description.output.name, description.output.shape)],
      },
    };
    const bytes = onnx.ModelProto.encode(model).finish();
    // protobufjs returns a Node Buffer in Node: hand out a plain Uint8Array view of the same bytes.
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}
