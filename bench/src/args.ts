/** Command-line arguments of `pnpm bench`. */

export const USAGE = `Usage: pnpm bench <suite> [options]

Suites:
  kernels   every kernel benchmark (bench/src/families), ours against tfjs-backend-webgpu 4.22 on the same adapter
  model     Linknet forward and training step per batch size, vs PyTorch on this CPU (pnpm bench model --help)
  report    redraw every run's chart from its JSON under bench/results and regenerate bench/report.html

Options (kernels):
  --node-only                 run only in Node (Dawn)
  --browser-only              run only in headless Chromium
  --adapter <kind>            Node adapter: lavapipe (default) or swiftshader
  --browser-adapters <list>   Chromium adapters, comma-separated: swiftshader,compat (default both)
  --filter <text>[,<text>]    only benchmarks whose "family name" contains one of the texts (case-insensitive)
  --repeats <n>               timed repeats per implementation (default 10)
  --warmup <n>                untimed runs first, the cold run included (default 2)
  --max-seconds <s>           stop repeating after <s> seconds once 3 repeats are done (default 20)
  --no-peer                   do not run tfjs
  --peer-when-missing         run the tfjs rows even where our kernel is not available yet
  --list                      list the benchmarks and whether their kernels are available; run nothing
  --no-write                  print only: write no JSON, RESULTS.md, chart or report
  -h, --help                  this text

Writes bench/results/<stamp>-<adapter>.json per adapter, appends a table per adapter to bench/RESULTS.md, draws
bench/results/<stamp>-kernels.svg and regenerates bench/report.html. Figures on these shared 2-vCPU machines are
noisy: compare rows within one run only.`;

export interface BenchArguments {
  readonly suite: 'kernels' | 'model' | 'report' | 'help';
  readonly node: boolean;
  readonly browser: boolean;
  readonly adapter: 'lavapipe' | 'swiftshader';
  readonly browserAdapters: readonly ('swiftshader' | 'compat')[];
  readonly filter: string | null;
  readonly repeats: number;
  readonly warmup: number;
  readonly maxSeconds: number;
  readonly peers: boolean;
  readonly peerWhenMissing: boolean;
  readonly list: boolean;
  readonly write: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number {
  const number = Number(value);
  if (value === undefined || value.startsWith('--') || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got '${value ?? ''}'`);
  }
  return number;
}

export function parseArguments(argv: readonly string[]): BenchArguments {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const parsed = {
    suite: 'help' as BenchArguments['suite'],
    node: true,
    browser: true,
    adapter: 'lavapipe' as BenchArguments['adapter'],
    browserAdapters: ['swiftshader', 'compat'] as BenchArguments['browserAdapters'],
    filter: null as string | null,
    repeats: 10,
    warmup: 2,
    maxSeconds: 20,
    peers: true,
    peerWhenMissing: false,
    list: false,
    write: true,
  };
  let suiteSeen = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const value = (): string => {
      const next = args[++index];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '-h':
      case '--help':
        return { ...parsed, suite: 'help' };
      case '--node-only':
        parsed.browser = false;
        break;
      case '--browser-only':
        parsed.node = false;
        break;
      case '--adapter': {
        const kind = value();
        if (kind !== 'lavapipe' && kind !== 'swiftshader') throw new UsageError(`--adapter must be lavapipe or swiftshader, not '${kind}'`);
        parsed.adapter = kind;
        break;
      }
      case '--browser-adapters': {
        const list = value().split(',').map((item) => item.trim().replace(/^chromium\//, '')).filter((item) => item !== '');
        for (const item of list) {
          if (item !== 'swiftshader' && item !== 'compat') throw new UsageError(`--browser-adapters: unknown '${item}' (swiftshader, compat)`);
        }
        parsed.browserAdapters = list as BenchArguments['browserAdapters'];
        break;
      }
      case '--filter':
        parsed.filter = value();
        break;
      case '--repeats':
        parsed.repeats = positiveNumber(arg, args[++index], true);
        break;
      case '--warmup':
        parsed.warmup = positiveNumber(arg, args[++index], true);
        break;
      case '--max-seconds':
        parsed.maxSeconds = positiveNumber(arg, args[++index], false);
        break;
      case '--no-peer':
        parsed.peers = false;
        break;
      case '--peer-when-missing':
        parsed.peerWhenMissing = true;
        break;
      case '--list':
        parsed.list = true;
        break;
      case '--no-write':
        parsed.write = false;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
        if (suiteSeen) throw new UsageError(`one suite at a time, got '${parsed.suite}' and '${arg}'`);
        if (arg !== 'kernels' && arg !== 'model' && arg !== 'report') throw new UsageError(`unknown suite '${arg}' (kernels, model, report)`);
        parsed.suite = arg;
        suiteSeen = true;
    }
  }
  if (!parsed.node && !parsed.browser) throw new UsageError('--node-only and --browser-only exclude each other');
  return parsed;
}
