/** `pnpm bench model ...`: the model benchmark in Node and in headless Chromium, then the results files. */
import { gitInfo, stampOf } from '../report/metadata.js';
import { runSuite, suiteMain, type Suite } from '../suite.js';
import { MODEL_USAGE, parseModelArguments, type ModelArguments } from '../args.js';
import { bundleModelPage, runModelInBrowser } from '../browser/browser-run.js';
import { runModelInNode } from '../node/node-run.js';
import type { ModelRunRecord } from './schema.js';
import { writeModelRun } from './write.js';

export interface ModelCliPaths {
  /** bench/ */
  readonly benchDir: string;
  /** The repository root. */
  readonly root: string;
}

const log = (line: string): void => console.log(line);

/** The model suite for the harness (suite.ts): Linknet rows in Node and in the model page, then the model files. */
export function modelSuite(args: ModelArguments): Suite<ModelRunRecord> {
  const settings = args.forceGpuRows ? { ...args.settings, forceGpuRows: true } : args.settings;
  return {
    page: 'model bench page',
    bundlePage: bundleModelPage,
    runInNode: (context) => runModelInNode({ ...context, settings, adapter: args.adapter, variant: args.variant, im2col: args.im2col }),
    runInBrowser: (adapter, context) => runModelInBrowser({ ...context, settings, adapter }),
    write: writeModelRun,
    problems(records) {
      const rowErrors = records.flatMap((record) => record.rows.filter((row) => row.ours.status === 'error').map((row) => `${record.label} ${row.name}`));
      return rowErrors.length ? [`rows that failed: ${rowErrors.join(', ')} (the error is in the JSON and RESULTS.md)`] : [];
    },
  };
}

function run(args: ModelArguments, command: string, paths: ModelCliPaths): Promise<number> {
  const context = { stamp: stampOf(new Date()), command, git: gitInfo(paths.root), root: paths.root, log };
  return runSuite(modelSuite(args), args, context, { benchDir: paths.benchDir });
}

/** argv: what follows `model`; invokedAs: `pnpm bench all`'s command when it runs this suite. Returns the exit code. */
export function modelMain(argv: readonly string[], paths: ModelCliPaths, invokedAs?: string): Promise<number> {
  return suiteMain('model', argv, MODEL_USAGE, parseModelArguments, (args, command) => run(args, command, paths), invokedAs);
}
