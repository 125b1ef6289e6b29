/** One row per epoch: what the per-fold log.csv holds and the training curves plot. */

export interface EpochRow {
  readonly fold: number;
  /** 1-based, as the original prints it. */
  readonly epoch: number;
  readonly learningRate: number;
  /** Σ over batches of (batch loss · batch size) / images, as the original. */
  readonly trainLoss: number;
  /** Mean per-image Dice of the thresholded training outputs (train mode, augmented inputs). */
  readonly trainDice: number;
  readonly validationLoss: number;
  /** Mean per-image Dice of {logits ≥ 0} against {mask ≥ 0.5} in eval mode (1 when both are empty). */
  readonly validationDice: number;
  readonly validationIou: number;
  /** Whether this epoch's weights became best.safetensors. */
  readonly savedBest: boolean;
  /** Whether BN statistics were recomputed over the training set before validation. */
  readonly bnRecalibrated: boolean;
  /** Wall-clock seconds of the epoch: training, BN recalibration and validation (checkpoint writing not included). */
  readonly seconds: number;
  /** Training images per second over the epoch's training steps. */
  readonly imagesPerSecond: number;
}

export const LOG_COLUMNS = [
  'fold',
  'epoch',
  'learning_rate',
  'train_loss',
  'train_dice',
  'validation_loss',
  'validation_dice',
  'validation_iou',
  'saved_best',
  'bn_recalibrated',
  'seconds',
  'images_per_second',
] as const;

/** log.csv: a header and one line per epoch; numbers in shortest round-trip form. */
export function formatLogCsv(rows: readonly EpochRow[]): string {
  const lines = rows.map((row) =>
    [
      row.fold,
      row.epoch,
      row.learningRate,
      row.trainLoss,
      row.trainDice,
      row.validationLoss,
      row.validationDice,
      row.validationIou,
      row.savedBest ? 1 : 0,
      row.bnRecalibrated ? 1 : 0,
      row.seconds.toFixed(3),
      row.imagesPerSecond.toFixed(3),
    ].join(','),
  );
  return [LOG_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

/** Parses formatLogCsv's output (for reports that read a finished run). */
export function parseLogCsv(text: string, file: string): EpochRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines[0] !== LOG_COLUMNS.join(',')) throw new Error(`${file}: not a ulseg training log (header: ${lines[0] ?? 'none'})`);
  return lines.slice(1).map((line, index) => {
    const values = line.split(',').map(Number);
    if (values.length !== LOG_COLUMNS.length || values.some((value) => Number.isNaN(value))) {
      throw new Error(`${file}:${index + 2}: expected ${LOG_COLUMNS.length} numbers`);
    }
    const [fold, epoch, learningRate, trainLoss, trainDice, validationLoss, validationDice, validationIou, savedBest, bnRecalibrated, seconds, imagesPerSecond] =
      values as number[];
    return {
      fold: fold!,
      epoch: epoch!,
      learningRate: learningRate!,
      trainLoss: trainLoss!,
      trainDice: trainDice!,
      validationLoss: validationLoss!,
      validationDice: validationDice!,
      validationIou: validationIou!,
      savedBest: savedBest === 1,
      bnRecalibrated: bnRecalibrated === 1,
      seconds: seconds!,
      imagesPerSecond: imagesPerSecond!,
    };
  });
}
