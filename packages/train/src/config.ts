/**
 * The training configuration: the original's options (ORIGINAL.md §5, train.py) plus ulseg's. Defaults are the
 * original's, except the learning rate (1e-3: the README's 1e-7 cannot move a randomly initialised decoder).
 * A checkpoint records the whole configuration; `--resume` refuses a run whose configuration differs.
 */
import type { AugmentPolicyInput } from './augment/augment-policy.js';
import type { DiceReduction } from '@ulseg/kernels';
import { BACKBONES, checkDecoderAttention, checkNetwork, inputTooSmall, isBackbone, NETWORKS, type BackboneName, type DecoderAttention, type NetworkName } from '@ulseg/model';

/** What `network` may be (@ulseg/model's NETWORKS); the original's winning entry was Linknet. */
export { NETWORKS };
export type Network = NetworkName;

/** BN recalibration: 'auto' = on for runs under {@link BN_RECALIBRATION_STEPS} optimiser steps per fold. */
export type BnRecalibration = 'auto' | 'on' | 'off';
export const BN_RECALIBRATION_STEPS = 1000;

export interface TrainConfig {
  readonly network: Network;
  /** The backbone (smp's encoder_name). */
  readonly encoder: BackboneName;
  /** Unet's decoder attention: 'scse' or 'none'. */
  readonly decoderAttention: DecoderAttention;
  /** Model input channels; the scans are grayscale, so 1. */
  readonly inputChannels: number;
  /** Output channels; binary segmentation, so 1. */
  readonly outputClasses: number;
  /** R: training inputs are R x R (a multiple of 32, at least 64). */
  readonly imageResolution: number;
  readonly epochs: number;
  /**
   * Progressive resizing (ulseg's; the original trains at one R): the last {@link finalEpochs} epochs train,
   * recalibrate BN and validate at R' x R' instead of R x R (R' a multiple of 32, at least 64, other than R). The
   * network is fully convolutional, so the weights and Adam's moments carry over unchanged; the cosine schedule still
   * runs over all `epochs`. Validation losses at R and R' are not comparable, so the best checkpoint is chosen among
   * the R' epochs only (schedule.ts), and a checkpoint's `image_resolution` is the resolution its weights were last
   * trained at. null: off.
   */
  readonly finalResolution: number | null;
  /** E': how many of the last epochs run at {@link finalResolution} (0: off; at most `epochs`). */
  readonly finalEpochs: number;
  readonly batchSize: number;
  /** The original validates in batches of 10 (the validation loss is a batch-size-weighted mean of batch losses). */
  readonly validationBatchSize: number;
  /** lr0 of Adam and of the cosine schedule. */
  readonly learningRate: number;
  readonly betas: readonly [number, number];
  readonly adamEps: number;
  /** CosineAnnealingLR T_max (epochs). */
  readonly tMax: number;
  readonly etaMin: number;
  /** w of w·BCE + (1 − w)·Dice; 0 = pure Dice, as trained. */
  readonly bceWeight: number;
  /**
   * What one soft Dice of the loss is taken over: 'batch' (the original's smp DiceLoss: one Dice of the pooled batch)
   * or 'image' (each image's Dice loss, averaged over the batch: a small lesion weighs as much as a large one, as in
   * the per-image mean Dice the evaluation reports). Training and validation loss alike.
   */
  readonly diceReduction: DiceReduction;
  /** Root of every random stream: initialisation, shuffling, augmentation, drop-connect. */
  readonly seed: number;
  /** K of K-fold cross-validation. */
  readonly folds: number;
  /** Base drop-connect rate of the encoder (0.2 in the original; block b drops with p = rate·b/blocks). */
  readonly dropConnectRate: number;
  /** Train on augmented images (ORIGINAL.md §3); false: plain bicubic resize. */
  readonly augment: boolean;
  /** Overrides of the augmentation policy's probabilities and ranges (merged over ORIGINAL.md §3's). */
  readonly augmentPolicy: AugmentPolicyInput;
  readonly bnRecalibration: BnRecalibration;
  /**
   * Oversampling: scan ID → n, drawn n times per epoch when it is a training scan (unlisted scans once). Validation
   * and BN recalibration see every scan once, so only what the model learns from is reweighted.
   */
  readonly trainRepeats: Readonly<Record<string, number>>;
}

export type TrainConfigInput = { -readonly [K in keyof TrainConfig]?: TrainConfig[K] };

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  network: 'linknet',
  encoder: 'efficientnet-b6',
  decoderAttention: 'none',
  inputChannels: 1,
  outputClasses: 1,
  imageResolution: 256,
  epochs: 100,
  finalResolution: null,
  finalEpochs: 0,
  batchSize: 8,
  validationBatchSize: 10,
  learningRate: 1e-3,
  betas: [0.9, 0.999],
  adamEps: 1e-8,
  tMax: 110,
  etaMin: 1e-11,
  bceWeight: 0,
  diceReduction: 'batch',
  seed: 2020,
  folds: 5,
  dropConnectRate: 0.2,
  augment: true,
  augmentPolicy: {},
  bnRecalibration: 'auto',
  trainRepeats: {},
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Merges `input` over the defaults and validates every field; errors name the field, the value and the rule. */
export function resolveTrainConfig(input: TrainConfigInput = {}): TrainConfig {
  const defined = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...defined };
  const fail = (message: string): never => {
    throw new ConfigError(message);
  };
  const integer = (name: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min) fail(`${name} must be an integer >= ${min}, got ${value}`);
  };
  try {
    checkNetwork(config.network);
    checkDecoderAttention(config.decoderAttention, config.network);
  } catch (error) {
    fail((error as Error).message);
  }
  if (!isBackbone(config.encoder)) fail(`encoder '${config.encoder}' is not supported; choose one of ${BACKBONES.join(', ')}`);
  if (config.inputChannels !== 1) fail(`input channels must be 1 (the scans are grayscale), got ${config.inputChannels}`);
  if (config.outputClasses !== 1) fail(`output classes must be 1 (binary lesion segmentation with a Dice loss), got ${config.outputClasses}`);
  integer('image resolution', config.imageResolution, 64);
  if (config.imageResolution % 32 !== 0) {
    fail(`image resolution must be a multiple of 32 (the encoder downsamples 5 times), got ${config.imageResolution}`);
  }
  const tooSmall = inputTooSmall(config.network, config.imageResolution, config.imageResolution);
  if (tooSmall) fail(`image resolution: ${tooSmall}`);
  integer('epochs', config.epochs, 1);
  integer('final epochs', config.finalEpochs, 0);
  if (config.finalEpochs > config.epochs) fail(`final epochs must be at most epochs (${config.epochs}), got ${config.finalEpochs}`);
  if (config.finalResolution === null) {
    if (config.finalEpochs > 0) fail(`final epochs is ${config.finalEpochs} but no final resolution is set (the resolution those epochs train at)`);
  } else {
    integer('final resolution', config.finalResolution, 64);
    if (config.finalResolution % 32 !== 0) fail(`final resolution must be a multiple of 32 (the encoder downsamples 5 times), got ${config.finalResolution}`);
    if (config.finalResolution === config.imageResolution) {
      fail(`final resolution ${config.finalResolution} equals the image resolution: leave it out (and final epochs at 0) to train at one resolution`);
    }
    if (config.finalEpochs === 0) fail(`final resolution ${config.finalResolution} needs final epochs >= 1 (how many of the last epochs train at it)`);
    const finalTooSmall = inputTooSmall(config.network, config.finalResolution, config.finalResolution);
    if (finalTooSmall) fail(`final resolution: ${finalTooSmall}`);
  }
  integer('batch size', config.batchSize, 1);
  integer('validation batch size', config.validationBatchSize, 1);
  integer('folds', config.folds, 2);
  if (!(config.learningRate > 0 && Number.isFinite(config.learningRate))) fail(`learning rate must be a positive number, got ${config.learningRate}`);
  if (!(config.tMax > 0 && Number.isFinite(config.tMax))) fail(`T_max must be a positive number, got ${config.tMax}`);
  if (!(config.etaMin >= 0 && Number.isFinite(config.etaMin))) fail(`eta_min must be a number >= 0, got ${config.etaMin}`);
  if (!(config.bceWeight >= 0 && config.bceWeight <= 1)) fail(`BCE weight must be in [0, 1], got ${config.bceWeight}`);
  if (config.diceReduction !== 'batch' && config.diceReduction !== 'image') fail(`Dice reduction must be batch or image, got ${String(config.diceReduction)}`);
  if (!(config.dropConnectRate >= 0 && config.dropConnectRate < 1)) fail(`drop-connect rate must be in [0, 1), got ${config.dropConnectRate}`);
  if (!Number.isInteger(config.seed) || config.seed < 0 || config.seed > 0xffffffff) fail(`seed must be an integer in 0..4294967295, got ${config.seed}`);
  const [beta1, beta2] = config.betas;
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) fail(`Adam betas must be in [0, 1), got ${config.betas.join(', ')}`);
  if (!(config.adamEps > 0)) fail(`Adam eps must be > 0, got ${config.adamEps}`);
  if (!['auto', 'on', 'off'].includes(config.bnRecalibration)) fail(`BN recalibration must be auto, on or off, got ${config.bnRecalibration}`);
  if (typeof config.trainRepeats !== 'object' || config.trainRepeats === null || Array.isArray(config.trainRepeats)) fail('train repeats must map scan IDs to counts');
  for (const [id, times] of Object.entries(config.trainRepeats)) integer(`train repeats of '${id}'`, times, 1);
  return config;
}

/** The first epoch (0-based) that runs at the final resolution; `epochs` when progressive resizing is off. */
export function finalResolutionStart(config: Pick<TrainConfig, 'epochs' | 'finalEpochs'>): number {
  return config.epochs - config.finalEpochs;
}

/** The resolution epoch `epoch` (0-based) trains, recalibrates BN and validates at: R', from {@link finalResolutionStart} on, else R. */
export function resolutionAt(config: Pick<TrainConfig, 'imageResolution' | 'epochs' | 'finalResolution' | 'finalEpochs'>, epoch: number): number {
  return config.finalResolution !== null && epoch >= finalResolutionStart(config) ? config.finalResolution : config.imageResolution;
}

/** The training resolution in words: `64²`, or `64², the last 4 epochs at 96²`. */
export function describeResolution(config: Pick<TrainConfig, 'imageResolution' | 'finalResolution' | 'finalEpochs'>): string {
  if (config.finalResolution === null || config.finalEpochs === 0) return `${config.imageResolution}²`;
  return `${config.imageResolution}², the last ${config.finalEpochs === 1 ? 'epoch' : `${config.finalEpochs} epochs`} at ${config.finalResolution}²`;
}

/** Fields whose values differ between two configurations, as `name: a → b` lines. */
export function configDifferences(a: TrainConfig, b: TrainConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof TrainConfig>;
  const lines: string[] = [];
  for (const key of keys) {
    const left = JSON.stringify(a[key]);
    const right = JSON.stringify(b[key]);
    if (left !== right) lines.push(`${key}: ${left} → ${right}`);
  }
  return lines;
}

/** Whether BN statistics are recomputed over the training set before each validation (see bn-recalibration.ts). */
export function bnRecalibrationEnabled(config: TrainConfig, stepsPerFold: number): boolean {
  return config.bnRecalibration === 'on' || (config.bnRecalibration === 'auto' && stepsPerFold < BN_RECALIBRATION_STEPS);
}
