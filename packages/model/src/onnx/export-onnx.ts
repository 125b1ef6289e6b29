/**
 * ONNX export of a SegmentationModel, built by walking its module tree: each module class has one rule that emits
 * the ONNX nodes of its eval-mode forward, with the module's own parameters, strides, pads and groups, so the
 * exported architecture is whatever the modules say (variant, block list, channels, residuals, feature taps).
 *
 *   Conv2d            → Conv (pads = the module's padding as ONNX [top, left, bottom, right]; the EfficientNet
 *                       "static same" pads become explicit asymmetric pads, e.g. [0, 0, 1, 1] for k3 s2)
 *   BatchNorm2d       → BatchNormalization (inference: y = (x − running_mean)/√(running_var + eps)·weight + bias)
 *   swish(x)          → Mul(x, Sigmoid(x))
 *   SE mean over H,W  → GlobalAveragePool;  x·gate → Mul (gate [N, C, 1, 1] broadcast)
 *   ConvTranspose2d   → ConvTranspose (weight [Cin, Cout, k, k], as in PyTorch)
 *   residual / skip   → Add;  decoder activations → Relu
 * Initializers carry the values under their state_dict keys; the encoder's unused `_conv_head`/`_bn1` and the
 * `num_batches_tracked` counters are left out. Layout NCHW float32: input [N, C, H, W] → logits [N, classes, H, W].
 */
import { nn, type Tensor } from '@ulseg/autograd';
import { normalizePadding } from '@ulseg/kernels';
import { EfficientNetEncoder, MBConvBlock } from '../encoders/efficientnet.js';
import { LinknetDecoder, LinknetDecoderBlock } from '../decoders/linknet.js';
import { SegmentationModel } from '../segmentation-model.js';
import { GraphBuilder, type Dimension } from './graph-builder.js';

/** Opset 17 (IR version 8): Conv/ConvTranspose-11, BatchNormalization-15, Sigmoid/Relu-13/14, Mul/Add-14. */
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

/** state_dict keys in the module tree that the eval-mode forward never reads. */
function unusedByForward(key: string): boolean {
  return key.endsWith('.num_batches_tracked') || /^encoder\.(_conv_head|_bn1)\./.test(key);
}

class ModelWalker {
  readonly graph = new GraphBuilder();
  /** state_dict key → tensor, for every initializer the graph uses, in the order they were used. */
  readonly used = new Map<string, Tensor>();

  constructor(private readonly state: ReadonlyMap<string, Tensor>) {}

  /** The registered child `name` of `module` (at `path`), checked to be a `type`. */
  child<M extends nn.Module>(module: nn.Module, path: string, name: string, type: abstract new (...args: never[]) => M): M {
    for (const [childName, child] of module.children()) {
      if (childName !== name) continue;
      if (!(child instanceof type)) throw new Error(`exportOnnx: ${join(path, name)} is a ${child.constructor.name}, expected a ${type.name}`);
      return child;
    }
    throw new Error(`exportOnnx: ${path || 'the model'} has no module '${name}'`);
  }

  optionalChild<M extends nn.Module>(module: nn.Module, path: string, name: string, type: abstract new (...args: never[]) => M): M | undefined {
    for (const [childName] of module.children()) if (childName === name) return this.child(module, path, name, type);
    return undefined;
  }

  /** The initializer for state_dict key `key`, whose tensor must be `tensor` (the module's own parameter). */
  parameter(key: string, tensor: Tensor): string {
    const registered = this.state.get(key);
    if (registered !== tensor) throw new Error(`exportOnnx: '${key}' is not the state_dict entry of that module`);
    if (!this.used.has(key)) this.used.set(key, tensor);
    return key;
  }

  conv(module: nn.Conv2d, path: string, x: string): string {
    const [, , kernelHeight, kernelWidth] = module.weight.shape as [number, number, number, number];
    const [top, bottom, left, right] = normalizePadding(`exportOnnx: ${path}`, module.options.padding);
    const inputs = [x, this.parameter(`${path}.weight`, module.weight)];
    if (module.bias) inputs.push(this.parameter(`${path}.bias`, module.bias));
    return this.graph.node(path, 'Conv', inputs, {
      kernel_shape: { ints: [kernelHeight, kernelWidth] },
      strides: { ints: pair(module.options.stride) },
      pads: { ints: [top, left, bottom, right] },
      dilations: { ints: pair(module.options.dilation) },
      group: { int: module.options.groups ?? 1 },
    });
  }

  convTranspose(module: nn.ConvTranspose2d, path: string, x: string): string {
    const [, , kernelHeight, kernelWidth] = module.weight.shape as [number, number, number, number];
    const padding = module.config.padding ?? 0;
    const inputs = [x, this.parameter(`${path}.weight`, module.weight)];
    if (module.bias) inputs.push(this.parameter(`${path}.bias`, module.bias));
    return this.graph.node(path, 'ConvTranspose', inputs, {
      kernel_shape: { ints: [kernelHeight, kernelWidth] },
      strides: { ints: pair(module.config.stride) },
      pads: { ints: [padding, padding, padding, padding] },
      group: { int: 1 },
    });
  }

  batchNorm(module: nn.BatchNorm2d, path: string, x: string): string {
    return this.graph.node(
      path,
      'BatchNormalization',
      [
        x,
        this.parameter(`${path}.weight`, module.weight),
        this.parameter(`${path}.bias`, module.bias),
        this.parameter(`${path}.running_mean`, module.runningMean),
        this.parameter(`${path}.running_var`, module.runningVar),
      ],
      { epsilon: { float: module.eps } },
    );
  }

  /** swish(x) = x·sigmoid(x). */
  swish(path: string, x: string): string {
    return this.graph.node(path, 'Mul', [x, this.graph.node(path, 'Sigmoid', [x])]);
  }

  /** [expand 1x1 → BN → swish] → depthwise → BN → swish → SE → project 1x1 → BN [→ + input]. */
  mbconv(block: MBConvBlock, path: string, input: string): string {
    let x = input;
    const expand = this.optionalChild(block, path, '_expand_conv', nn.Conv2d);
    if (expand) {
      x = this.conv(expand, join(path, '_expand_conv'), x);
      x = this.swish(join(path, '_bn0'), this.batchNorm(this.child(block, path, '_bn0', nn.BatchNorm2d), join(path, '_bn0'), x));
    }
    x = this.conv(this.child(block, path, '_depthwise_conv', nn.Conv2d), join(path, '_depthwise_conv'), x);
    x = this.swish(join(path, '_bn1'), this.batchNorm(this.child(block, path, '_bn1', nn.BatchNorm2d), join(path, '_bn1'), x));
    // squeeze-excitation: gate = sigmoid(W2·swish(W1·mean_hw(x) + b1) + b2), x·gate
    const squeezed = this.graph.node(join(path, '_se'), 'GlobalAveragePool', [x]);
    const reduced = this.swish(join(path, '_se_reduce'), this.conv(this.child(block, path, '_se_reduce', nn.Conv2d), join(path, '_se_reduce'), squeezed));
    const expanded = this.conv(this.child(block, path, '_se_expand', nn.Conv2d), join(path, '_se_expand'), reduced);
    const gate = this.graph.node(join(path, '_se_expand'), 'Sigmoid', [expanded]);
    x = this.graph.node(join(path, '_se'), 'Mul', [x, gate]);
    x = this.conv(this.child(block, path, '_project_conv', nn.Conv2d), join(path, '_project_conv'), x);
    x = this.batchNorm(this.child(block, path, '_bn2', nn.BatchNorm2d), join(path, '_bn2'), x);
    return block.spec.residual ? this.graph.node(path, 'Add', [x, input]) : x;
  }

  /** [f0..f5]: the input, swish(BN(stem)), then the outputs of blocks stageIndexes[k] − 1. */
  encoder(encoder: EfficientNetEncoder, path: string, input: string): string[] {
    const features = [input];
    let x = this.conv(this.child(encoder, path, '_conv_stem', nn.Conv2d), join(path, '_conv_stem'), input);
    x = this.swish(join(path, '_bn0'), this.batchNorm(this.child(encoder, path, '_bn0', nn.BatchNorm2d), join(path, '_bn0'), x));
    features.push(x);
    const taps = new Set(encoder.spec.stageIndexes.map((index) => index - 1));
    const blocks = this.child(encoder, path, '_blocks', nn.ModuleList);
    let index = 0;
    for (const [name, block] of blocks.children()) {
      if (!(block instanceof MBConvBlock)) throw new Error(`exportOnnx: ${join(path, `_blocks.${name}`)} is a ${block.constructor.name}, expected an MBConvBlock`);
      x = this.mbconv(block, join(path, `_blocks.${name}`), x);
      if (taps.has(index++)) features.push(x);
    }
    if (features.length !== 6) throw new Error(`exportOnnx: the encoder gave ${features.length} features, expected f0..f5`);
    return features;
  }

  /** Each block: 3 × (conv or transposed conv → BN → ReLU), then + skip. */
  decoder(decoder: LinknetDecoder, path: string, features: readonly string[]): string {
    const [head, ...skips] = features.slice(1).reverse();
    let x = head!;
    const blocks = this.child(decoder, path, 'blocks', nn.ModuleList);
    let index = 0;
    for (const [name, block] of blocks.children()) {
      const blockPath = join(path, `blocks.${name}`);
      if (!(block instanceof LinknetDecoderBlock)) throw new Error(`exportOnnx: ${blockPath} is a ${block.constructor.name}, expected a LinknetDecoderBlock`);
      const stages = this.child(block, blockPath, 'block', nn.Module);
      const stagesPath = join(blockPath, 'block');
      for (const [stageName, stage] of stages.children()) {
        const stagePath = join(stagesPath, stageName);
        const conv = this.child(stage, stagePath, '0', nn.Module);
        const convPath = join(stagePath, '0');
        if (conv instanceof nn.ConvTranspose2d) x = this.convTranspose(conv, convPath, x);
        else if (conv instanceof nn.Conv2d) x = this.conv(conv, convPath, x);
        else throw new Error(`exportOnnx: ${convPath} is a ${conv.constructor.name}, expected a Conv2d or ConvTranspose2d`);
        x = this.batchNorm(this.child(stage, stagePath, '1', nn.BatchNorm2d), join(stagePath, '1'), x);
        x = this.graph.node(stagePath, 'Relu', [x]);
      }
      const skip = skips[index++];
      if (skip !== undefined) x = this.graph.node(blockPath, 'Add', [x, skip]);
    }
    return x;
  }

  model(model: SegmentationModel, input: string): string {
    const features = this.encoder(this.child(model, '', 'encoder', EfficientNetEncoder), 'encoder', input);
    const decoded = this.decoder(this.child(model, '', 'decoder', LinknetDecoder), 'decoder', features);
    const head = this.child(model, '', 'segmentation_head', nn.Module);
    return this.conv(this.child(head, 'segmentation_head', '0', nn.Conv2d), 'segmentation_head.0', decoded);
  }
}

const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);

function pair(value: number | readonly [number, number] | undefined): [number, number] {
  if (value === undefined) return [1, 1];
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
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
 * the running statistics, no drop-connect) whatever the module's current mode. Weights are read back from the
 * device. Browser-safe.
 */
export async function exportOnnx(model: SegmentationModel, options: OnnxExportOptions): Promise<Uint8Array> {
  if (!(model instanceof SegmentationModel)) throw new Error('exportOnnx: expects a SegmentationModel');
  const batch = checkOptions(options);
  const state = new Map(model.stateDict());
  const walker = new ModelWalker(state);
  const logits = walker.model(model, ONNX_INPUT_NAME);
  const leftOut = [...state.keys()].filter((key) => !walker.used.has(key) && !unusedByForward(key));
  if (leftOut.length) {
    throw new Error(`exportOnnx: the module tree has state the export does not know how to use: ${leftOut.slice(0, 10).join(', ')}${leftOut.length > 10 ? ', …' : ''}`);
  }
  const entries = [...walker.used];
  let done = 0;
  options.onProgress?.(0, entries.length);
  for (const [name, tensor] of entries) {
    walker.graph.initializer({ name, shape: tensor.shape, data: await tensor.toArray() });
    options.onProgress?.(++done, entries.length);
  }
  const { encoder, inChannels, classes } = model.config;
  return walker.graph.encode(
    {
      graphName: `linknet-${encoder}`,
      opset: ONNX_OPSET,
      irVersion: ONNX_IR_VERSION,
      producerName: 'ulseg',
      producerVersion: '0.1.0',
      docString: `Linknet(${encoder}, in_channels=${inChannels}, classes=${classes}), eval mode; input NCHW float32, logits NCHW (sigmoid gives the lesion probability)`,
      metadata: { encoder, in_channels: String(inChannels), classes: String(classes), height: String(options.height), width: String(options.width), ...options.metadata },
      input: { name: ONNX_INPUT_NAME, shape: [batch, inChannels, options.height, options.width] },
      output: { name: ONNX_OUTPUT_NAME, shape: [batch, classes, options.height, options.width] },
    },
    logits,
  );
}
