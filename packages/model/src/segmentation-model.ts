/**
 * SegmentationModel = encoder → decoder → head, smp 0.1.0's six networks on any encoder (docs/ORIGINAL.md §10):
 * logits [N, classes, H, W] for x [N, C, H, W] with H and W multiples of 32. segmentation_head.0 is a conv with bias,
 * then (segmentation_head.1) bilinear upsampling with align_corners=True by the factor back to the input's size:
 *   network        encoder              decoder output      head conv   upsampling
 *   Linknet        stride 32            32 ch, stride 1     1x1         —
 *   Unet           stride 32            16 ch, stride 1     3x3 pad 1   —
 *   FPN            stride 32            128 ch, stride 4    1x1         ×4
 *   PSPNet         depth 3 (stride 8)   512 ch, stride 8    3x3 pad 1   ×8
 *   PAN            stride 16 (dilated)  32 ch, stride 4     3x3 pad 1   ×4
 *   DeepLabV3+     stride 16 (dilated)  256 ch, stride 4    1x1         ×4
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import { dims4, formatShape } from '@ulseg/kernels';
import { Random } from '@ulseg/base';
import { createEncoder, checkBackbone, type BackboneName, type Encoder } from './encoders/encoder.js';
import { ENCODERS, type EncoderName } from './encoders/efficientnet-params.js';
import { DeepLabV3PlusDecoder } from './decoders/deeplabv3plus.js';
import { FpnDecoder } from './decoders/fpn.js';
import { LinknetDecoder } from './decoders/linknet.js';
import { PanDecoder } from './decoders/pan.js';
import { PSP_ENCODER_DEPTH, PspDecoder } from './decoders/pspnet.js';
import { UnetDecoder, type DecoderAttention } from './decoders/unet.js';
import { checkDecoderAttention, checkNetwork, inputTooSmall, NETWORK_MIN_INPUT, type NetworkName } from './networks.js';

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
  /** The decoder's dropout probability (FPN, PSPNet: Dropout2d, smp's 0.2; DeepLabV3+: Dropout, 0.5); others have none. */
  decoderDropout?: number;
}

/** forward(features) = the decoder output for the encoder's f0..f_depth. */
type Decoder = nn.Module<readonly Tensor[], Tensor> & { readonly outChannels: number };

/** How each network is assembled around its decoder (see the file comment's table). */
interface NetworkLayout {
  outputStride: 16 | 32;
  /** Encoder features computed (f0..f_depth). */
  encoderDepth: number;
  headKernel: 1 | 3;
  /** Bilinear (align_corners=True) upsampling after the head; 1 = none. */
  upsampling: number;
  decoder(ctx: nn.InitContext, encoderChannels: readonly number[], config: ModelConfig, attention: DecoderAttention): Decoder;
}

const LAYOUTS: Record<NetworkName, NetworkLayout> = {
  linknet: { outputStride: 32, encoderDepth: 5, headKernel: 1, upsampling: 1, decoder: (ctx, channels) => new LinknetDecoder(ctx, channels, 32) },
  unet: { outputStride: 32, encoderDepth: 5, headKernel: 3, upsampling: 1, decoder: (ctx, channels, _, attention) => new UnetDecoder(ctx, channels, attention) },
  fpn: { outputStride: 32, encoderDepth: 5, headKernel: 1, upsampling: 4, decoder: (ctx, channels, config) => new FpnDecoder(ctx, channels, { dropout: config.decoderDropout }) },
  pspnet: {
    outputStride: 32,
    encoderDepth: PSP_ENCODER_DEPTH,
    headKernel: 3,
    upsampling: 8,
    decoder: (ctx, channels, config) => new PspDecoder(ctx, channels, { dropout: config.decoderDropout }),
  },
  pan: { outputStride: 16, encoderDepth: 5, headKernel: 3, upsampling: 4, decoder: (ctx, channels) => new PanDecoder(ctx, channels) },
  deeplabv3plus: {
    outputStride: 16,
    encoderDepth: 5,
    headKernel: 1,
    upsampling: 4,
    decoder: (ctx, channels, config) => new DeepLabV3PlusDecoder(ctx, channels, { dropout: config.decoderDropout }),
  },
};

export class SegmentationModel extends nn.Module {
  readonly encoder: Encoder;
  readonly decoder: Decoder;
  readonly network: NetworkName;
  private readonly head: nn.Conv2d;
  private readonly layout: NetworkLayout;

  /** The root of the module tree: its InitContext (path '') draws every initial weight from `config.seed`. */
  constructor(gpu: Gpu, readonly config: ModelConfig) {
    super();
    const ctx = new nn.InitContext(gpu, new Random(config.seed ?? 1234));
    this.network = checkNetwork(config.network ?? 'linknet');
    const attention = checkDecoderAttention(config.decoderAttention ?? 'none', this.network);
    this.layout = LAYOUTS[this.network];
    const { outputStride, headKernel } = this.layout;
    this.encoder = this.registerModule(
      'encoder',
      createEncoder(ctx.child('encoder'), checkBackbone(config.encoder), { inChannels: config.inChannels, dropConnectRate: config.dropConnectRate, outputStride, depth: this.layout.encoderDepth }),
    );
    this.decoder = this.registerModule('decoder', this.layout.decoder(ctx.child('decoder'), this.encoder.outChannels, config, attention));
    const head = new nn.ModuleDict();
    const headOptions = { padding: headKernel === 3 ? 1 : 0, init: 'xavier' } as const;
    this.head = head.registerModule('0', new nn.Conv2d(ctx.child('segmentation_head').child(0), this.decoder.outChannels, config.classes, headKernel, headOptions));
    this.registerModule('segmentation_head', head);
    this.useRandom(new Random((config.seed ?? 1234) ^ 0x5eed));
  }

  /**
   * Draws the drop-connect masks of later training forwards from `random` (e.g. a stream seeded per fold and epoch):
   * one generator for every nn.DropConnect of the model, drawn in forward order.
   */
  useRandom(random: Random): void {
    for (const [, module] of this.namedModules()) if (module instanceof nn.DropConnect) module.random = random;
  }

  forward(x: Tensor): Tensor {
    checkInput(x, this.config.inChannels);
    const tooSmall = inputTooSmall(this.network, x.shape[2]!, x.shape[3]!);
    if (tooSmall) throw new Error(`model input ${formatShape(x.shape)}: ${tooSmall}`);
    const features = this.encoder.forward(x);
    const logits = this.head.forward(this.decoder.forward(features));
    const { upsampling } = this.layout;
    return upsampling === 1 ? logits : F.interpolate(logits, { scaleFactor: upsampling, mode: 'bilinear', alignCorners: true });
  }
}

/** H and W of a model input are multiples of this (the encoder downsamples 5 times). */
export const INPUT_MULTIPLE = 32;

/** The smallest input side the network runs at: 32, or its own minimum (PAN: 128). */
export function smallestInput(network: NetworkName): number {
  return Math.max(INPUT_MULTIPLE, NETWORK_MIN_INPUT[network] ?? 0);
}

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
 * Network, backbone and decoder attention of a state_dict from its keys and shapes: the network by its decoder's first
 * module (inferNetwork; scSE where a Unet has `attention1`); ResNet by block count and Bottleneck `conv3`;
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
  const network = inferNetwork(keys);
  const decoderAttention: DecoderAttention = keys.some((key) => /^decoder\.blocks\.\d+\.attention1\./.test(key)) ? 'scse' : 'none';
  return { network, backbone, decoderAttention };
}

/** The key prefix that only each network's decoder has (smp 0.1.0's module names). */
const DECODER_SIGNATURES: readonly (readonly [NetworkName, string])[] = [
  ['linknet', 'decoder.blocks.0.block.'],
  ['unet', 'decoder.blocks.0.conv1.'],
  ['fpn', 'decoder.p5.'],
  ['pspnet', 'decoder.psp.'],
  ['pan', 'decoder.fpa.'],
  ['deeplabv3plus', 'decoder.aspp.'],
];

/** The network of a state_dict by its decoder's keys, or an error naming the prefixes looked for. */
export function inferNetwork(keys: readonly string[]): NetworkName {
  const found = DECODER_SIGNATURES.find(([, prefix]) => keys.some((key) => key.startsWith(prefix)));
  if (found) return found[0];
  const prefixes = DECODER_SIGNATURES.map(([network, prefix]) => `${prefix}* (${network})`).join(', ');
  throw new Error(`the weights match no known decoder (none of the keys ${prefixes})`);
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
    let network: NetworkName;
    try {
      network = inferNetwork([...weights.keys()]);
    } catch (networkError) {
      throw new Error(`${source}: ${(networkError as Error).message}`);
    }
    architecture = { network, backbone: options.backbone, decoderAttention: 'none' };
  }
  if (options.backbone) architecture = { ...architecture, backbone: options.backbone };
  return { ...architecture, inChannels: stem.shape[1]!, classes: weights.get('segmentation_head.0.weight')?.shape[0] ?? 1 };
}
