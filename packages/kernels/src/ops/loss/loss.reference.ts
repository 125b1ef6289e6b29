/** Float64 references of the segmentation loss, its gradient to the logits, and the per-image metrics. */
import { sigmoidReference as sigmoid } from '../../wgsl/sigmoid.reference.js';
import type { SegmentationLossOptions } from './loss.js';

export interface LossReference {
  loss: number;
  dice: number;
  bce: number;
  /** (Σp, Σt, Σp·t, Σbce) */
  sums: [number, number, number, number];
}

export function segmentationLossReference(logits: ArrayLike<number>, target: ArrayLike<number>, options: SegmentationLossOptions = {}): LossReference {
  const { bceWeight = 0, smoothing = 1 } = options;
  let sumP = 0;
  let sumT = 0;
  let sumPT = 0;
  let sumBce = 0;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i]!;
    const t = target[i]!;
    const p = sigmoid(l);
    sumP += p;
    sumT += t;
    sumPT += p * t;
    sumBce += Math.max(l, 0) - l * t + Math.log1p(Math.exp(-Math.abs(l)));
  }
  const dice = 1 - (2 * sumPT + smoothing) / (sumP + sumT + smoothing);
  const bce = sumBce / logits.length;
  return { loss: bceWeight * bce + (1 - bceWeight) * dice, dice, bce, sums: [sumP, sumT, sumPT, sumBce] };
}

/** d loss / d logits, times the upstream scalar dy. */
export function segmentationLossBackwardReference(
  logits: ArrayLike<number>,
  target: ArrayLike<number>,
  options: SegmentationLossOptions = {},
  dy = 1,
): Float64Array {
  const { bceWeight = 0, smoothing = 1 } = options;
  const [sumP, sumT, sumPT] = segmentationLossReference(logits, target, options).sums;
  const a = 2 * sumPT + smoothing;
  const b = sumP + sumT + smoothing;
  return Float64Array.from({ length: logits.length }, (_, i) => {
    const p = sigmoid(logits[i]!);
    const t = target[i]!;
    const bceGrad = (p - t) / logits.length;
    const diceGrad = p * sigmoid(-logits[i]!) * ((a - 2 * t * b) / (b * b));
    return dy * (bceWeight * bceGrad + (1 - bceWeight) * diceGrad);
  });
}

/** [N, 2] = (Dice, IoU) per image of {logits ≥ 0} vs {target ≥ 0.5}; 1 for both when both masks are empty. */
export function segmentationMetricsReference(logits: ArrayLike<number>, target: ArrayLike<number>, images: number): Float64Array {
  const hw = logits.length / images;
  const out = new Float64Array(images * 2);
  for (let n = 0; n < images; n++) {
    let predicted = 0;
    let truth = 0;
    let both = 0;
    for (let s = n * hw; s < (n + 1) * hw; s++) {
      const a = logits[s]! >= 0;
      const b = target[s]! >= 0.5;
      predicted += Number(a);
      truth += Number(b);
      both += Number(a && b);
    }
    const empty = predicted + truth === 0;
    out[2 * n] = empty ? 1 : (2 * both) / (predicted + truth);
    out[2 * n + 1] = empty ? 1 : both / (predicted + truth - both);
  }
  return out;
}
