import { DataError } from './errors.js';
import type { DataFiles } from './files.js';
import {
  assignFolds,
  checkFoldCount,
  checkThresholds,
  DEFAULT_FOLD_SEED,
  DEFAULT_FOLDS,
  type GradeThresholds,
  sizeGrade,
  type SizeGrade,
  tertileThresholds,
} from './grades.js';
import { compareNatural } from './natural-sort.js';

/** One row of `train.csv`: `ID,CATE,size,grade,fold` (CATE is written as the grade, for compatibility). */
export interface TrainRow {
  /** The mask's file name, e.g. `12.png`. */
  readonly id: string;
  /** Tumour area in pixels at mask resolution. */
  readonly size: number;
  readonly grade: SizeGrade;
  /** 1..K. */
  readonly fold: number;
}

export interface SplitOptions {
  /** Default: the data's tertiles. */
  thresholds?: GradeThresholds;
  /** K, default 5. */
  folds?: number;
  /** Default 2020. */
  seed?: number;
}

export interface TrainTable {
  /** Sorted naturally by ID. */
  readonly rows: TrainRow[];
  readonly folds: number;
  /** The thresholds used to grade, or null when the grades were read from the CSV. */
  readonly thresholds: GradeThresholds | null;
  /** `ulseg`: grades and folds read from the file; `original`: `ID,CATE,size`, split at load time. */
  readonly format: 'ulseg' | 'original';
}

/** Grades sizes and splits them into folds (ORIGINAL.md §2). Same entries and options → same table. */
export function buildTrainTable(entries: readonly { id: string; size: number }[], options: SplitOptions = {}): TrainTable {
  const folds = options.folds ?? DEFAULT_FOLDS;
  checkFoldCount(folds);
  const thresholds = options.thresholds ?? tertileThresholds(entries.map((entry) => entry.size));
  checkThresholds(thresholds);
  const graded = entries.map((entry) => ({ id: entry.id, size: entry.size, grade: sizeGrade(entry.size, thresholds) }));
  const assignment = assignFolds(graded, folds, options.seed ?? DEFAULT_FOLD_SEED);
  const rows = graded.map((entry) => ({ ...entry, fold: assignment.get(entry.id) as number })).sort((a, b) => compareNatural(a.id, b.id));
  return { rows, folds, thresholds, format: 'ulseg' };
}

export function formatTrainCsv(rows: readonly TrainRow[]): string {
  const sorted = [...rows].sort((a, b) => compareNatural(a.id, b.id));
  return ['ID,CATE,size,grade,fold', ...sorted.map((row) => `${row.id},${row.grade},${row.size},${row.grade},${row.fold}`)].join('\n') + '\n';
}

/**
 * Reads `ID,CATE,size,grade,fold` or the original's `ID,CATE,size` (then graded and split with `options`). Columns
 * may come in any order. With `options.folds` set, folds outside 1..K are refused; otherwise K is the largest fold.
 */
export function parseTrainCsv(text: string, file: string, options: SplitOptions = {}): TrainTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const fail = (line: number, message: string): never => {
    throw new DataError(`${file}:${line}: ${message}`, { file, line });
  };
  const header = splitFields(lines[0] ?? '');
  const column = (name: string): number => header.indexOf(name);
  for (const name of ['ID', 'size']) if (column(name) < 0) fail(1, `missing column '${name}' (header: ${lines[0] ?? ''})`);
  const hasFold = column('fold') >= 0;
  if (hasFold && column('grade') < 0) fail(1, `missing column 'grade' (a CSV with a fold column needs ID,CATE,size,grade,fold)`);
  if (options.folds !== undefined) checkFoldCount(options.folds);

  const parsed: { id: string; size: number; grade: number; fold: number; line: number }[] = [];
  const seen = new Map<string, number>();
  for (let index = 1; index < lines.length; index++) {
    const lineText = lines[index] as string;
    if (lineText.trim() === '') continue;
    const line = index + 1;
    const fields = splitFields(lineText);
    if (fields.length !== header.length) fail(line, `expected ${header.length} fields, found ${fields.length}`);
    const id = fields[column('ID')] as string;
    if (id === '') fail(line, 'empty ID');
    const earlier = seen.get(id);
    if (earlier !== undefined) fail(line, `duplicate ID '${id}' (first on line ${earlier})`);
    seen.set(id, line);
    const size = integerField(fields[column('size')] as string, 'size', line, fail);
    const grade = hasFold ? integerField(fields[column('grade')] as string, 'grade', line, fail) : -1;
    if (hasFold && grade > 2) fail(line, `grade must be 0, 1 or 2, found ${grade}`);
    const fold = hasFold ? integerField(fields[column('fold')] as string, 'fold', line, fail) : 0;
    if (hasFold && (fold < 1 || (options.folds !== undefined && fold > options.folds))) {
      fail(line, `fold ${fold} is outside 1..${options.folds ?? 'K'}`);
    }
    parsed.push({ id, size, grade, fold, line });
  }
  if (parsed.length === 0) throw new DataError(`${file}: no rows`, { file });

  if (!hasFold) return { ...buildTrainTable(parsed, options), format: 'original' };
  const rows = parsed
    .map(({ id, size, grade, fold }) => ({ id, size, grade: grade as SizeGrade, fold }))
    .sort((a, b) => compareNatural(a.id, b.id));
  return { rows, folds: options.folds ?? Math.max(...rows.map((row) => row.fold)), thresholds: null, format: 'ulseg' };
}

export async function readTrainCsv(files: DataFiles, path: string, options: SplitOptions = {}): Promise<TrainTable> {
  const bytes = await files.read(path);
  return parseTrainCsv(new TextDecoder().decode(bytes), path, options);
}

export async function writeTrainCsv(files: DataFiles, path: string, rows: readonly TrainRow[]): Promise<void> {
  await files.write(path, new TextEncoder().encode(formatTrainCsv(rows)));
}

function splitFields(line: string): string[] {
  return line.split(',').map((field) => field.trim().replace(/^"(.*)"$/, '$1'));
}

function integerField(value: string, name: string, line: number, fail: (line: number, message: string) => never): number {
  if (!/^\d+$/.test(value)) fail(line, `${name} must be a non-negative integer, found '${value}'`);
  const number = Number(value);
  if (!Number.isSafeInteger(number)) fail(line, `${name} is too large: ${value}`);
  return number;
}
