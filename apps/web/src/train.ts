/**
 * Live training on generated phantoms through @ulseg/train's loop (the same code as `ulseg train`): seeded phantom
 * scans (@ulseg/data) for training and validation, one fold, the checkpoints written into memory so the trained model
 * can be downloaded or used on the Segment tab.
 */
import { MemoryFiles, renderPhantomSample, type PhantomSizeOptions } from '@ulseg/data';
import type { Gpu } from '@ulseg/kernels';
import { CHECKPOINT_FILES, resolveTrainConfig, trainFold, type EpochRow, type TrainEvent, type TrainingSample } from '@ulseg/train';
import type { TrainSettings } from './params.js';

export interface TrainStep {
  /** 1-based over the whole run. */
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly dice: number;
  readonly learningRate: number;
}

export interface TrainOutcome {
  readonly steps: readonly TrainStep[];
  readonly epochs: readonly EpochRow[];
  readonly seconds: number;
  /** best.safetensors of the run (the original's best-checkpoint rule). */
  readonly best: Uint8Array | undefined;
}

/** The phantom scans of `split` 1..count (seeded: the same settings give the same scans). */
export function phantomSamples(settings: TrainSettings, split: 'train' | 'test', count: number): TrainingSample[] {
  const size: PhantomSizeOptions = { width: settings.phantomWidth, height: settings.phantomHeight };
  return Array.from({ length: count }, (_, index) => {
    const scan = renderPhantomSample(settings.seed, split, index + 1, size);
    return { id: `${split}-${index + 1}.png`, image: scan.image, mask: scan.mask };
  });
}

/** Trains one fold; `onStep` / `onEvent` see every step and event; stops between steps when `signal` is aborted. */
export async function trainOnPhantoms(
  gpu: Gpu,
  settings: TrainSettings,
  handlers: { onStep?: (step: TrainStep) => void; onEvent?: (event: TrainEvent) => void; signal?: AbortSignal } = {},
): Promise<TrainOutcome> {
  const config = resolveTrainConfig({
    network: settings.network,
    encoder: settings.encoder,
    decoderAttention: settings.decoderAttention,
    imageResolution: settings.resolution,
    epochs: settings.epochs,
    batchSize: settings.batch,
    learningRate: settings.learningRate,
    tMax: Math.max(settings.epochs, 1) * 2,
    bceWeight: settings.bceWeight,
    augment: settings.augment,
    dropConnectRate: 0,
    bnRecalibration: 'off',
    seed: settings.seed,
    folds: 2,
  });
  const train = phantomSamples(settings, 'train', settings.images);
  const validation = phantomSamples(settings, 'test', settings.validation);
  const files = new MemoryFiles();
  const steps: TrainStep[] = [];
  const start = performance.now();
  const result = await trainFold({
    gpu,
    config,
    fold: 1,
    train,
    validation,
    output: { files, directory: 'fold1' },
    onEvent: (event) => {
      if (event.type === 'step') {
        const step = { step: (event.epoch - 1) * event.stepsPerEpoch + event.step, epoch: event.epoch, loss: event.loss, dice: event.dice, learningRate: event.learningRate };
        steps.push(step);
        handlers.onStep?.(step);
      }
      handlers.onEvent?.(event);
    },
    ...(handlers.signal ? { signal: handlers.signal } : {}),
  });
  const bestPath = `fold1/${CHECKPOINT_FILES.best}`;
  const best = (await files.exists(bestPath)) ? await files.read(bestPath) : undefined;
  return { steps, epochs: result.history, seconds: (performance.now() - start) / 1000, best };
}
