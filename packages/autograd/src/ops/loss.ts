/**
 * The original's loss: w·BCEWithLogits + (1 − w)·Dice, Dice = 1 − (2Σ(p·t) + 1)/(Σp + Σt + 1), p = σ(logits),
 * sums over the whole batch ('batch') or over each image, then the mean over images ('image'); BCE is the mean of
 * max(l, 0) − l·t + log(1 + e^(−|l|)).
 */
import { segmentationLoss as lossKernel, segmentationLossBackward, formatShape, sameShape, type DiceReduction } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

interface LossAttributes {
  bceWeight: number;
  diceReduction: DiceReduction;
}

const lossOp: Op<[logits: Tensor, target: Tensor], LossAttributes, [Tensor, Tensor, Tensor]> = {
  name: 'segmentationLoss',
  forward: (gpu, [logits, target], { bceWeight, diceReduction }) => {
    const { loss, sums } = lossKernel(gpu, logits.data, target.data, { bceWeight, diceReduction });
    // The scalar is element 0 of loss = (total, dice, bce).
    return { output: { buffer: loss.buffer, shape: [] }, saved: [logits.detach(), target.detach(), Tensor.adopt(gpu, sums)] };
  },
  // d/dl_i = dy·[w·(σ_i − t_i)/n + (1 − w)·σ_i(1 − σ_i)·(A_g − 2t_i·B_g)/(G·B_g²)], A_g = 2Σpt + 1, B_g = Σp + Σt + 1
  // over the Dice group g of i (G groups: 1 for 'batch', N for 'image')
  backward: ({ gpu, saved: [logits, target, sums], attributes: { bceWeight, diceReduction } }, dy) => [
    Tensor.adopt(gpu, segmentationLossBackward(gpu, logits.data, target.data, sums.data, { bceWeight, diceReduction, dy: dy.data })),
    undefined,
  ],
};

function check(name: string, logits: Tensor, target: Tensor): void {
  if (!sameShape(logits.shape, target.shape)) {
    throw new Error(`${name}: logits ${formatShape(logits.shape)} and target ${formatShape(target.shape)} differ in shape`);
  }
}

/** w·BCE + (1 − w)·Dice as a scalar; gradients flow to the logits (the target gets none). */
export function segmentationLoss(logits: Tensor, target: Tensor, options: { bceWeight?: number; diceReduction?: DiceReduction } = {}): Tensor {
  check('segmentationLoss', logits, target);
  return apply(lossOp, [logits, target], { bceWeight: options.bceWeight ?? 0, diceReduction: options.diceReduction ?? 'batch' });
}

/** Soft Dice loss over the whole batch: 1 − (2Σ(σ(l)·t) + 1)/(Σσ(l) + Σt + 1). */
export function diceLoss(logits: Tensor, target: Tensor): Tensor {
  check('diceLoss', logits, target);
  return apply(lossOp, [logits, target], { bceWeight: 0, diceReduction: 'batch' });
}

/** Mean binary cross-entropy on logits, log-sum-exp stable. */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor): Tensor {
  check('binaryCrossEntropyWithLogits', logits, target);
  return apply(lossOp, [logits, target], { bceWeight: 1, diceReduction: 'batch' });
}
