/** Per-image overlap scores of two masks, shared by evaluate and the ablation table. */
import type { GrayImage } from '@ulseg/data';

export interface MaskScores {
  /** 2|A∩B| / (|A| + |B|), 1 when both are empty. */
  readonly dice: number;
  /** |A∩B| / |A∪B|, 1 when both are empty. */
  readonly iou: number;
  readonly predicted: number;
  readonly truth: number;
  readonly intersection: number;
}

/** Dice and IoU of two {0, 255} masks of one size (ORIGINAL.md §4: per image, on binarised masks). */
export function scoreMasks(prediction: GrayImage, truth: GrayImage): MaskScores {
  let predicted = 0;
  let inTruth = 0;
  let intersection = 0;
  for (let pixel = 0; pixel < prediction.data.length; pixel++) {
    const a = prediction.data[pixel] !== 0;
    const b = truth.data[pixel] !== 0;
    if (a) predicted++;
    if (b) inTruth++;
    if (a && b) intersection++;
  }
  const union = predicted + inTruth - intersection;
  return {
    dice: predicted + inTruth === 0 ? 1 : (2 * intersection) / (predicted + inTruth),
    iou: union === 0 ? 1 : intersection / union,
    predicted,
    truth: inTruth,
    intersection,
  };
}
