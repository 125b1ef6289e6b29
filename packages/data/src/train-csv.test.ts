import { describe, expect, it } from 'vitest';
import { DataError } from './errors.js';
import { MemoryFiles } from './files.js';
import { compareNatural, sortNatural } from './natural-sort.js';
import { buildTrainTable, formatTrainCsv, parseTrainCsv, readTrainCsv, writeTrainCsv } from './train-csv.js';

describe('natural sort', () => {
  it('orders numeric runs numerically', () => {
    expect(sortNatural(['10.png', '2.png', '1.png', '100.png', 'b.png', 'a10.png', 'a9.png', '02.png'])).toEqual([
      '1.png',
      '02.png',
      '2.png',
      '10.png',
      '100.png',
      'a9.png',
      'a10.png',
      'b.png',
    ]);
    expect(compareNatural('7.png', '007.png')).not.toBe(0);
    expect(compareNatural('x', 'x')).toBe(0);
  });
});

describe('train.csv', () => {
  const entries = [
    { id: '10.png', size: 500 },
    { id: '2.png', size: 40 },
    { id: '1.png', size: 9000 },
    { id: '3.png', size: 1200 },
    { id: '11.png', size: 70 },
    { id: '4.png', size: 3000 },
  ];

  it('writes ID,CATE,size,grade,fold sorted naturally, CATE = grade, and reads it back', async () => {
    const table = buildTrainTable(entries, { folds: 3, seed: 5 });
    const text = formatTrainCsv(table.rows);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('ID,CATE,size,grade,fold');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['1.png', '2.png', '3.png', '4.png', '10.png', '11.png']);
    for (const line of lines.slice(1)) {
      const [, cate, , grade] = line.split(',');
      expect(cate).toBe(grade);
    }
    const files = new MemoryFiles();
    await writeTrainCsv(files, 'train_data/train.csv', table.rows);
    const read = await readTrainCsv(files, 'train_data/train.csv', { folds: 3 });
    expect(read).toMatchObject({ rows: table.rows, folds: 3, format: 'ulseg', thresholds: null });
    expect(formatTrainCsv(read.rows)).toBe(text);
    expect(formatTrainCsv(buildTrainTable(entries, { folds: 3, seed: 5 }).rows)).toBe(text);
  });

  it("reads the original's ID,CATE,size (CRLF) and splits it at load time with the same rule", () => {
    const original = 'ID,CATE,size\r\n' + entries.map((entry, index) => `${entry.id},${index % 2},${entry.size}`).join('\r\n') + '\r\n';
    const table = parseTrainCsv(original, 'train.csv', { folds: 3, seed: 5 });
    expect(table.format).toBe('original');
    expect(table.rows).toEqual(buildTrainTable(entries, { folds: 3, seed: 5 }).rows);
    expect(table.thresholds).toEqual([500, 3000]);
  });

  it('accepts columns in any order, a BOM and blank lines; K defaults to the largest fold', () => {
    const text = '\uFEFFfold,grade,size,CATE,ID\n2,0,5,0,a.png\n\n1,2,9,2,b.png\n';
    const table = parseTrainCsv(text, 't.csv');
    expect(table.rows).toEqual([
      { id: 'a.png', size: 5, grade: 0, fold: 2 },
      { id: 'b.png', size: 9, grade: 2, fold: 1 },
    ]);
    expect(table.folds).toBe(2);
  });

  it.each([
    ['ID,CATE\n1.png,0\n', "t.csv:1: missing column 'size'"],
    ['ID,CATE,size,fold\n1.png,0,5,1\n', "t.csv:1: missing column 'grade'"],
    ['ID,CATE,size\n1.png,0,5\n2.png,0,12.5\n', "t.csv:3: size must be a non-negative integer, found '12.5'"],
    ['ID,CATE,size\n1.png,0,5\n1.png,1,7\n', "t.csv:3: duplicate ID '1.png' (first on line 2)"],
    ['ID,CATE,size,grade,fold\n1.png,0,5,0,6\n', 't.csv:2: fold 6 is outside 1..5'],
    ['ID,CATE,size,grade,fold\n1.png,0,5,0,0\n', 't.csv:2: fold 0 is outside 1..5'],
    ['ID,CATE,size,grade,fold\n1.png,0,5,3,1\n', 't.csv:2: grade must be 0, 1 or 2'],
    ['ID,CATE,size\n1.png,0\n', 't.csv:2: expected 3 fields, found 2'],
    ['ID,CATE,size\n,0,4\n', 't.csv:2: empty ID'],
    ['ID,CATE,size\n', 't.csv: no rows'],
  ])('refuses %j naming file and line', (text, message) => {
    let error: unknown;
    try {
      parseTrainCsv(text, 't.csv', { folds: 5 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain(message);
    expect((error as DataError).file).toBe('t.csv');
  });
});
