/**
 * torch.optim.lr_scheduler.CosineAnnealingLR stepped as the original training does, `step(epoch)` at each epoch's
 * start, which uses the closed form lr(i) = etaMin + (base − etaMin)(1 + cos(π i / tMax))/2 (periodic past tMax).
 */
import { cosineAnnealingLr } from './lr-schedule.js';
import type { Adam } from './adam.js';

export class CosineAnnealingLR {
  readonly baseLearningRate: number;

  constructor(
    private readonly optimizer: Pick<Adam, 'learningRate'>,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    if (!(tMax > 0)) throw new Error(`CosineAnnealingLR: tMax must be > 0, got ${tMax}`);
    this.baseLearningRate = optimizer.learningRate;
  }

  /** Sets the optimiser's learning rate for `epoch` and returns it. */
  step(epoch: number): number {
    const rate = cosineAnnealingLr(epoch, this.baseLearningRate, this.tMax, this.etaMin);
    this.optimizer.learningRate = rate;
    return rate;
  }
}
