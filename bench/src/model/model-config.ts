/**
 * The model benchmark's defaults and the model's multiply-adds, counted from a trace of its own eval forward (as
 * ORIGINAL.md §8 describes the network: B6 at 256² is 4.455 GMAC per image).
 */
import { opMacs, traceEval } from '@ulseg/autograd';
import type { SegmentationModel } from '@ulseg/model';
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
 * Multiply-adds of one image's forward pass at `resolution` (square, a multiple of 32): the sum over the ops of the
 * traced eval forward (autograd's opMacs: every convolution, transposed convolution and squeeze-excitation).
 * Element-wise work (BN, activations, additions, pooling) is not counted. With `statePrefix` (e.g. `'encoder.'`) only
 * the ops that read a parameter under that state_dict prefix count: a part of the network (the encoder's share).
 */
export function forwardMacsPerImage(model: SegmentationModel, resolution: number, statePrefix?: string): number {
  const traced = traceEval(model, model.parameters()[0]!.gpu, [1, model.config.inChannels, resolution, resolution]);
  traced.dispose();
  const counted = statePrefix === undefined ? traced.ops : traced.ops.filter((op) => op.inputs.some((input) => input.kind === 'state' && input.name.startsWith(statePrefix)));
  return counted.reduce((total, op) => total + opMacs(op), 0);
}
