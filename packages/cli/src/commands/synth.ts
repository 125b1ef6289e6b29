import { Command } from 'commander';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { BDCI_LAYOUT, generatePhantomSet, type DataFiles, type PhantomSetSummary } from '@ulseg/data';
import { withStagedFolders } from '../files.js';
import { NodeFiles } from '@ulseg/data/node';
import { progressBar } from '../progress.js';
import { integerArgument } from './train.js';

export interface SynthOptions {
  out: string;
  count: number;
  testCount: number;
  seed: number;
  folds: number;
}

/**
 * ulseg synth: a seeded phantom data set in the BDCI layout (train_data/img, train_data/label, train_data/train.csv,
 * test_data/img, test_data/label). Refuses a folder that already holds a data set, so nothing of the user's is
 * overwritten. Returns what was drawn for each scan (lesion area, echogenicity, posterior effect): the demo oversamples
 * the hyperechoic ones in training.
 */
export async function runSynth(options: SynthOptions): Promise<PhantomSetSummary> {
  if (options.count < options.folds) throw new Error(`--count ${options.count} cannot fill --folds ${options.folds} (each fold validates on at least one scan): use --folds ${Math.max(2, options.count)} or more scans`);
  if (existsSync(options.out)) {
    if (!statSync(options.out).isDirectory()) throw new Error(`--out '${options.out}' is a file: name a new or empty folder`);
    const entries = readdirSync(options.out);
    if (entries.length > 0) {
      throw new Error(`--out '${options.out}' is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): name a new or empty folder (ulseg does not write into other files)`);
    }
  }
  return withStagedFolders([{ path: options.out, flag: '--out' }], async ([staged]) => generate(options, new NodeFiles(staged)));
}

/** Writes the set through `files`, with progress. */
async function generate(options: SynthOptions, files: NodeFiles): Promise<PhantomSetSummary> {
  const total = options.count + options.testCount;
  const bar = progressBar('synth', total);
  // Each scan is two PNG writes (image, then mask): the mask's write completes a scan.
  const counting: DataFiles = {
    read: (path) => files.read(path),
    list: (dir) => files.list(dir),
    exists: (path) => files.exists(path),
    write: async (path, bytes) => {
      await files.write(path, bytes);
      if (path.startsWith(BDCI_LAYOUT.trainLabels) || path.startsWith(BDCI_LAYOUT.testLabels)) bar.increment();
    },
  };
  try {
    const summary = await generatePhantomSet(counting, { seed: options.seed, trainCount: options.count, testCount: options.testCount, split: { folds: options.folds } });
    bar.stop();
    process.stdout.write(
      `wrote ${summary.train.length} training and ${summary.test.length} test scans (seed ${options.seed}) to ${options.out}: ` +
        `${BDCI_LAYOUT.trainImages}, ${BDCI_LAYOUT.trainLabels}, ${BDCI_LAYOUT.trainCsv} (${options.folds} folds), ${BDCI_LAYOUT.testImages}, ${BDCI_LAYOUT.testLabels}\n`,
    );
    return summary;
  } finally {
    bar.stop();
  }
}

export function synthCommand(): Command {
  return new Command('synth')
    .description(
      'write a seeded synthetic ultrasound data set (B-mode-like phantoms with lobulated lesions, sizes and lesion areas ' +
        'like the challenge\'s) in the BDCI layout, with a train.csv split into folds. The same seed gives the same files.',
    )
    .requiredOption('--out <dir>', 'a new or empty folder for train_data/ and test_data/ (written when the whole set is done)')
    .option('--count <n>', 'training scans', integerArgument(1), 32)
    .option('--test-count <n>', 'test scans (with ground truth in test_data/label)', integerArgument(0), 8)
    .option('--seed <n>', 'seed of the scans and of the fold split', integerArgument(0), 1)
    .option('--folds <k>', 'folds of the train.csv written beside the scans', integerArgument(2), 5)
    .action(async (options: SynthOptions) => {
      await runSynth(options);
    });
}
