/** Float64 references of the segmentation loss, its gradient to the logits, and the per-image metrics. */
import { sigmoidReference as sigmoid } from '../../wgsl/sigmoid.reference.js';
import type { SegmentationLossOptions } from './loss.js';

export interface LossReference {
  loss: number;
  /** The Dice loss: of the pooled batch, or the mean of the images' ('image'). */
  dice: number;
  bce: number;
  /** (Σp, Σt, Σp·t, Σbce) per Dice group: 4 values ('batch'), or 4 per image ('image'). */
  sums: number[];
}

/**
 * `images`: how many images the flat arrays hold (the first axis of [N, ...]); needed for diceReduction 'image',
 * where group g is elements [g·n/N, (g + 1)·n/N).
 */
export function segmentationLossReference(
  logits: ArrayLike<number>,
  target: ArrayLike<number>,
  options: SegmentationLossOptions = {},
  images = 1,
): LossReference {
  const { bceWeight = 0, smoothing = 1, diceReduction = 'batch' } = options;
  const groups = diceReduction === 'image' ? images : 1;
  const size = logits.length / groups;
  const sums: number[] = [];
  let diceSum = 0;
  let bceSum = 0;
  for (let g = 0; g < groups; g++) {
    let sumP = 0;
    let sumT = 0;
    let sumPT = 0;
    let sumBce = 0;
    for (let i = g * size; i < (g + 1) * size; i++) {
      const l = logits[i]!;
      const t = target[i]!;
      const p = sigmoid(l);
      sumP += p;
      sumT += t;
      sumPT += p * t;
      sumBce += Math.max(l, 0) - l * t + Math.log1p(Math.exp(-Math.abs(l)));
    }
    sums.push(sumP, sumT, sumPT, sumBce);
    diceSum += 1 - (2 * sumPT + smoothing) / (sumP + sumT + smoothing);
    bceSum += sumBce;
  }
  const dice = diceSum / groups;
  const bce = bceSum / logits.length;
  return { loss: bceWeight * bce + (1 - bceWeight) * dice, dice, bce, sums };
}

/** d loss / d logits, times the upstream scalar dy (`images` as in segmentationLossReference). */
export function segmentationLossBackwardReference(
  logits: ArrayLike<number>,
  target: ArrayLike<number>,
  options: SegmentationLossOptions = {},
  dy = 1,
  images = 1,
): Float64Array {
  const { bceWeight = 0, smoothing = 1 } = options;
  const { sums } = segmentationLossReference(logits, target, options, images);
  const groups = sums.length / 4;
  const size = logits.length / groups;
  return Float64Array.from({ length: logits.length }, (_, i) => {
    const g = Math.floor(i / size);
    const a = 2 * sums[4 * g + 2]! + smoothing;
    const b = sums[4 * g]! + sums[4 * g + 1]! + smoothing;
    const p = sigmoid(logits[i]!);
    const t = target[i]!;
    const bceGrad = (p - t) / logits.length;
    const diceGrad = (p * sigmoid(-logits[i]!) * ((a - 2 * t * b) / (b * b))) / groups;
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
