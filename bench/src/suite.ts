/**
 * A bench suite (the kernels, the model) as the harness sees it: a page to bundle, a run on our Gpu in Node, a run
 * in headless Chromium per adapter, and the files its records go to. One driver, runSuite, does the rest the same
 * for every suite: the page bundled before any run (Node and Chromium run the same code even if the tree changes
 * meanwhile), the Chromium adapters resolved first (the hardware probe's line comes before any run), Node, then each
 * Chromium adapter, a failure recorded without stopping the others, the records written, the exit code.
 */
import { relative } from 'node:path';
import type { BrowserAdapter } from '@ulseg/kernels/chromium';
import { resolveBrowserAdapters, type BrowserAdapterChoice, type HardwareProbe, type NodeAdapterChoice } from './adapters.js';
import { probeChromiumHardware } from './browser/hardware-probe.js';
import type { RunRecord } from './schema.js';
import { UsageError } from './usage-error.js';

/** Where and on what a suite runs: the options every suite takes. */
export interface SuiteRunOptions {
  readonly node: boolean;
  readonly browser: boolean;
  readonly adapter: NodeAdapterChoice;
  readonly browserAdapters: readonly BrowserAdapterChoice[];
  readonly write: boolean;
}

/** What every run of one invocation shares. */
export interface SuiteContext {
  /** File-name form of the invocation's start (every record of the invocation carries it). */
  readonly stamp: string;
  /** The command as typed, recorded in each record. */
  readonly command: string;
  /** The checkout's commit when the invocation started (the bundles were made then). */
  readonly git: RunRecord['git'];
  /** The repository root. */
  readonly root: string;
  readonly log: (line: string) => void;
}

export interface SuiteFiles {
  readonly json: readonly string[];
  readonly markdown: string;
  readonly chart: string;
  readonly report: string;
}

export interface Suite<Record extends { readonly label: string }> {
  /** Names the suite's page in errors: `bundling the <page>: ...`. */
  readonly page: string;
  bundlePage(root: string): Promise<unknown>;
  runInNode(context: SuiteContext): Promise<Record>;
  runInBrowser(adapter: BrowserAdapter, context: SuiteContext): Promise<Record>;
  /** Writes the records (JSON per adapter, RESULTS.md, the chart, report.html) under bench/. */
  write(records: readonly Record[], benchDir: string): SuiteFiles;
  /** What went wrong inside runs that finished (the model's rows that failed); each one fails the invocation. */
  problems(records: readonly Record[]): string[];
}

export interface SuiteDriverOptions {
  readonly benchDir: string;
  readonly error?: (line: string) => void;
  /** The Chromium hardware probe (a stand-in in tests). */
  readonly probe?: HardwareProbe;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs `suite` where `options` say; resolves to the exit code (0: every run succeeded and nothing went wrong). */
export async function runSuite<Record extends { readonly label: string }>(
  suite: Suite<Record>,
  options: SuiteRunOptions,
  context: SuiteContext,
  driver: SuiteDriverOptions,
): Promise<number> {
  const { log } = context;
  const error = driver.error ?? ((line: string) => console.error(line));
  const records: Record[] = [];
  const failures: string[] = [];
  let browser = options.browser;
  if (browser) {
    try {
      await suite.bundlePage(context.root);
    } catch (thrown) {
      failures.push(`bundling the ${suite.page}: ${messageOf(thrown)}`);
      browser = false;
    }
  }
  const browserAdapters = browser ? await resolveBrowserAdapters(options.browserAdapters, driver.probe ?? probeChromiumHardware, log) : [];
  const attempt = async (name: string, run: () => Promise<Record>): Promise<void> => {
    try {
      records.push(await run());
    } catch (thrown) {
      failures.push(`${name}: ${messageOf(thrown)}`);
      error(`${name} failed: ${messageOf(thrown)}`);
    }
  };
  if (options.node) await attempt(`node/${options.adapter}`, () => suite.runInNode(context));
  for (const adapter of browserAdapters) await attempt(adapter.name, () => suite.runInBrowser(adapter, context));
  if (records.length && options.write) {
    const written = suite.write(records, driver.benchDir);
    const show = (path: string): string => relative(context.root, path);
    log(`wrote ${written.json.map(show).join(', ')}`);
    log(`appended ${show(written.markdown)}; chart ${show(written.chart)}; report ${show(written.report)}`);
  }
  failures.push(...suite.problems(records));
  if (failures.length) error(`\n${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
  return failures.length ? 1 : 0;
}

/**
 * A suite's command: `argv` (what follows the suite's name) parsed, then run. A bad command line prints its message
 * and `usage` and exits 2; `help` prints `usage`; an error in the run prints its message (the stack with
 * ULSEG_DEBUG) and exits 1. `invokedAs`: the command of `pnpm bench all` when it runs this suite.
 */
export async function suiteMain<Args>(
  suite: string,
  argv: readonly string[],
  usage: string,
  parse: (argv: readonly string[]) => Args & { readonly help?: boolean },
  run: (args: Args, command: string) => Promise<number>,
  invokedAs?: string,
): Promise<number> {
  let args: Args & { readonly help?: boolean };
  try {
    args = parse(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const command = `pnpm bench ${suite} ${argv.filter((arg) => arg !== '--').join(' ')}`.trimEnd() + (invokedAs ? ` (part of ${invokedAs})` : '');
  try {
    return await run(args, command);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    console.error(process.env.ULSEG_DEBUG ? error : `bench ${suite}: ${messageOf(error)}`);
    return 1;
  }
}
