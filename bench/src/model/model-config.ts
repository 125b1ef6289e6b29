/**
 * The model benchmark's defaults and the model's multiply-adds (from the registry, as ORIGINAL.md §8 describes the
 * network: B6 at 256² is 4.455 GMAC per image).
 */
import { blockSpecs, encoderSpec, roundFilters } from '@ulseg/model';
import type { ModelBenchSettings } from './schema.js';

export const DEFAULT_MODEL_SETTINGS: ModelBenchSettings = {
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
 * Convolution multiply-adds of one image's forward pass at `resolution` (square, a multiple of 32): stem, every
 * MBConv (expand 1x1, depthwise k x k, SE 1x1 pair, project 1x1), the five Linknet blocks (1x1, 4x4 stride-2
 * transposed, 1x1) and the head. Element-wise work (BN, activations, additions) is not counted.
 */
export function forwardMacsPerImage(encoder: string, resolution: number, inChannels: number, classes: number): number {
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
  const channels = [...spec.outChannels.slice(1)].reverse();
  const decoder = [...channels, 32];
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
