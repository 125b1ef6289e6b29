import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assignFolds, maskArea, README_THRESHOLDS, sizeGrade, type SizeGrade, tertileThresholds } from './grades.js';
import { NodeFiles } from './node-files.js';
import { Random } from '@ulseg/base';
import { REAL_TUMOUR_AREAS } from './real-areas.js';
import { buildTrainTable, readTrainCsv } from './train-csv.js';

const SAMPLES = fileURLToPath(new URL('../../../test/fixtures/bdci-samples/', import.meta.url));

/** Counts per fold (index 0 = fold 1), overall and per grade. */
function foldCounts(rows: readonly { grade: SizeGrade; fold: number }[], folds: number): { total: number[]; byGrade: number[][] } {
  const total = new Array<number>(folds).fill(0);
  const byGrade = [0, 1, 2].map(() => new Array<number>(folds).fill(0));
  for (const row of rows) {
    total[row.fold - 1]!++;
    byGrade[row.grade]![row.fold - 1]!++;
  }
  return { total, byGrade };
}

const spread = (counts: number[]): number => Math.max(...counts) - Math.min(...counts);

describe('size grades', () => {
  it('tertiles of the committed train.csv are 12097 and 23493', async () => {
    const table = await readTrainCsv(new NodeFiles(SAMPLES), 'train_data/train.csv');
    expect(table.rows).toHaveLength(215);
    expect(tertileThresholds(table.rows.map((row) => row.size))).toEqual([12097, 23493]);
    expect(table.thresholds).toEqual([12097, 23493]);
    // ORIGINAL.md §2: only 1 image is under 3200 and 22 under 7200.
    const readme = table.rows.map((row) => sizeGrade(row.size, README_THRESHOLDS));
    expect(readme.filter((grade) => grade === 0)).toHaveLength(1);
    expect(readme.filter((grade) => grade <= 1)).toHaveLength(22);
  });

  it('the embedded real areas are the committed CSV in ID order', async () => {
    const table = await readTrainCsv(new NodeFiles(SAMPLES), 'train_data/train.csv');
    expect(table.rows.map((row) => row.size)).toEqual(REAL_TUMOUR_AREAS);
  });

  it('grades by strict lower bounds', () => {
    expect([0, 9, 10, 19, 20, 99].map((size) => sizeGrade(size, [10, 20]))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(tertileThresholds([5, 1, 4, 2, 3, 6])).toEqual([3, 5]);
    expect(() => tertileThresholds([])).toThrow(/no sizes/);
  });

  it('counts mask foreground at 128 and above', () => {
    expect(maskArea({ width: 4, height: 1, data: Uint8Array.from([0, 127, 128, 255]) })).toBe(2);
  });
});

describe('seeded stratified folds', () => {
  it('balances every grade and the totals to within 1, for many sizes and K', () => {
    const random = new Random(99);
    for (const count of [1, 2, 7, 14, 40, 215, 333]) {
      for (const folds of [2, 3, 5, 10]) {
        const entries = Array.from({ length: count }, (_, index) => ({ id: `${index + 1}.png`, size: random.integer(100, 60000) }));
        const { rows } = buildTrainTable(entries, { folds, seed: count * 31 + folds });
        const { total, byGrade } = foldCounts(rows, folds);
        expect(spread(total), `n=${count} K=${folds}`).toBeLessThanOrEqual(1);
        for (const counts of byGrade) expect(spread(counts)).toBeLessThanOrEqual(1);
        expect(rows.every((row) => row.fold >= 1 && row.fold <= folds)).toBe(true);
      }
    }
  });

  it('is deterministic by seed, independent of input order, and changes with the seed', () => {
    const entries = REAL_TUMOUR_AREAS.map((size, index) => ({ id: `${index + 1}.png`, size }));
    const first = buildTrainTable(entries, { seed: 7 }).rows;
    const again = buildTrainTable([...entries].reverse(), { seed: 7 }).rows;
    const other = buildTrainTable(entries, { seed: 8 }).rows;
    expect(again).toEqual(first);
    expect(other.map((row) => row.fold)).not.toEqual(first.map((row) => row.fold));
    expect(other.map((row) => row.grade)).toEqual(first.map((row) => row.grade));
  });

  it('uses fixed thresholds when given (the README option)', () => {
    const entries = REAL_TUMOUR_AREAS.map((size, index) => ({ id: `${index + 1}.png`, size }));
    const table = buildTrainTable(entries, { thresholds: README_THRESHOLDS, folds: 5 });
    expect(table.thresholds).toEqual([3200, 7200]);
    expect(table.rows.filter((row) => row.grade === 2)).toHaveLength(215 - 22);
    const { byGrade } = foldCounts(table.rows, 5);
    expect(byGrade[0]!.reduce((a, b) => a + b)).toBe(1);
  });

  it('refuses bad K and thresholds', () => {
    expect(() => assignFolds([], 1, 0)).toThrow(/integer >= 2/);
    expect(() => buildTrainTable([{ id: 'a', size: 1 }], { thresholds: [10, 5] })).toThrow(/0 <= t1 <= t2/);
  });
});
