/**
 * The original's epoch-level rules (ORIGINAL.md §5, train.py):
 * - learning rate: CosineAnnealingLR stepped as `scheduler.step(i)` at the start of epoch i (0-based), the closed form
 *     lr(i) = eta_min + (lr0 − eta_min)·(1 + cos(π·i / T_max))/2;
 * - best checkpoint: `if valid_loss <= valid_loss_min and epoch - 2 >= i`: saved when the validation loss is at most
 *   the best so far (ties go to the later epoch), in epochs 0..E−2 only; the best is updated only when saving.
 *   One documented fix: with E = 1 that range is empty and the original ends without any model file, so a one-epoch
 *   run saves its only epoch.
 *   With progressive resizing (config.ts, `finalEpochs` E' > 0) ulseg's rule: the range starts at the first epoch at
 *   the final resolution, E − E', because a validation loss at another resolution is not comparable; the epochs
 *   eligible are E − E'..max(E − 2, E − E'), so with E' = 1 the last epoch, the only one at R', is saved (the same fix).
 */
import { optim } from '@ulseg/autograd';
import type { TrainConfig } from './config.js';

export function learningRateAt(config: Pick<TrainConfig, 'learningRate' | 'tMax' | 'etaMin'>, epoch: number): number {
  return optim.cosineAnnealingLr(epoch, config.learningRate, config.tMax, config.etaMin);
}

export class BestCheckpointRule {
  /** The lowest validation loss saved so far (+∞ before the first save). */
  best: number;

  constructor(
    readonly epochs: number,
    best = Number.POSITIVE_INFINITY,
    /** The first epoch (0-based) that may be saved: 0 in the original, `finalResolutionStart` with progressive resizing. */
    readonly firstEligible = 0,
  ) {
    this.best = best;
  }

  /** Whether epoch `epoch` (0-based) with `validationLoss` is saved as best; updates the best when it is. */
  offer(epoch: number, validationLoss: number): boolean {
    const lastEligible = Math.max(this.epochs - 2, this.firstEligible);
    if (!(validationLoss <= this.best) || epoch < this.firstEligible || epoch > lastEligible) return false;
    this.best = validationLoss;
    return true;
  }
}
