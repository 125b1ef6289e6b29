/**
 * `pnpm bench [all|kernels|model|report] ...`: runs the kernel benchmarks (and, for `all`, the default, the model
 * benchmark with the ONNX Runtime peer after them: all.ts) in Node and in headless Chromium, then writes the results.
 * Bundled and started by bench/run.mjs (esbuild, `source` condition).
 */
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAll } from './all.js';
import { allPlan, parseArguments, parseKernelsArguments, USAGE, UsageError, type BenchArguments } from './args.js';
import { bundlePage, runInBrowser } from './browser/browser-run.js';
import { gpuSizedBenchmarks } from './families/gpu-sized.js';
import { KERNEL_BENCHMARKS, selectBenchmarks } from './families/index.js';
import { runInNode } from './node/node-run.js';
import { modelMain } from './model/cli.js';
import { gitInfo, stampOf } from './report/metadata.js';
import { redrawAll, writeRun } from './report/write.js';
import type { RunRecord, RunSettings } from './schema.js';
import { runSuite, suiteMain, type Suite } from './suite.js';

/** bench/ (this file is bench/src/cli.ts, or bundled into bench/.build/bench.mjs: one level below either way). */
const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(BENCH_DIR, '..');

const log = (line: string): void => console.log(line);

function list(args: BenchArguments): void {
  const selected = selectBenchmarks(KERNEL_BENCHMARKS, args.filter);
  for (const benchmark of selected) {
    const peer = benchmark.peer ? 'tfjs' : '    ';
    console.log(`${peer} ${benchmark.family.padEnd(18)} ${benchmark.name}`);
  }
  console.log(`${selected.length} benchmarks (tfjs: with the tfjs peer)`);
  const gpuRows = selectBenchmarks(gpuSizedBenchmarks('full'), args.filter);
  console.log(`GPU rows (added on a hardware adapter; with --force-gpu-rows on a CPU adapter at a small size): ${gpuRows.map((benchmark) => benchmark.name).join(', ') || 'none match the filter'}`);
}

async function kernelsSuite(args: BenchArguments, command: string): Promise<number> {
  if (args.list) {
    list(args);
    return 0;
  }
  const benchmarks = selectBenchmarks(KERNEL_BENCHMARKS, args.filter);
  // The filter may name GPU rows only (they are added per adapter: on a hardware one, or with --force-gpu-rows).
  const gpuRows = args.forceGpuRows || args.adapter === 'hardware' || args.adapter === 'auto' || args.browserAdapters.some((name) => name === 'hardware' || name === 'auto')
    ? selectBenchmarks([...gpuSizedBenchmarks('full'), ...gpuSizedBenchmarks('small')], args.filter)
    : [];
  if (benchmarks.length === 0 && gpuRows.length === 0) throw new UsageError(`--filter '${args.filter}' matches no benchmark (try --list)`);
  const settings: RunSettings = {
    warmup: args.warmup,
    repeats: args.repeats,
    maxSeconds: args.maxSeconds,
    filter: args.filter,
    peers: args.peers,
    forceGpuRows: args.forceGpuRows,
  };
  const suite: Suite<RunRecord> = {
    page: 'bench page',
    bundlePage,
    runInNode: (context) => runInNode({ ...context, adapter: args.adapter, variant: args.variant, im2col: args.im2col, benchmarks, settings }),
    runInBrowser: (adapter, context) => runInBrowser({ ...context, adapter, benchmarks, settings }),
    write: writeRun,
    problems: () => [],
  };
  return runSuite(suite, args, { stamp: stampOf(new Date()), command, git: gitInfo(ROOT), root: ROOT, log }, { benchDir: BENCH_DIR });
}

/** Parses and runs the kernels suite; `argv` is what follows `kernels`; `invokedAs`: `pnpm bench all`'s command. */
const kernelsMain = (argv: readonly string[], invokedAs?: string): Promise<number> =>
  suiteMain('kernels', argv, USAGE, parseKernelsArguments, kernelsSuite, invokedAs);

export async function main(argv: readonly string[]): Promise<number> {
  const rest = argv[0] === '--' ? argv.slice(1) : argv;
  const paths = { benchDir: BENCH_DIR, root: ROOT };
  // The model suite has options of its own (args.ts parseModelArguments).
  if (rest[0] === 'model') return modelMain(rest.slice(1), paths);
  if (rest[0] === 'kernels') return kernelsMain(rest.slice(1));
  let args: BenchArguments;
  try {
    args = parseArguments(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  switch (args.suite) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'model':
      // `pnpm bench --node-only model`: the suite after some of its options.
      return modelMain(rest.filter((arg) => arg !== 'model'), paths);
    case 'report':
      for (const path of redrawAll(BENCH_DIR)) console.log(`wrote ${relative(ROOT, path)}`);
      return 0;
    case 'all': {
      const command = `pnpm bench ${rest.length && rest[0] !== 'all' ? 'all ' : ''}${rest.join(' ')}`.trimEnd();
      const { code } = await runAll({
        plan: allPlan(args),
        command,
        runners: { kernels: kernelsMain, model: (suiteArgv, invokedAs) => modelMain(suiteArgv, paths, invokedAs) },
      });
      return code;
    }
    case 'kernels':
      // `pnpm bench --node-only kernels`: the suite after its options.
      return kernelsMain(rest.filter((arg) => arg !== 'kernels'));
  }
}

process.exitCode = await main(process.argv.slice(2));
