/**
 * The model benchmark's defaults and the model's multiply-adds (from the registry, as ORIGINAL.md §8 describes the
 * network: B6 at 256² is 4.455 GMAC per image).
 */
import { blockSpecs, encoderSpec, roundFilters, UNET_DECODER_CHANNELS, type DecoderAttention, type NetworkName } from '../../../packages/model/src/index.js';
import type { ModelBenchSettings } from './schema.js';

export const DEFAULT_MODEL_SETTINGS: ModelBenchSettings = {
  network: 'linknet',
  decoderAttention: 'none',
  encoder: 'efficientnet-b6',
  resolution: 256,
  inChannels: 1,
  classes: 1,
  batches: [1, 8],
  passes: ['forward', 'train-step'],
  repeats: 5,
  steps: 3,
  warmup: 2,
  maxSeconds: 120,
  profile: true,
  seed: 1234,
  peer: null,
};

/**
 * Convolution multiply-adds of one image's forward pass at `resolution` (square, a multiple of 32), from the registry
 * (ORIGINAL.md §8, §10). Encoders: EfficientNet's stem and every MBConv (expand 1x1, depthwise k x k, SE 1x1 pair,
 * project 1x1); ResNet's 7x7 stem and every block's convolutions and downsample. Decoders: the five Linknet blocks
 * (1x1, 4x4 stride-2 transposed, 1x1) and its 1x1 head; the five Unet blocks (two 3x3 on the joined channels, scSE's
 * 1x1 convolutions when asked) and its 3x3 head. Element-wise work (BN, activations, additions, pooling) is not counted.
 */
export function forwardMacsPerImage(
  encoder: string,
  resolution: number,
  inChannels: number,
  classes: number,
  network: NetworkName = 'linknet',
  attention: DecoderAttention = 'none',
): number {
  if (network !== 'linknet' && network !== 'unet') {
    // FPN, PSPNet, PAN and DeepLabV3+ (with the dilated encoders) are not counted: refused rather than miscounted.
    throw new Error(`bench model counts multiply-adds for linknet and unet only; not for ${network} yet`);
  }
  const { macs: encoderPart, channels } = encoderMacs(encoder, resolution, inChannels);
  return encoderPart + (network === 'unet' ? unetMacs(channels, resolution, classes, attention) : linknetMacs(channels, resolution, classes));
}

/** The encoder's share of forwardMacsPerImage. */
export function encoderMacsPerImage(encoder: string, resolution: number, inChannels: number): number {
  return encoderMacs(encoder, resolution, inChannels).macs;
}

function encoderMacs(encoder: string, resolution: number, inChannels: number): EncoderMacs {
  return encoder.startsWith('resnet') ? resnetMacs(encoder, resolution, inChannels) : efficientNetMacs(encoder, resolution, inChannels);
}

interface EncoderMacs {
  macs: number;
  /** f1..f5 channels. */
  channels: number[];
}

function efficientNetMacs(encoder: string, resolution: number, inChannels: number): EncoderMacs {
  const spec = encoderSpec(encoder);
  const stem = roundFilters(32, spec.widthCoefficient);
  let size = resolution / 2;
  let macs = size * size * stem * inChannels * 9;
  for (const block of blockSpecs(spec)) {
    const expanded = block.inputFilters * block.expandRatio;
    if (block.expandRatio !== 1) macs += size * size * block.inputFilters * expanded;
    size /= block.stride;
    macs += size * size * expanded * block.kernel * block.kernel;
    macs += 2 * expanded * block.squeezed;
    macs += size * size * expanded * block.outputFilters;
  }
  return { macs, channels: spec.outChannels.slice(1) };
}

const RESNET_BLOCKS: Record<string, { bottleneck: boolean; layers: number[] }> = {
  resnet18: { bottleneck: false, layers: [2, 2, 2, 2] },
  resnet34: { bottleneck: false, layers: [3, 4, 6, 3] },
  resnet50: { bottleneck: true, layers: [3, 4, 6, 3] },
};

function resnetMacs(encoder: string, resolution: number, inChannels: number): EncoderMacs {
  const { bottleneck, layers } = RESNET_BLOCKS[encoder]!;
  let size = resolution / 2;
  let macs = size * size * 64 * inChannels * 49;
  size /= 2;
  let channels = 64;
  const taps = [64];
  layers.forEach((blocks, layer) => {
    const width = 64 * 2 ** layer;
    const out = bottleneck ? 4 * width : width;
    for (let index = 0; index < blocks; index++) {
      const inputSize = size;
      if (index === 0 && layer > 0) size /= 2;
      if (bottleneck) macs += inputSize * inputSize * channels * width + size * size * (width * width * 9 + width * out);
      else macs += size * size * (channels * width * 9 + width * width * 9);
      if (channels !== out || size !== inputSize) macs += size * size * channels * out;
      channels = out;
    }
    taps.push(out);
  });
  return { macs, channels: taps };
}

function linknetMacs(encoderChannels: readonly number[], resolution: number, classes: number): number {
  const decoder = [...[...encoderChannels].reverse(), 32];
  let size = resolution / 32;
  let macs = 0;
  for (let index = 0; index < 5; index++) {
    const input = decoder[index]!;
    const output = decoder[index + 1]!;
    const middle = Math.floor(input / 4);
    macs += size * size * input * middle;
    macs += size * size * middle * middle * 16;
    size *= 2;
    macs += size * size * middle * output;
  }
  return macs + size * size * 32 * classes;
}

function unetMacs(encoderChannels: readonly number[], resolution: number, classes: number, attention: DecoderAttention): number {
  const [head, ...skips] = [...encoderChannels].reverse();
  const outs = [...UNET_DECODER_CHANNELS];
  let input = head!;
  let size = resolution / 32;
  let macs = 0;
  const scse = (channels: number): number => (attention === 'scse' ? 2 * channels * Math.floor(channels / 16) + size * size * channels : 0);
  outs.forEach((out, index) => {
    size *= 2;
    const joined = input + (skips[index] ?? 0);
    if (skips[index] !== undefined) macs += scse(joined);
    macs += size * size * (joined * out * 9 + out * out * 9) + scse(out);
    input = out;
  });
  return macs + size * size * input * classes * 9;
}
