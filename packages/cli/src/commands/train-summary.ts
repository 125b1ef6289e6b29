/** The lines `ulseg train` ends with, whichever runtime trained. */
import { joinPath } from '@ulseg/data';
import { CHECKPOINT_FILES, foldDirectory, type FoldResult } from '@ulseg/train';
import { formatDuration } from '../progress.js';

export function summary(results: readonly FoldResult[], weightsPath: string, seconds: number): string {
  const lines = results.map((result) => {
    const row = result.best && result.history.find((entry) => entry.epoch === result.best!.epoch);
    const where = joinPath(foldDirectory(weightsPath, result.fold), result.best ? CHECKPOINT_FILES.best : CHECKPOINT_FILES.last);
    return result.best && row
      ? `  fold ${result.fold}: best epoch ${row.epoch}, validation loss ${row.validationLoss.toFixed(4)}, Dice ${row.validationDice.toFixed(4)} → ${where}`
      : `  fold ${result.fold}: no best checkpoint (no finite validation loss) → ${where}`;
  });
  const dices = results.flatMap((result) => result.history.filter((row) => row.epoch === result.best?.epoch).map((row) => row.validationDice));
  const mean = dices.length ? `; mean validation Dice of the best epochs ${(dices.reduce((a, b) => a + b, 0) / dices.length).toFixed(4)}` : '';
  return `trained ${results.length} fold${results.length === 1 ? '' : 's'} in ${formatDuration(seconds)}${mean}\n${lines.join('\n')}\n`;
}
