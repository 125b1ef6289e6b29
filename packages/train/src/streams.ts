/**
 * Every random number of a training run comes from a stream named by (seed, fold, epoch, position): the model's
 * initialisation, the epoch's shuffle, each sample's augmentation and each step's drop-connect masks. No generator
 * carries state from one step to the next, so a run resumed at an epoch boundary draws exactly what an
 * uninterrupted run draws, and the checkpoint's "RNG state" is just (seed, fold, epoch, step).
 */
import { Random } from '@ulseg/base';
import type { TrainConfig } from './config.js';

/** A u32 seed for the stream `name` of `seed` (FNV-1a of the name mixed with the seed, then SplitMix32). */
export function streamSeed(seed: number, name: string): number {
  return Random.derive(seed, name).nextUint32();
}

/** Seed of the model's initialisation for `fold` (1-based). */
export function initialisationSeed(seed: number, fold: number): number {
  return streamSeed(seed, `fold${fold}/init`);
}

/** The order of the training samples in epoch `epoch` (0-based) of `fold`: a seeded permutation of 0..count-1. */
export function epochOrder(seed: number, fold: number, epoch: number, count: number): number[] {
  return Random.derive(seed, `fold${fold}/epoch${epoch}/shuffle`).shuffle(Array.from({ length: count }, (_, index) => index));
}

/**
 * The training scans an epoch draws from, before `epochOrder` shuffles them: each scan `trainRepeats[id]` times
 * (default once), in the given order (the demo's oversampling).
 */
export function repeatTrainingSamples<T extends { readonly id: string }>(samples: readonly T[], config: Pick<TrainConfig, 'trainRepeats'>): T[] {
  return samples.flatMap((sample) => Array.from({ length: config.trainRepeats[sample.id] ?? 1 }, () => sample));
}

/** The augmentation draws of the sample at `position` (0-based, in shuffled order) of an epoch. */
export function augmentationRandom(seed: number, fold: number, epoch: number, position: number): Random {
  return Random.derive(seed, `fold${fold}/epoch${epoch}/sample${position}/augment`);
}

/** The drop-connect generator of training step `step` (0-based within the epoch). */
export function dropConnectRandom(seed: number, fold: number, epoch: number, step: number): Random {
  return new Random(streamSeed(seed, `fold${fold}/epoch${epoch}/step${step}/drop-connect`));
}
