import { compareNatural } from './natural-sort.js';
import type { GrayImage } from './png.js';
import { Random } from '@ulseg/base';

/** 0 = small, 1 = medium, 2 = large tumour (ORIGINAL.md §2). */
export type SizeGrade = 0 | 1 | 2;

/** [t1, t2]: grade 0 below t1, grade 1 below t2, else grade 2. */
export type GradeThresholds = readonly [number, number];

/** The thresholds the original README states (`--size-thresholds 3200,7200`); the code used tertiles. */
export const README_THRESHOLDS: GradeThresholds = [3200, 7200];
export const DEFAULT_FOLDS = 5;
/** The original's StratifiedKFold seed. */
export const DEFAULT_FOLD_SEED = 2020;

/** A mask value counts as foreground from this value on (masks are {0, 255}; others are binarised here). */
export const MASK_THRESHOLD = 128;

/** Tumour area: foreground pixels at the mask's own resolution (the original's `size` column). */
export function maskArea(mask: GrayImage): number {
  let area = 0;
  for (let index = 0; index < mask.data.length; index++) if ((mask.data[index] as number) >= MASK_THRESHOLD) area++;
  return area;
}

/** The original code's tertiles: `sorted(sizes)[int(n/3)]`, `sorted(sizes)[int(2n/3)]`. */
export function tertileThresholds(sizes: readonly number[]): GradeThresholds {
  if (sizes.length === 0) throw new RangeError('tertileThresholds: no sizes');
  const sorted = [...sizes].sort((a, b) => a - b);
  return [sorted[Math.floor(sizes.length / 3)] as number, sorted[Math.floor((2 * sizes.length) / 3)] as number];
}

export function sizeGrade(size: number, thresholds: GradeThresholds): SizeGrade {
  return size < thresholds[0] ? 0 : size < thresholds[1] ? 1 : 2;
}

export function checkThresholds(thresholds: GradeThresholds): void {
  const [small, large] = thresholds;
  if (!Number.isFinite(small) || !Number.isFinite(large) || small < 0 || small > large) {
    throw new RangeError(`size thresholds must be two numbers 0 <= t1 <= t2, got ${small},${large}`);
  }
}

export function checkFoldCount(folds: number): void {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`the number of folds must be an integer >= 2, got ${folds}`);
}

/**
 * Seeded stratified K-fold: each grade (0, 1, 2 in turn) is sorted naturally by ID, shuffled with one generator
 * seeded by `seed`, and dealt round-robin into folds 1..K, the dealing position carrying over from grade to grade.
 * So every grade's folds differ in size by at most 1, and so do the folds' totals; the input order does not matter.
 */
export function assignFolds(entries: readonly { id: string; grade: SizeGrade }[], folds: number, seed: number): Map<string, number> {
  checkFoldCount(folds);
  const random = new Random(seed);
  const assignment = new Map<string, number>();
  let position = 0;
  for (const grade of [0, 1, 2] as const) {
    const ids = entries.filter((entry) => entry.grade === grade).map((entry) => entry.id).sort(compareNatural);
    for (const id of random.shuffle(ids)) assignment.set(id, (position++ % folds) + 1);
  }
  return assignment;
}
