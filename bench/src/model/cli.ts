/** `pnpm bench model ...`: the model benchmark in Node and in headless Chromium, then the results files. */
import { relative } from 'node:path';
import { resolveBrowserAdapters } from '../adapters.js';
import { probeChromiumHardware } from '../browser/hardware-probe.js';
import { UsageError } from '../usage-error.js';
import { gitInfo, stampOf } from '../report/metadata.js';
import { MODEL_USAGE, parseModelArguments, type ModelArguments } from './args.js';
import { bundleModelPage, runModelInBrowser } from './browser-run.js';
import { runModelInNode } from './node-run.js';
import type { ModelRunRecord } from './schema.js';
import { writeModelRun } from './write.js';

export interface ModelCliPaths {
  /** bench/ */
  readonly benchDir: string;
  /** The repository root. */
  readonly root: string;
}

const log = (line: string): void => console.log(line);

async function run(args: ModelArguments, command: string, paths: ModelCliPaths): Promise<number> {
  const stamp = stampOf(new Date());
  const git = gitInfo(paths.root);
  const records: ModelRunRecord[] = [];
  const failures: string[] = [];
  const common = { settings: args.forceGpuRows ? { ...args.settings, forceGpuRows: true } : args.settings, stamp, command, git, log };
  let browser = args.browser;
  if (browser) {
    try {
      await bundleModelPage(paths.root);
    } catch (error) {
      failures.push(`bundling the model bench page: ${(error as Error).message}`);
      browser = false;
    }
  }
  // Which Chromium adapters (the hardware probe for hardware / auto) before any run, so its line comes first.
  const browserAdapters = browser ? await resolveBrowserAdapters(args.browserAdapters, probeChromiumHardware, log) : [];
  if (args.node) {
    try {
      records.push(await runModelInNode({ ...common, adapter: args.adapter, variant: args.variant }));
    } catch (error) {
      failures.push(`node/${args.adapter}: ${(error as Error).message}`);
      console.error(`node/${args.adapter} failed: ${(error as Error).message}`);
    }
  }
  if (browser) {
    for (const adapter of browserAdapters) {
      try {
        records.push(await runModelInBrowser({ ...common, adapter, root: paths.root }));
      } catch (error) {
        failures.push(`${adapter.name}: ${(error as Error).message}`);
        console.error(`${adapter.name} failed: ${(error as Error).message}`);
      }
    }
  }
  if (records.length && args.write) {
    const written = writeModelRun(records, paths.benchDir);
    const show = (path: string): string => relative(paths.root, path);
    log(`wrote ${written.json.map(show).join(', ')}`);
    log(`appended ${show(written.markdown)}; chart ${show(written.chart)}; report ${show(written.report)}`);
  }
  const rowErrors = records.flatMap((record) => record.rows.filter((row) => row.ours.status === 'error').map((row) => `${record.label} ${row.name}`));
  if (rowErrors.length) failures.push(`rows that failed: ${rowErrors.join(', ')} (the error is in the JSON and RESULTS.md)`);
  if (failures.length) console.error(`\n${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
  return failures.length ? 1 : 0;
}

/** argv: what follows `model`; invokedAs: `pnpm bench all`'s command when it runs this suite. Returns the exit code. */
export async function modelMain(argv: readonly string[], paths: ModelCliPaths, invokedAs?: string): Promise<number> {
  let args: ModelArguments;
  try {
    args = parseModelArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${MODEL_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    console.log(MODEL_USAGE);
    return 0;
  }
  const command = `pnpm bench model ${argv.filter((arg) => arg !== '--').join(' ')}`.trimEnd() + (invokedAs ? ` (part of ${invokedAs})` : '');
  try {
    return await run(args, command, paths);
  } catch (error) {
    console.error(process.env.ULSEG_DEBUG ? error : `bench model: ${(error as Error).message}`);
    return 1;
  }
}
