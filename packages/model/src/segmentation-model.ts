/**
 * SegmentationModel = encoder → decoder → head, smp 0.1.0's Linknet and Unet on any encoder (docs/ORIGINAL.md §10):
 * logits [N, classes, H, W] for x [N, C, H, W] with H and W multiples of 32.
 *   Linknet: decoder → 32 ch, head conv1x1 (bias) → classes.   Unet: decoder → 16 ch, head conv3x3 pad 1 (bias).
 */
import { nn, type Tensor } from '@ulseg/autograd';
import { dims4, formatShape, Random } from '@ulseg/kernels';
import { createEncoder, checkBackbone, type BackboneName, type Encoder } from './encoders/encoder.js';
import { ENCODERS, type EncoderName } from './encoders/efficientnet-params.js';
import { LinknetDecoder } from './decoders/linknet.js';
import { UnetDecoder, type DecoderAttention } from './decoders/unet.js';
import { checkDecoderAttention, checkNetwork, type NetworkName } from './networks.js';

type Gpu = Tensor['gpu'];

export interface ModelConfig {
  /** The backbone (`encoder_name` in smp). */
  encoder: BackboneName;
  /** Default 'linknet'. */
  network?: NetworkName;
  /** Unet only: 'scse' = smp's decoder_attention_type='scse'. Default 'none'. */
  decoderAttention?: DecoderAttention;
  inChannels: number;
  classes: number;
  /** Seed of the initialisation generator (same seed → same weights). */
  seed?: number;
  dropConnectRate?: number;
}

type Decoder = nn.Module & { forward(features: readonly Tensor[]): Tensor };

export class SegmentationModel extends nn.Module {
  readonly encoder: Encoder;
  readonly decoder: Decoder;
  readonly network: NetworkName;
  private readonly head: nn.Conv2d;
  /** Drives drop-connect masks (one seed per training forward); {@link useRandom} replaces it. */
  private random: Random;

  constructor(gpu: Gpu, readonly config: ModelConfig) {
    super();
    const random = new Random(config.seed ?? 1234);
    this.random = new Random((config.seed ?? 1234) ^ 0x5eed);
    this.network = checkNetwork(config.network ?? 'linknet');
    const attention = checkDecoderAttention(config.decoderAttention ?? 'none', this.network);
    this.encoder = this.registerModule(
      'encoder',
      createEncoder(gpu, random, checkBackbone(config.encoder), { inChannels: config.inChannels, dropConnectRate: config.dropConnectRate }),
    );
    const head = new nn.Module();
    if (this.network === 'unet') {
      const decoder = new UnetDecoder(gpu, random, this.encoder.outChannels, attention);
      this.decoder = this.registerModule('decoder', decoder);
      this.head = head.registerModule('0', new nn.Conv2d(gpu, random, decoder.outChannels, config.classes, 3, { padding: 1, init: 'xavier' }));
    } else {
      this.decoder = this.registerModule('decoder', new LinknetDecoder(gpu, random, this.encoder.outChannels, 32));
      this.head = head.registerModule('0', new nn.Conv2d(gpu, random, 32, config.classes, 1, { init: 'xavier' }));
    }
    this.registerModule('segmentation_head', head);
  }

  /** Draws the drop-connect masks of later training forwards from `random` (e.g. a stream seeded per fold and epoch). */
  useRandom(random: Random): void {
    this.random = random;
  }

  forward(x: Tensor): Tensor {
    checkInput(x, this.config.inChannels);
    const features = this.encoder.forward(x, this.training ? this.random : undefined);
    return this.head.forward(this.decoder.forward(features));
  }
}

/** H and W of a model input are multiples of this (the encoder downsamples 5 times). */
export const INPUT_MULTIPLE = 32;

export function checkInput(x: Tensor, inChannels: number): void {
  if (x.shape.length !== 4) throw new Error(`model input must be [N, C, H, W], got ${formatShape(x.shape)}`);
  const [, channels, height, width] = dims4(x.shape);
  if (channels !== inChannels) throw new Error(`model input has ${channels} channels; the model was built for ${inChannels}`);
  if (height % INPUT_MULTIPLE !== 0 || width % INPUT_MULTIPLE !== 0) {
    const nearest = (size: number): number => Math.max(INPUT_MULTIPLE, Math.round(size / INPUT_MULTIPLE) * INPUT_MULTIPLE);
    throw new Error(
      `model input ${formatShape(x.shape)}: H and W must be multiples of 32 (the encoder downsamples 5 times); ` +
        `resize to ${nearest(height)}x${nearest(width)}`,
    );
  }
}

/** Which EfficientNet a state_dict belongs to, from its stem width and block count (see inferArchitecture). */
export function inferEncoder(keys: Iterable<string>, stemShape: readonly number[] | undefined): EncoderName {
  let blocks = 0;
  for (const key of keys) {
    const match = /^encoder\._blocks\.(\d+)\./.exec(key);
    if (match) blocks = Math.max(blocks, Number(match[1]) + 1);
  }
  const stem = stemShape?.[0];
  for (const [name, spec] of Object.entries(ENCODERS) as [EncoderName, (typeof ENCODERS)[EncoderName]][]) {
    if (spec.stageIndexes[3] === blocks && spec.outChannels[1] === stem) return name;
  }
  throw new Error(`the weights match no EfficientNet-B0…B7 encoder (${blocks} blocks, stem width ${stem ?? 'unknown'})`);
}

export interface Architecture {
  network: NetworkName;
  backbone: BackboneName;
  decoderAttention: DecoderAttention;
}

/**
 * Network, backbone and decoder attention of a state_dict from its keys and shapes: Linknet (`decoder.blocks.0.block`)
 * or Unet (`decoder.blocks.0.conv1`, scSE where `attention1` exists); ResNet by block count and Bottleneck `conv3`;
 * EfficientNet as inferEncoder.
 */
export function inferArchitecture(shapes: ReadonlyMap<string, { readonly shape: readonly number[] }>): Architecture {
  const keys = [...shapes.keys()];
  let backbone: BackboneName;
  if (shapes.has('encoder.conv1.weight')) {
    const blocks = keys.filter((key) => /^encoder\.layer\d+\.\d+\.conv1\.weight$/.test(key)).length;
    const bottleneck = keys.some((key) => /^encoder\.layer\d+\.\d+\.conv3\.weight$/.test(key));
    if (bottleneck && blocks === 16) backbone = 'resnet50';
    else if (!bottleneck && blocks === 16) backbone = 'resnet34';
    else if (!bottleneck && blocks === 8) backbone = 'resnet18';
    else throw new Error(`the weights match no ResNet-18/34/50 encoder (${blocks} residual blocks${bottleneck ? ', bottleneck' : ''})`);
  } else {
    backbone = inferEncoder(keys, shapes.get('encoder._conv_stem.weight')?.shape);
  }
  let network: NetworkName;
  if (keys.some((key) => key.startsWith('decoder.blocks.0.block.'))) network = 'linknet';
  else if (keys.some((key) => key.startsWith('decoder.blocks.0.conv1.'))) network = 'unet';
  else throw new Error(`the weights match no Linknet or Unet decoder (no decoder.blocks.0.block.* or decoder.blocks.0.conv1.* keys)`);
  const decoderAttention: DecoderAttention = keys.some((key) => /^decoder\.blocks\.\d+\.attention1\./.test(key)) ? 'scse' : 'none';
  return { network, backbone, decoderAttention };
}

/** What a command needs to build the model of a state_dict. */
export interface ModelSpec extends Architecture {
  inChannels: number;
  classes: number;
}

/**
 * The architecture, input channels and classes of a state_dict; `backbone` replaces the inferred backbone (or stands in
 * where it cannot be inferred). Errors start with `source`.
 */
export function modelSpecFromWeights(
  weights: ReadonlyMap<string, { readonly shape: readonly number[] }>,
  source: string,
  options: { backbone?: BackboneName } = {},
): ModelSpec {
  if (weights.size === 0) throw new Error(`${source}: holds no tensors: not a model checkpoint`);
  const stem = weights.get('encoder._conv_stem.weight') ?? weights.get('encoder.conv1.weight');
  if (!stem) {
    const some = [...weights.keys()].slice(0, 3).join(', ');
    throw new Error(`${source}: no 'encoder._conv_stem.weight' (EfficientNet) or 'encoder.conv1.weight' (ResNet) among its ${weights.size} tensors (${some}, …): not a segmentation model state_dict`);
  }
  let architecture: Architecture;
  try {
    architecture = inferArchitecture(weights);
  } catch (error) {
    if (!options.backbone || !/encoder/.test((error as Error).message)) throw new Error(`${source}: ${(error as Error).message}`);
    const network: NetworkName = [...weights.keys()].some((key) => key.startsWith('decoder.blocks.0.block.')) ? 'linknet' : 'unet';
    architecture = { network, backbone: options.backbone, decoderAttention: 'none' };
  }
  if (options.backbone) architecture = { ...architecture, backbone: options.backbone };
  return { ...architecture, inChannels: stem.shape[1]!, classes: weights.get('segmentation_head.0.weight')?.shape[0] ?? 1 };
}
