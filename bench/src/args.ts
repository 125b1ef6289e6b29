/** Command-line arguments of `pnpm bench`. */
import { parseBrowserAdapters, parseNodeAdapter, type BrowserAdapterChoice, type NodeAdapterChoice } from './adapters.js';
import { UsageError } from './usage-error.js';

/**
 * `pnpm bench all --quick`, the kernels part: the cold run as the only untimed run, then 2 timed repeats per
 * implementation (the 5 s cap only matters if the repeats are raised: a row stops early once 3 are done).
 */
export const QUICK_KERNEL_ARGUMENTS: readonly string[] = ['--repeats', '2', '--warmup', '1', '--max-seconds', '5'];

/**
 * `pnpm bench all --quick`, the model part: Linknet-B0 at 64², batch 1 and 2, forward only (the rows the ORT peer
 * can run), 2 timed runs after the cold and the profiled run. About a minute in Node; several in Chromium, where
 * onnxruntime-web compiles its shaders for each row.
 */
export const QUICK_MODEL_ARGUMENTS: readonly string[] = ['--encoder', 'efficientnet-b0', '--resolution', '64', '--batch', '1,2', '--passes', 'forward', '--repeats', '2'];

/**
 * `pnpm bench --gpu`: both suites on the machine's GPU, in Node (Dawn's high-performance adapter) and in Chromium
 * (the hardware flags); where none is exposed, one line says so and the run goes on with the software adapters.
 */
export const GPU_ARGUMENTS: readonly string[] = ['--adapter', 'auto', '--browser-adapters', 'auto'];

/** `pnpm bench all` runs the model suite against this peer (bench/src/model/peer.ts). */
export const ALL_MODEL_PEER_ARGUMENTS: readonly string[] = ['--peer', 'ort'];

export const USAGE = `Usage: pnpm bench [<suite>] [options]

Suites:
  all       the default (plain \`pnpm bench\`): the kernels suite, then the model suite with the ONNX Runtime peer
            (${ALL_MODEL_PEER_ARGUMENTS.join(' ')}), each with its own defaults, in Node and in headless Chromium; each
            suite writes its results (below) as soon as it is done
  kernels   every kernel benchmark (bench/src/families), ours against tfjs-backend-webgpu 4.22 on the same adapter
  model     Linknet forward and training step per batch size, vs PyTorch on this CPU and an optional peer
            (ONNX Runtime): pnpm bench model --help
  report    redraw every run's chart (kernel and model runs) from its JSON under bench/results and regenerate
            bench/report.html

Options (all):
  --gpu                       both suites on this machine's GPU with the peers: ${GPU_ARGUMENTS.join(' ')} (Node:
                              hardware, else lavapipe; Chromium: the hardware flags, else SwiftShader, with one
                              line saying that no hardware adapter is exposed and which flags were tried); on a
                              hardware adapter the GPU-sized rows are added (--force-gpu-rows below)
  --quick                     a smoke run of both suites (~45-60 min here, mostly the kernels): kernels with
                              ${QUICK_KERNEL_ARGUMENTS.join(' ')}; the model with
                              ${QUICK_MODEL_ARGUMENTS.join(' ')}
  --no-write, --node-only, --browser-only, --adapter <kind>, --browser-adapters <list>, --force-gpu-rows
                              passed to both suites (see below; without --browser-adapters each suite keeps its
                              own: the kernels run Chromium on swiftshader and compat, the model on swiftshader)
  The full run takes hours on these CPU adapters: the kernels suite ~1.5-2 h (Node ~20 min, Chromium SwiftShader
  ~45 min, compat ~15 min at --repeats 5), the model suite (Linknet-B6 at 256², batch 1 and 8, forward and training
  step) ~40 min in Node and 4-6 h in Chromium SwiftShader, where one B6 training step at batch 1 takes ~10 min.
  If one suite fails the other still runs and writes its results; the exit code is 1 if either failed. For any
  other option run the suites one at a time.

Options (kernels):
  --node-only                 run only in Node (Dawn)
  --browser-only              run only in headless Chromium
  --adapter <kind>            Node adapter: lavapipe (default), swiftshader, hardware (the GPU, high-performance),
                              auto (hardware, else lavapipe, else SwiftShader)
  --browser-adapters <list>   Chromium adapters, comma-separated: swiftshader, compat (default both), hardware
                              (the GPU through Vulkan / Metal / D3D12; dropped with one line when Chromium exposes
                              none), auto (hardware, else swiftshader)
  --force-gpu-rows            add the GPU-sized rows (GEMM 4096³, the B6 layers at batch 32) on any adapter, at a
                              small size on a CPU adapter (GEMM 256³, the B6 layers at batch 1 and 1/8 the side);
                              on a hardware adapter they are always added at full size
  --variant <core>            Node only: run every gemm row (1x1 convolutions included) on one GEMM core (tiled = the previous
                              kernels, lanes, subgroup) instead of the device profile's choice; the matmul rows
                              show all three cores in every run
  --filter <text>[,<text>]    only benchmarks whose "family name" contains one of the texts (case-insensitive)
  --repeats <n>               timed repeats per implementation (default 10)
  --warmup <n>                untimed runs first, the cold run included (default 2)
  --max-seconds <s>           stop repeating after <s> seconds once 3 repeats are done (default 20)
  --no-peer                   do not run tfjs
  --list                      list the benchmarks and which have the tfjs peer; run nothing
  --no-write                  print only: write no JSON, RESULTS.md, chart or report
  -h, --help                  this text

The kernels suite writes bench/results/<stamp>-<adapter>.json per adapter, appends a table per adapter to
bench/RESULTS.md, draws bench/results/<stamp>-kernels.svg and regenerates bench/report.html. The model suite writes
bench/results/<stamp>-model-<adapter>.json and <stamp>-model.svg (ours vs the peer per row and adapter), appends
its sections to RESULTS.md and regenerates the report. Figures on these shared 2-vCPU machines are noisy: compare
rows within one run only.`;

export interface BenchArguments {
  readonly suite: 'all' | 'kernels' | 'model' | 'report' | 'help';
  readonly node: boolean;
  readonly browser: boolean;
  readonly adapter: NodeAdapterChoice;
  readonly browserAdapters: readonly BrowserAdapterChoice[];
  /** `--force-gpu-rows`: the GPU-sized rows on a CPU adapter too (at a small size). */
  readonly forceGpuRows: boolean;
  readonly filter: string | null;
  /** `--variant`: the GEMM core forced on the Node run (device profile override), or null for the profile's. */
  readonly variant: 'tiled' | 'lanes' | 'subgroup' | null;
  readonly repeats: number;
  readonly warmup: number;
  readonly maxSeconds: number;
  readonly peers: boolean;
  readonly list: boolean;
  readonly write: boolean;
  /** `all --quick`: the short versions of the suites (QUICK_KERNEL_ARGUMENTS, QUICK_MODEL_ARGUMENTS). */
  readonly quick: boolean;
  /** `all --gpu`: GPU_ARGUMENTS for both suites (unless --adapter / --browser-adapters were given). */
  readonly gpu: boolean;
  /** `all`: the options given that both suites take, as given (passed on to each suite). */
  readonly shared: readonly string[];
}

/** What `pnpm bench all` runs: each suite's arguments (after the suite's name). */
export interface AllPlan {
  readonly kernels: readonly string[];
  readonly model: readonly string[];
}

export function allPlan(args: Pick<BenchArguments, 'quick' | 'gpu' | 'shared'>): AllPlan {
  const given = (flag: string): boolean => args.shared.includes(flag);
  const gpu = args.gpu ? ['--adapter', '--browser-adapters'].flatMap((flag) => (given(flag) ? [] : [flag, 'auto'])) : [];
  return {
    kernels: [...(args.quick ? QUICK_KERNEL_ARGUMENTS : []), ...gpu, ...args.shared],
    model: [...(args.quick ? QUICK_MODEL_ARGUMENTS : []), ...ALL_MODEL_PEER_ARGUMENTS, ...gpu, ...args.shared],
  };
}

export { UsageError };

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number {
  const number = Number(value);
  if (value === undefined || value.startsWith('--') || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got '${value ?? ''}'`);
  }
  return number;
}

/** The suites `pnpm bench <suite>` names; without one, `all`. */
const SUITES = ['all', 'kernels', 'model', 'report'] as const;

/**
 * Parses `pnpm bench [<suite>] [options]` (a leading `--` from pnpm is ignored). No suite: `all`. The model suite's
 * own options are parsed by model/args.ts (cli.ts hands `model ...` over before this).
 */
export function parseArguments(argv: readonly string[]): BenchArguments {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const shared: string[] = [];
  const kernelsOnly: string[] = [];
  const parsed = {
    suite: 'all' as BenchArguments['suite'],
    node: true,
    browser: true,
    adapter: 'lavapipe' as BenchArguments['adapter'],
    browserAdapters: ['swiftshader', 'compat'] as BenchArguments['browserAdapters'],
    forceGpuRows: false,
    filter: null as string | null,
    variant: null as BenchArguments['variant'],
    repeats: 10,
    warmup: 2,
    maxSeconds: 20,
    peers: true,
    list: false,
    write: true,
    quick: false,
    gpu: false,
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
        return { ...parsed, suite: 'help', shared: [] };
      case '--quick':
        parsed.quick = true;
        break;
      case '--gpu':
        parsed.gpu = true;
        break;
      case '--force-gpu-rows':
        parsed.forceGpuRows = true;
        shared.push(arg);
        break;
      case '--node-only':
        parsed.browser = false;
        shared.push(arg);
        break;
      case '--browser-only':
        parsed.node = false;
        shared.push(arg);
        break;
      case '--adapter':
        parsed.adapter = parseNodeAdapter(value());
        shared.push(arg, parsed.adapter);
        break;
      case '--browser-adapters':
        parsed.browserAdapters = parseBrowserAdapters(value());
        shared.push(arg, parsed.browserAdapters.join(','));
        break;
      case '--filter':
        parsed.filter = value();
        kernelsOnly.push(arg);
        break;
      case '--variant': {
        const core = value();
        if (core !== 'tiled' && core !== 'lanes' && core !== 'subgroup') throw new UsageError(`--variant must be tiled, lanes or subgroup, not '${core}'`);
        parsed.variant = core;
        kernelsOnly.push(arg);
        break;
      }
      case '--repeats':
        parsed.repeats = positiveNumber(arg, args[++index], true);
        kernelsOnly.push(arg);
        break;
      case '--warmup':
        parsed.warmup = positiveNumber(arg, args[++index], true);
        kernelsOnly.push(arg);
        break;
      case '--max-seconds':
        parsed.maxSeconds = positiveNumber(arg, args[++index], false);
        kernelsOnly.push(arg);
        break;
      case '--no-peer':
        parsed.peers = false;
        kernelsOnly.push(arg);
        break;
      case '--list':
        parsed.list = true;
        kernelsOnly.push(arg);
        break;
      case '--no-write':
        parsed.write = false;
        shared.push(arg);
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
        if (suiteSeen) throw new UsageError(`one suite at a time, got '${parsed.suite}' and '${arg}'`);
        if (!(SUITES as readonly string[]).includes(arg)) throw new UsageError(`unknown suite '${arg}' (${SUITES.join(', ')})`);
        parsed.suite = arg as BenchArguments['suite'];
        suiteSeen = true;
    }
  }
  if (!parsed.node && !parsed.browser) throw new UsageError('--node-only and --browser-only exclude each other');
  if (parsed.gpu && parsed.suite !== 'all') throw new UsageError(`--gpu goes with pnpm bench all (or plain pnpm bench), not with the ${parsed.suite} suite; use --adapter auto --browser-adapters auto there`);
  if (parsed.quick && parsed.suite !== 'all') throw new UsageError(`--quick goes with pnpm bench all (or plain pnpm bench), not with the ${parsed.suite} suite`);
  if (parsed.suite === 'all' && kernelsOnly.length) {
    throw new UsageError(
      `${kernelsOnly.join(', ')}: an option of the kernels suite alone (pnpm bench kernels ${kernelsOnly[0]} ...); pnpm bench all takes --gpu, --quick, --no-write, --node-only, --browser-only, --adapter, --browser-adapters and --force-gpu-rows`,
    );
  }
  return { ...parsed, shared };
}
