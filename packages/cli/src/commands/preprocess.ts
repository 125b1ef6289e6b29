import { Command, InvalidArgumentError } from 'commander';
import { buildTrainTable, formatTrainCsv, maskArea, MaskTally, parseTrainCsv, type GradeThresholds, type TrainTable } from '@ulseg/data';
import { checkWritableFile, readInput, refuseOutputOverInput, writeAtomic } from '../files.js';
import { progressBar } from '../progress.js';
import { checkPngHeaders, plainErrors, pngFolder, readMask, warn } from './mask-folders.js';
import { integerArgument } from './train.js';

export interface PreprocessOptions {
  imagePath: string;
  out: string;
  folds: number;
  seed: number;
  sizeThresholds?: GradeThresholds;
  /** Take IDs and sizes from this CSV (e.g. the original's ID,CATE,size) instead of measuring masks. */
  sizesFrom?: string;
}

/** "3200,7200" → [3200, 7200]. */
export function parseThresholds(value: string): GradeThresholds {
  const parts = value.split(',').map((part) => part.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 2 || numbers.some((number) => !Number.isFinite(number) || number < 0) || numbers[0]! > numbers[1]!) {
    throw new InvalidArgumentError(`--size-thresholds wants two areas in pixels, small then large, e.g. 3200,7200; got '${value}'`);
  }
  return [numbers[0]!, numbers[1]!];
}

/** The tumour area of every mask in `dir`, each read by the one mask rule (warnings name the 0/1 and binarised masks). */
async function measureMasks(dir: string): Promise<{ id: string; size: number }[]> {
  const names = await pngFolder(dir, 'masks to measure', warn);
  await checkPngHeaders(dir, names, 'mask');
  const tally = new MaskTally(dir);
  const bar = progressBar('measuring masks', names.length);
  const entries: { id: string; size: number }[] = [];
  try {
    for (const id of names) {
      entries.push({ id, size: maskArea(await readMask(dir, id, 'mask', tally)) });
      bar.increment();
    }
  } finally {
    bar.stop();
  }
  for (const message of tally.warnings()) warn(message);
  return entries;
}

const GRADE_NAMES = ['small', 'medium', 'large'];

/** Grade counts per fold, as an aligned table. */
export function describeTable(table: TrainTable): string {
  const counts = Array.from({ length: table.folds }, () => [0, 0, 0]);
  for (const row of table.rows) counts[row.fold - 1]![row.grade]!++;
  const lines = [['fold', ...GRADE_NAMES, 'total'].map((cell) => cell.padStart(7)).join('')];
  counts.forEach((grades, index) => lines.push([index + 1, ...grades, grades[0]! + grades[1]! + grades[2]!].map((cell) => String(cell).padStart(7)).join('')));
  return lines.join('\n');
}

/**
 * ulseg preprocess: tumour areas (foreground pixels of each mask at its own resolution), size grades by tertiles or
 * fixed thresholds, and a seeded split into K folds with the same grade mix (ORIGINAL.md §2), written as train.csv
 * (ID,CATE,size,grade,fold).
 */
export async function runPreprocess(options: PreprocessOptions): Promise<void> {
  return plainErrors(() => preprocess(options));
}

async function preprocess(options: PreprocessOptions): Promise<void> {
  refuseOutputOverInput({ flag: '--out', path: options.out }, [{ flag: '--sizes-from', path: options.sizesFrom }], options.sizesFrom ? [] : [{ flag: '--image-path', path: options.imagePath }]);
  await checkWritableFile(options.out, '--out');
  let entries: { id: string; size: number }[];
  let source: string;
  if (options.sizesFrom) {
    const text = new TextDecoder().decode(await readInput(options.sizesFrom, 'sizes CSV'));
    entries = parseTrainCsv(text, options.sizesFrom, { folds: options.folds, seed: options.seed }).rows.map(({ id, size }) => ({ id, size }));
    source = `${entries.length} sizes from ${options.sizesFrom}`;
  } else {
    entries = await measureMasks(options.imagePath);
    source = `${entries.length} masks in ${options.imagePath}`;
  }
  if (entries.length < options.folds) {
    throw new Error(`${entries.length} image(s) cannot fill ${options.folds} folds (each fold validates on at least one): use --folds ${Math.max(entries.length, 2)} or fewer${entries.length < 2 ? ', and at least 2 masks' : ''}`);
  }
  const table = buildTrainTable(entries, { folds: options.folds, seed: options.seed, ...(options.sizeThresholds ? { thresholds: options.sizeThresholds } : {}) });
  const [small, large] = table.thresholds!;
  const grades = [0, 1, 2].map((grade) => table.rows.filter((row) => row.grade === grade).length);
  await writeAtomic(options.out, formatTrainCsv(table.rows));
  process.stdout.write(
    `${source}: grades by ${options.sizeThresholds ? 'fixed thresholds' : 'tertiles'} ${small} and ${large} px ` +
      `(small < ${small} <= medium < ${large} <= large): ${GRADE_NAMES.map((name, grade) => `${grades[grade]} ${name}`).join(', ')}\n` +
      `${describeTable(table)}\n` +
      `wrote ${options.out} (${table.folds} folds, seed ${options.seed})\n`,
  );
}

export function preprocessCommand(): Command {
  return new Command('preprocess')
    .description(
      "measure each mask's tumour area (foreground pixels at the mask's resolution), grade the sizes small/medium/large " +
        'by tertiles (the original code) or --size-thresholds (its README: 3200,7200), and deal each grade into K folds ' +
        'after a seeded shuffle, so every fold has the same grade mix; writes train.csv (ID,CATE,size,grade,fold). ' +
        "The original's snake_case spellings (--image_path, --csv_path) are accepted.",
    )
    .option('--image-path <dir>', 'the folder of masks (PNG: 0/255, or 0/1; other values are binarised at 128, a folder of scans is refused)', './train_data/label')
    .option('--out <csv>', 'the train.csv to write (atomically; not inside the mask folder)', './train_data/train.csv')
    .option('--csv-path <csv>', "the original's name for --out")
    .option('--folds <k>', 'K', integerArgument(2), 5)
    .option('--seed <n>', 'seed of the fold shuffle (the original used 2020)', integerArgument(0), 2020)
    .option('--size-thresholds <t1,t2>', 'fixed grade thresholds in pixels instead of the tertiles, e.g. 3200,7200', parseThresholds)
    .option('--sizes-from <csv>', 'take IDs and sizes from a CSV (e.g. the original ID,CATE,size) instead of measuring masks')
    .action(async (options: PreprocessOptions & { csvPath?: string }) => runPreprocess({ ...options, out: options.csvPath ?? options.out }));
}
