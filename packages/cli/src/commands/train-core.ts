/**
 * The parts of `ulseg train` that run wherever the training runs (Node, or the page of `--runtime chromium`):
 * reading train.csv and the labelled images through DataFiles. Browser-safe.
 */
import { DEFAULT_FOLD_SEED, loadLabelledSet, readTrainCsv, type DataFiles } from '@ulseg/data';
import { matchTrainTable } from '@ulseg/train';

export interface SampleSources {
  readonly foldFileList: string;
  readonly trainDatasetPath: string;
  readonly trainGtDatasetPath: string;
  readonly folds: number;
}

/** Where a line goes: stdout for results, stderr for warnings. */
export type Print = (stream: 'stdout' | 'stderr', text: string) => void;

export async function loadSamples(options: SampleSources, files: DataFiles, print: Print): Promise<ReturnType<typeof matchTrainTable>> {
  if (!(await files.exists(options.foldFileList))) {
    throw new Error(`--fold-file-list '${options.foldFileList}': no such file (ulseg preprocess writes one)`);
  }
  const table = await readTrainCsv(files, options.foldFileList, { folds: options.folds, seed: DEFAULT_FOLD_SEED });
  const split = Math.max(...table.rows.map((row) => row.fold));
  if (table.format === 'ulseg' && split !== options.folds) {
    throw new Error(`${options.foldFileList} is split into ${split} folds but --folds is ${options.folds}: pass --folds ${split}, or re-split it with ulseg preprocess --folds ${options.folds}`);
  }
  if (table.format === 'original') {
    print('stdout', `${options.foldFileList}: the original's ID,CATE,size; graded by tertiles and split into ${options.folds} folds now (seed ${DEFAULT_FOLD_SEED})\n`);
  }
  const loaded = await loadLabelledSet(files, options.trainDatasetPath, options.trainGtDatasetPath);
  for (const warning of loaded.warnings) print('stderr', `warning: ${warning}\n`);
  const matched = matchTrainTable(loaded.samples, table.rows, { csv: options.foldFileList, images: options.trainDatasetPath });
  for (const warning of matched.warnings) print('stderr', `warning: ${warning}\n`);
  return matched;
}
