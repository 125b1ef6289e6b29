/** What a training run reports as it goes (the CLI draws progress bars from these; a page can too), and its errors. */
import type { EpochRow } from './log.js';

export type TrainEvent =
  | {
      readonly type: 'fold-start';
      readonly fold: number;
      readonly trainImages: number;
      readonly validationImages: number;
      readonly stepsPerEpoch: number;
      readonly epochs: number;
      /** 0-based index of the first epoch this run trains (> 0 when resumed). */
      readonly startEpoch: number;
      readonly bnRecalibration: boolean;
    }
  | {
      readonly type: 'step';
      readonly fold: number;
      /** 1-based. */
      readonly epoch: number;
      /** 1-based within the epoch. */
      readonly step: number;
      readonly stepsPerEpoch: number;
      readonly loss: number;
      /** Mean per-image Dice of this batch's thresholded outputs. */
      readonly dice: number;
      readonly learningRate: number;
      /** Training images per second over the epoch so far. */
      readonly imagesPerSecond: number;
      /** Estimated seconds until this fold ends (validation included, from the epochs measured so far). */
      readonly etaSeconds: number;
    }
  | { readonly type: 'phase'; readonly fold: number; readonly epoch: number; readonly phase: 'bn-recalibration' | 'validation' | 'checkpoint' }
  | { readonly type: 'epoch'; readonly row: EpochRow; readonly etaSeconds: number }
  | {
      readonly type: 'fold-end';
      readonly fold: number;
      readonly best: { readonly epoch: number; readonly validationLoss: number } | null;
      readonly history: readonly EpochRow[];
      /** The fold had finished in an earlier run (resumed past its end). */
      readonly skipped: boolean;
    }
  | { readonly type: 'message'; readonly level: 'info' | 'warning'; readonly fold?: number; readonly text: string };

export type TrainEventHandler = (event: TrainEvent) => void;

/** The loss became NaN or ±Inf: the run stops and names where. */
export class NonFiniteLossError extends Error {
  override readonly name = 'NonFiniteLossError';
  constructor(
    readonly fold: number,
    /** 1-based. */
    readonly epoch: number,
    /** 1-based within the epoch (training), or the validation batch. */
    readonly step: number,
    readonly phase: 'training' | 'validation',
    readonly value: number,
    epochs: number,
    steps: number,
  ) {
    super(
      `fold ${fold}, epoch ${epoch}/${epochs}, ${phase} ${phase === 'training' ? 'step' : 'batch'} ${step}/${steps}: the loss is ${value}. ` +
        'Training stopped; the checkpoints of the last completed epoch are kept. A smaller learning rate usually helps.',
    );
  }
}

/** The run was stopped through its AbortSignal; `--resume` continues from the last completed epoch. */
export class TrainingStoppedError extends Error {
  override readonly name = 'TrainingStopped';
  constructor(
    readonly fold: number,
    /** Epochs of `fold` completed and checkpointed. */
    readonly epochsDone: number,
  ) {
    super(`stopped in fold ${fold} after ${epochsDone} completed epoch${epochsDone === 1 ? '' : 's'}; run again with --resume to continue from there`);
  }
}
