/**
 * ONNX export of a SegmentationModel (any network and backbone) from a trace of its eval-mode forward (autograd's `trace`, as torch.onnx does):
 * each op the forward ran becomes ONNX nodes through the one mapping of its kind (onnx-ops.ts), with the parameters
 * it read as initializers under their state_dict keys, so the exported architecture is whatever the modules ran.
 * State the forward never reads is left out: `num_batches_tracked` counters and modules marked `stateOnly` (the
 * encoder's `_conv_head`/`_bn1`); any other unread state is an error. Layout NCHW float32: input [N, C, H, W] →
 * logits [N, classes, H, W].
 */
import { traceEval, type nn, type Tensor, type Trace, type TraceValue } from '@ulseg/autograd';
import { describeNetwork } from '../networks.js';
import { SegmentationModel } from '../segmentation-model.js';
import { GraphBuilder, type Dimension } from './graph-builder.js';
import { ONNX_MAPPINGS } from './onnx-ops.js';

/**
 * Opset 17 (IR version 8): Conv/ConvTranspose-11, BatchNormalization-15, Sigmoid/Relu-13/14, Mul/Add-14, Resize-13,
 * InstanceNormalization-6, Concat-13, MaxPool-12, AveragePool-11, GlobalAveragePool-1, MatMul-13.
 */
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT_NAME = 'input';
export const ONNX_OUTPUT_NAME = 'logits';
/** The symbolic batch dimension of a `batch: 'dynamic'` export. */
export const ONNX_BATCH_DIMENSION = 'batch';

export interface OnnxExportOptions {
  /** Input height and width: multiples of 32 (the encoder downsamples 5 times). */
  height: number;
  width: number;
  /** A fixed batch size (default 1) or `'dynamic'` (a symbolic `batch` dimension). */
  batch?: number | 'dynamic';
  /** Called while the weights are read back from the device: (tensors done, tensors in all). */
  onProgress?: (done: number, total: number) => void;
  /** Extra metadata_props entries. */
  metadata?: Readonly<Record<string, string>>;
}

/** The module path of a state_dict key (`encoder._conv_stem.weight` → `encoder._conv_stem`). */
const modulePath = (key: string): string => key.slice(0, Math.max(0, key.lastIndexOf('.')));

/** Maps every traced op to ONNX nodes; returns the graph, its result and the tensors its initializers read. */
export function buildGraph(traced: Trace): { graph: GraphBuilder; result: string; initializers: Map<string, Tensor> } {
  const graph = new GraphBuilder();
  const initializers = new Map<string, Tensor>();
  const outputs: string[] = [];
  const scopes: string[] = [];
  const constants = new Map<Tensor, string>();
  const name = (value: TraceValue): string => {
    switch (value.kind) {
      case 'input':
        return ONNX_INPUT_NAME;
      case 'op':
        return outputs[value.op]!;
      case 'state':
        if (!initializers.has(value.name)) initializers.set(value.name, value.tensor);
        return value.name;
      case 'constant': {
        let constant = constants.get(value.tensor);
        if (!constant) {
          constant = `constant_${constants.size}`;
          constants.set(value.tensor, constant);
          initializers.set(constant, value.tensor);
        }
        return constant;
      }
    }
  };
  for (const op of traced.ops) {
    const mapping = ONNX_MAPPINGS[op.op];
    if (!mapping) throw new Error(`exportOnnx: the forward ran '${op.op}', which has no ONNX mapping (add one to onnx-ops.ts)`);
    const state = op.inputs.find((value) => value.kind === 'state');
    const first = op.inputs[0];
    const scope = state?.kind === 'state' ? modulePath(state.name) : first?.kind === 'op' ? scopes[first.op]! : op.op;
    const tensorAttributes = Object.fromEntries(Object.entries(op.tensorAttributes).map(([key, value]) => [key, name(value)]));
    outputs.push(mapping(op, { graph, inputs: op.inputs.map(name), tensorAttributes, scope }));
    scopes.push(scope);
  }
  const [result, ...more] = traced.outputs;
  if (result?.kind !== 'op' || more.length) throw new Error('exportOnnx: the forward must return one tensor computed from its input');
  return { graph, result: outputs[result.op]!, initializers };
}

/** How the graph names and describes the network. */
interface OnnxModelInfo {
  /** The graph's name, e.g. `unet-resnet34`. */
  readonly name: string;
  /** e.g. `Unet on resnet34`. */
  readonly title: string;
  readonly inChannels: number;
  readonly classes: number;
  /** metadata_props entries describing the network (network, encoder, …). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** State the eval forward need not read: BN batch counters and the state of modules kept only for state_dicts. */
function unreadByDesign(module: nn.Module): (key: string) => boolean {
  const prefixes = [...module.namedModules()].filter(([, child]) => child.stateOnly).map(([path]) => `${path}.`);
  return (key) => key.endsWith('.num_batches_tracked') || prefixes.some((prefix) => key.startsWith(prefix));
}

function checkOptions(options: OnnxExportOptions): Dimension {
  for (const [name, size] of [['height', options.height], ['width', options.width]] as const) {
    if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) {
      throw new Error(`exportOnnx: ${name} ${size} must be a positive multiple of 32 (the encoder downsamples 5 times)`);
    }
  }
  const batch = options.batch ?? 1;
  if (batch === 'dynamic') return ONNX_BATCH_DIMENSION;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`exportOnnx: batch must be a positive integer or 'dynamic', got ${String(batch)}`);
  return batch;
}

/**
 * The model as an ONNX ModelProto (opset 17): input `input` [N, inChannels, height, width] float32, output `logits`
 * [N, classes, height, width], N fixed or the symbolic `batch`. The graph is the eval-mode forward (BatchNorm from
 * the running statistics, no drop-connect or dropout) whatever the module's current mode. Weights are read back from
 * the device. Browser-safe.
 */
export async function exportOnnx(model: SegmentationModel, options: OnnxExportOptions): Promise<Uint8Array> {
  if (!(model instanceof SegmentationModel)) throw new Error('exportOnnx: expects a SegmentationModel');
  const { encoder, inChannels, classes } = model.config;
  const attention = model.config.decoderAttention ?? 'none';
  const info: OnnxModelInfo = {
    name: `${model.network}-${encoder}`,
    title: describeNetwork(model.network, encoder, attention),
    inChannels,
    classes,
    metadata: { network: model.network, encoder, ...(attention === 'none' ? {} : { decoder_attention: attention }) },
  };
  return exportModule(model, info, options);
}

/** The export of a module whose forward maps [N, C, H, W] to logits, named and described by `info`. */
async function exportModule(module: nn.Module, info: OnnxModelInfo, options: OnnxExportOptions): Promise<Uint8Array> {
  const batch = checkOptions(options);
  const traced = traceEval(module, module.parameters()[0]!.gpu, [1, info.inChannels, options.height, options.width]);
  try {
    const read = new Set(traced.ops.flatMap((op) => [...op.inputs, ...Object.values(op.tensorAttributes)]).flatMap((value) => (value.kind === 'state' ? [value.name] : [])));
    const unread = unreadByDesign(module);
    const leftOut = module
      .stateDict()
      .map(([key]) => key)
      .filter((key) => !read.has(key) && !unread(key));
    if (leftOut.length) {
      throw new Error(`exportOnnx: the model has state its forward does not use: ${leftOut.slice(0, 10).join(', ')}${leftOut.length > 10 ? ', …' : ''}`);
    }
    const { graph, result, initializers } = buildGraph(traced);
    const entries = [...initializers];
    let done = 0;
    options.onProgress?.(0, entries.length);
    for (const [name, tensor] of entries) {
      graph.initializer({ name, shape: tensor.shape, data: await tensor.toArray() });
      options.onProgress?.(++done, entries.length);
    }
    return encode(info, options, batch, graph, result);
  } finally {
    traced.dispose();
  }
}

function encode(info: OnnxModelInfo, options: OnnxExportOptions, batch: Dimension, graph: GraphBuilder, result: string): Uint8Array {
  const { inChannels, classes } = info;
  return graph.encode(
    {
      graphName: info.name,
      opset: ONNX_OPSET,
      irVersion: ONNX_IR_VERSION,
      producerName: 'ulseg',
      producerVersion: '0.1.0',
      docString: `${info.title}, in_channels=${inChannels}, classes=${classes}, eval mode; input NCHW float32, logits NCHW (sigmoid gives the lesion probability)`,
      metadata: { ...info.metadata, in_channels: String(inChannels), classes: String(classes), height: String(options.height), width: String(options.width), ...options.metadata },
      input: { name: ONNX_INPUT_NAME, shape: [batch, inChannels, options.height, options.width] },
      output: { name: ONNX_OUTPUT_NAME, shape: [batch, classes, options.height, options.width] },
    },
    result,
  );
}
