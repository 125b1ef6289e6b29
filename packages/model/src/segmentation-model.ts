/**
 * SegmentationModel = encoder → decoder → head, smp's Linknet: logits [N, classes, H, W] for x [N, C, H, W] with
 * H and W multiples of 32.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import { formatShape, Random } from '@ulseg/kernels';
import { EfficientNetEncoder } from './encoders/efficientnet.js';
import { encoderSpec, ENCODERS, type EncoderName } from './encoders/efficientnet-params.js';
import { LinknetDecoder } from './decoders/linknet.js';

type Gpu = Tensor['gpu'];

export interface ModelConfig {
  encoder: EncoderName;
  inChannels: number;
  classes: number;
  /** Seed of the initialisation generator (same seed → same weights). */
  seed?: number;
  dropConnectRate?: number;
}

export class SegmentationModel extends nn.Module {
  readonly encoder: EfficientNetEncoder;
  readonly decoder: LinknetDecoder;
  private readonly head: nn.Conv2d;
  /** Drives drop-connect masks (one seed per forward). */
  readonly random: Random;

  constructor(gpu: Gpu, readonly config: ModelConfig) {
    super();
    const random = new Random(config.seed ?? 1234);
    this.random = new Random((config.seed ?? 1234) ^ 0x5eed);
    const spec = encoderSpec(config.encoder);
    this.encoder = this.registerModule('encoder', new EfficientNetEncoder(gpu, random, spec, { inChannels: config.inChannels, dropConnectRate: config.dropConnectRate }));
    this.decoder = this.registerModule('decoder', new LinknetDecoder(gpu, random, this.encoder.outChannels, 32));
    const head = new nn.Module();
    this.head = head.registerModule('0', new nn.Conv2d(gpu, random, 32, config.classes, 1, { init: 'xavier' }));
    this.registerModule('segmentation_head', head);
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
  const [, channels, height, width] = x.shape as [number, number, number, number];
  if (channels !== inChannels) throw new Error(`model input has ${channels} channels; the model was built for ${inChannels}`);
  if (height % INPUT_MULTIPLE !== 0 || width % INPUT_MULTIPLE !== 0) {
    const nearest = (size: number): number => Math.max(INPUT_MULTIPLE, Math.round(size / INPUT_MULTIPLE) * INPUT_MULTIPLE);
    throw new Error(
      `model input ${formatShape(x.shape)}: H and W must be multiples of 32 (the encoder downsamples 5 times); ` +
        `resize to ${nearest(height)}x${nearest(width)}`,
    );
  }
}

/** Which EfficientNet a state_dict belongs to, from its stem width and block count. */
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
