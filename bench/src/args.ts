/**
 * The command line of `pnpm bench`, with commander (the argument library of packages/cli): one command per suite
 * (`all`, the default; `kernels`; `model`; `report`). The options saying where and on what a suite runs are declared
 * once (runOptions) and taken by all three runnable suites; each suite adds its own. The suite's name may stand
 * anywhere (`pnpm bench --node-only kernels`); a leading `--` from pnpm is ignored.
 */
import { Command, CommanderError, Option } from 'commander';
import { BACKBONES, checkDecoderAttention, checkNetwork, NETWORKS } from '@ulseg/model';
import { parseBrowserAdapters, parseNodeAdapter, type BrowserAdapterChoice, type NodeAdapterChoice } from './adapters.js';
import { DEFAULT_MODEL_SETTINGS } from './model/model-config.js';
import { modelPeerNames } from './model/peer.js';
import { MODEL_PASSES, type ModelBenchSettings, type ModelPass } from './model/schema.js';
import { UsageError } from './usage-error.js';

export { UsageError };

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

/** The suites `pnpm bench <suite>` names; without one, `all`. */
const SUITES = ['all', 'kernels', 'model', 'report'] as const;
type SuiteName = (typeof SUITES)[number];

type Variant = 'tiled' | 'lanes' | 'subgroup';

/** Where and on what a suite runs: the options `all`, `kernels` and `model` share. */
export interface RunArguments {
  readonly node: boolean;
  readonly browser: boolean;
  readonly adapter: NodeAdapterChoice;
  readonly browserAdapters: readonly BrowserAdapterChoice[];
  /** `--force-gpu-rows`: the GPU-sized rows on a CPU adapter too (at a small size). */
  readonly forceGpuRows: boolean;
  readonly write: boolean;
}

export interface BenchArguments extends RunArguments {
  readonly suite: 'all' | 'kernels' | 'model' | 'report' | 'help';
  readonly filter: string | null;
  /** `--variant`: the GEMM core forced on the Node run (device profile override), or null for the profile's. */
  readonly variant: Variant | null;
  /** `--im2col on|off`: the device profile's convIm2col forced on the Node run, or null for the profile's. */
  readonly im2col: boolean | null;
  readonly repeats: number;
  readonly warmup: number;
  readonly maxSeconds: number;
  readonly peers: boolean;
  readonly list: boolean;
  /** `all --quick`: the short versions of the suites (QUICK_KERNEL_ARGUMENTS, QUICK_MODEL_ARGUMENTS). */
  readonly quick: boolean;
  /** `all --gpu`: GPU_ARGUMENTS for both suites (unless --adapter / --browser-adapters were given). */
  readonly gpu: boolean;
  /** `all`: the run options given, as given (passed on to each suite). */
  readonly shared: readonly string[];
}

export interface ModelArguments extends RunArguments {
  readonly help: boolean;
  readonly settings: ModelBenchSettings;
  /** `--variant`: the GEMM core forced in Node (device profile override), or null for the profile's. */
  readonly variant: Variant | null;
  /** `--im2col on|off`: the device profile's convIm2col forced in Node, or null for the profile's. */
  readonly im2col: boolean | null;
}

const positive = (flag: string, integer: boolean) => (value: string): number => {
  const number = Number(value);
  if (value.startsWith('--') || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got '${value}'`);
  }
  return number;
};

function parseVariant(value: string): Variant {
  if (value !== 'tiled' && value !== 'lanes' && value !== 'subgroup') throw new UsageError(`--variant must be tiled, lanes or subgroup, not '${value}'`);
  return value;
}

function parseOnOff(value: string): boolean {
  if (value !== 'on' && value !== 'off') throw new UsageError(`--im2col must be on or off, not '${value}'`);
  return value === 'on';
}

function list(flag: string, value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw new UsageError(`${flag} needs at least one value`);
  return items;
}

/** The options every runnable suite takes; `browserDefault`: the suite's Chromium adapters without --browser-adapters. */
function runOptions(command: Command, browserDefault: readonly BrowserAdapterChoice[]): Command {
  return command
    .option('--node-only', 'run only in Node (Dawn)')
    .option('--browser-only', 'run only in headless Chromium')
    .addOption(
      new Option('--adapter <kind>', 'Node adapter: lavapipe, swiftshader, hardware (the GPU, high-performance), auto (hardware, else lavapipe, else SwiftShader)')
        .argParser(parseNodeAdapter)
        .default('lavapipe'),
    )
    .addOption(
      new Option(
        '--browser-adapters <list>',
        'Chromium adapters, comma-separated: swiftshader, compat, hardware (the GPU through Vulkan / Metal / D3D12; dropped with one line when Chromium exposes none), auto (hardware, else swiftshader)',
      )
        .argParser(parseBrowserAdapters)
        .default(browserDefault, browserDefault.join(',')),
    )
    .option(
      '--force-gpu-rows',
      'add the GPU-sized rows on any adapter (on a hardware adapter they are always added at full size): on a CPU adapter at a small size (kernels: GEMM 256³, the B6 layers at batch 1 and 1/8 the side; model: Linknet-B0 at 64² batch 2 and 96² batch 1)',
    )
    .option('--no-write', 'print only: write no JSON, RESULTS.md, chart or report');
}

const variantOption = (): Option =>
  new Option('--variant <core>', 'Node only: the GEMM core of gemm and the 1x1 convolutions (tiled = the previous kernels, lanes, subgroup) instead of the device profile\'s choice').argParser(parseVariant);

const im2colOption = (): Option =>
  new Option('--im2col <on|off>', "Node only: the device profile's convIm2col (ungrouped k>1 convolutions as im2col + gemm) forced on or off").argParser(parseOnOff);

function bare(name: string): Command {
  return new Command(name)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .helpOption(false)
    .allowExcessArguments(false)
    .configureHelp({ helpWidth: 118 });
}

function allCommand(): Command {
  const command = bare('pnpm bench all')
    .description('the kernels suite, then the model suite with the ONNX Runtime peer, each with its own defaults')
    .option('--gpu', `both suites on this machine's GPU with the peers: ${GPU_ARGUMENTS.join(' ')} (unless given)`)
    .option('--quick', 'a smoke run of both suites (below)');
  return runOptions(command, ['swiftshader', 'compat']);
}

function kernelsCommand(): Command {
  return runOptions(bare('pnpm bench kernels'), ['swiftshader', 'compat'])
    .description('every kernel benchmark (bench/src/families), ours against tfjs-backend-webgpu 4.22 on the same adapter')
    .addOption(variantOption())
    .addOption(im2colOption())
    .option('--filter <text>', 'only benchmarks whose "family name" contains one of the comma-separated texts (case-insensitive)')
    .addOption(new Option('--repeats <n>', 'timed repeats per implementation').argParser(positive('--repeats', true)).default(10))
    .addOption(new Option('--warmup <n>', 'untimed runs first, the cold run included').argParser(positive('--warmup', true)).default(2))
    .addOption(new Option('--max-seconds <s>', 'stop repeating after <s> seconds once 3 repeats are done').argParser(positive('--max-seconds', false)).default(20))
    .option('--no-peer', 'do not run tfjs')
    .option('--list', 'list the benchmarks and which have the tfjs peer; run nothing');
}

function modelCommand(): Command {
  const defaults = DEFAULT_MODEL_SETTINGS;
  const backbone = (flag: string) => (name: string): string => {
    if (!(BACKBONES as readonly string[]).includes(name)) throw new UsageError(`${flag} must be one of ${BACKBONES.join(', ')}, not '${name}'`);
    return name;
  };
  return runOptions(bare('pnpm bench model'), ['swiftshader'])
    .description('a network\'s forward and training step per batch size, vs PyTorch on this CPU and an optional peer')
    .addOption(variantOption())
    .addOption(im2colOption())
    .addOption(
      new Option('--network <name>', `${NETWORKS.join(', ')} (default ${defaults.network})`).argParser((name: string) => modelCheck(() => checkNetwork(name))),
    )
    .addOption(new Option('--backbone <name>', `${BACKBONES.join(', ')} (default ${defaults.encoder})`).argParser(backbone('--backbone')))
    .addOption(new Option('--encoder <name>', 'the alias of --backbone').argParser(backbone('--encoder')))
    .addOption(new Option('--decoder-attention <kind>', 'unet only: none or scse (default none)'))
    .addOption(
      new Option('--resolution <px>', 'square input side, a multiple of 32')
        .argParser((value: string) => {
          const size = positive('--resolution', true)(value);
          if (size % 32 !== 0) throw new UsageError(`--resolution must be a multiple of 32 (the encoder downsamples 5 times), got ${size}`);
          return size;
        })
        .default(defaults.resolution),
    )
    .addOption(
      new Option('--batch <list>', 'batch sizes, comma-separated')
        .argParser((value: string) => [...new Set(list('--batch', value).map(positive('--batch', true)))])
        .default(defaults.batches, defaults.batches.join(',')),
    )
    .addOption(
      new Option('--passes <list>', 'forward, train-step, comma-separated')
        .argParser((value: string) => {
          const passes = list('--passes', value);
          for (const pass of passes) if (!MODEL_PASSES.includes(pass as ModelPass)) throw new UsageError(`--passes: unknown '${pass}' (${MODEL_PASSES.join(', ')})`);
          return MODEL_PASSES.filter((pass) => passes.includes(pass));
        })
        .default(defaults.passes, 'both'),
    )
    .addOption(new Option('--repeats <n>', 'timed forward passes per batch size').argParser(positive('--repeats', true)).default(defaults.repeats))
    .addOption(new Option('--steps <n>', 'timed training steps per batch size').argParser(positive('--steps', true)).default(defaults.steps))
    .addOption(new Option('--warmup <n>', 'untimed runs per row, the cold run and the profiled run included').argParser(positive('--warmup', true)).default(defaults.warmup))
    .addOption(new Option('--max-seconds <s>', "stop a row's timed runs after <s> seconds once one is done").argParser(positive('--max-seconds', false)).default(defaults.maxSeconds))
    .option('--no-profile', 'skip the profiled run (GPU time per kernel: one run with a timestamped pass per dispatch)')
    .addOption(
      new Option('--seed <n>', 'seed of the weights, the input and the targets')
        .argParser((value: string) => {
          const seed = Number(value);
          if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed needs an integer in [0, 2^32), got '${value}'`);
          return seed;
        })
        .default(defaults.seed),
    )
    .addOption(
      new Option('--runtime <where>', 'node, chromium or both (default both): where the rows run, as `ulseg train --runtime`').argParser((where: string) => {
        if (where !== 'node' && where !== 'chromium' && where !== 'both') throw new UsageError(`--runtime must be node, chromium or both, not '${where}'`);
        return where;
      }),
    )
    .addOption(
      new Option('--peer <name>', `also run a model peer on the same rows (bench/src/model/peer.ts; registered: ${modelPeerNames().join(', ') || 'none yet'})`).argParser((name: string) => {
        if (!modelPeerNames().includes(name)) throw new UsageError(`--peer: no model peer named '${name}' (registered: ${modelPeerNames().join(', ') || 'none yet'}; see bench/src/model/peer.ts)`);
        return name;
      }),
    );
}

const COMMANDS: Readonly<Record<Exclude<SuiteName, 'report'>, () => Command>> = { all: allCommand, kernels: kernelsCommand, model: modelCommand };

/** Long flag → its option, over every suite (which flags take a value, which suite takes which). */
function optionsOf(command: Command): Map<string, Option> {
  return new Map(command.options.flatMap((option) => (option.long ? [[option.long, option] as const] : [])));
}

const isHelp = (arg: string): boolean => arg === '-h' || arg === '--help';

/** The suite named in `argv` (a word not taken as an option's value) and the rest; `all` without one. */
function splitSuite(argv: readonly string[]): { suite: SuiteName; rest: string[] } {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const takesValue = new Set(Object.values(COMMANDS).flatMap((make) => make().options.filter((option) => option.required).map((option) => option.long)));
  let suite: SuiteName | null = null;
  const rest: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg.startsWith('-')) {
      rest.push(arg);
      if (takesValue.has(arg) && index + 1 < args.length) rest.push(args[++index]!);
      continue;
    }
    if (!(SUITES as readonly string[]).includes(arg)) throw new UsageError(`unknown suite '${arg}' (${SUITES.join(', ')})`);
    if (suite) throw new UsageError(`one suite at a time, got '${suite}' and '${arg}'`);
    suite = arg as SuiteName;
  }
  return { suite: suite ?? 'all', rest };
}

/** Parses `rest` with the suite's command; commander's errors become UsageErrors that name the suite. */
function parseWith(suite: Exclude<SuiteName, 'report'>, rest: readonly string[]): Record<string, unknown> {
  const command = COMMANDS[suite]();
  const own = optionsOf(command);
  if (suite === 'all') {
    const kernelsOnly = rest.filter((arg) => arg.startsWith('--') && !own.has(arg) && optionsOf(kernelsCommand()).has(arg));
    if (kernelsOnly.length) {
      throw new UsageError(
        `${kernelsOnly.join(', ')}: an option of the kernels suite alone (pnpm bench kernels ${kernelsOnly[0]} ...); pnpm bench all takes ${[...own.keys()].join(', ')}`,
      );
    }
  } else {
    const allOnly = rest.filter((arg) => arg.startsWith('--') && !own.has(arg) && optionsOf(allCommand()).has(arg));
    if (allOnly.length) {
      const hint = allOnly[0] === '--gpu' ? '; use --adapter auto --browser-adapters auto there' : '';
      throw new UsageError(`${allOnly[0]} goes with pnpm bench all (or plain pnpm bench), not with the ${suite} suite${hint}`);
    }
  }
  try {
    command.parse(rest, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const message = error.message.replace(/^error: /, '');
      throw new UsageError(error.code === 'commander.unknownOption' ? `${message} for the ${suite} suite` : message);
    }
    throw error;
  }
  const options = command.opts();
  if (options['nodeOnly'] && options['browserOnly']) throw new UsageError('--node-only and --browser-only exclude each other');
  return options;
}

function runArguments(options: Record<string, unknown>): RunArguments {
  return {
    node: !options['browserOnly'],
    browser: !options['nodeOnly'],
    adapter: options['adapter'] as NodeAdapterChoice,
    browserAdapters: options['browserAdapters'] as BrowserAdapterChoice[],
    forceGpuRows: Boolean(options['forceGpuRows']),
    write: options['write'] as boolean,
  };
}

/** The run options given in `rest`, in order, their values as parsed (`chromium/compat` → `compat`). */
function sharedOptions(rest: readonly string[], options: Record<string, unknown>): string[] {
  const run = optionsOf(runOptions(new Command(), []));
  const shared: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const option = run.get(rest[index]!);
    if (!option) continue;
    shared.push(option.long!);
    if (option.required) {
      index++;
      const value = options[option.attributeName()];
      shared.push(Array.isArray(value) ? value.join(',') : String(value));
    }
  }
  return shared;
}

/** Parses `pnpm bench [<suite>] [options]`. The model suite's options are parsed by parseModelArguments. */
export function parseArguments(argv: readonly string[]): BenchArguments {
  const { suite, rest } = splitSuite(argv);
  if (rest.some(isHelp) || suite === 'report' || suite === 'model') {
    // help, report, model (whose options parseModelArguments reads): the kernels suite's defaults fill the rest.
    const defaults = kernelArguments(kernelsCommand().opts());
    return { ...defaults, suite: rest.some(isHelp) ? 'help' : suite };
  }
  const options = parseWith(suite, rest);
  if (suite === 'all') {
    return { ...kernelArguments(kernelsCommand().opts()), ...runArguments(options), suite, quick: Boolean(options['quick']), gpu: Boolean(options['gpu']), shared: sharedOptions(rest, options) };
  }
  return kernelArguments(options);
}

/** Parses what follows `pnpm bench kernels`; `help` when -h/--help is among it (the suite then runs nothing). */
export function parseKernelsArguments(argv: readonly string[]): BenchArguments & { readonly help: boolean } {
  const args = parseArguments(['kernels', ...argv]);
  return { ...args, help: args.suite === 'help' };
}

function kernelArguments(options: Record<string, unknown>): BenchArguments {
  return {
    suite: 'kernels',
    ...runArguments(options),
    filter: (options['filter'] as string | undefined) ?? null,
    variant: (options['variant'] as Variant | undefined) ?? null,
    im2col: (options['im2col'] as boolean | undefined) ?? null,
    repeats: options['repeats'] as number,
    warmup: options['warmup'] as number,
    maxSeconds: options['maxSeconds'] as number,
    peers: options['peer'] as boolean,
    list: Boolean(options['list']),
    quick: false,
    gpu: false,
    shared: [],
  };
}

/** The model package's name checks (checkNetwork, …) as usage errors. */
function modelCheck<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses the arguments after `model` (a leading `--` from pnpm is ignored). */
export function parseModelArguments(argv: readonly string[]): ModelArguments {
  const rest = argv[0] === '--' ? argv.slice(1) : [...argv];
  const own = optionsOf(modelCommand());
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index]!;
    if (own.get(arg)?.required) index++;
    else if (arg.startsWith('-') && !own.has(arg) && !isHelp(arg)) throw new UsageError(`unknown option '${arg}' for the model suite`);
    else if (!arg.startsWith('-')) throw new UsageError(`unexpected argument '${rest[index]}' (one suite at a time)`);
  }
  if (rest.some(isHelp)) return { ...runArguments(modelCommand().opts()), help: true, settings: { ...DEFAULT_MODEL_SETTINGS }, variant: null, im2col: null };
  const options = parseWith('model', rest);
  modelCheck(() => checkDecoderAttention((options['decoderAttention'] as string | undefined) ?? 'none', checkNetwork((options['network'] as string | undefined) ?? DEFAULT_MODEL_SETTINGS.network ?? 'linknet')));
  const where = options['runtime'] as 'node' | 'chromium' | 'both' | undefined;
  const run = runArguments(options);
  return {
    ...run,
    node: run.node && where !== 'chromium',
    browser: run.browser && where !== 'node',
    help: false,
    variant: (options['variant'] as Variant | undefined) ?? null,
    im2col: (options['im2col'] as boolean | undefined) ?? null,
    settings: {
      ...DEFAULT_MODEL_SETTINGS,
      network: (options['network'] as ModelBenchSettings['network'] | undefined) ?? DEFAULT_MODEL_SETTINGS.network,
      decoderAttention: (options['decoderAttention'] as string | undefined) ?? DEFAULT_MODEL_SETTINGS.decoderAttention,
      encoder: (options['backbone'] as string | undefined) ?? (options['encoder'] as string | undefined) ?? DEFAULT_MODEL_SETTINGS.encoder,
      resolution: options['resolution'] as number,
      batches: options['batch'] as number[],
      passes: options['passes'] as ModelPass[],
      repeats: options['repeats'] as number,
      steps: options['steps'] as number,
      warmup: options['warmup'] as number,
      maxSeconds: options['maxSeconds'] as number,
      profile: options['profile'] as boolean,
      seed: options['seed'] as number,
      peer: (options['peer'] as string | undefined) ?? null,
    },
  };
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

/** commander's option list of a suite, without its usage line. */
const optionList = (command: Command): string => command.helpInformation({ error: false }).replace(/^[\s\S]*?Options:\n/, '').trimEnd();

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

all (--no-write, --node-only, --browser-only, --adapter, --browser-adapters and --force-gpu-rows are passed to both
suites; without --browser-adapters each suite keeps its own: the kernels run Chromium on swiftshader and compat, the
model on swiftshader; on a hardware adapter the GPU-sized rows are added; where no hardware adapter is exposed one
line says so and which flags were tried, and the run goes on with the software adapters):
${optionList(allCommand())}

  --quick is a smoke run of both suites (~35-60 min here, mostly the kernels): the kernels with
    ${QUICK_KERNEL_ARGUMENTS.join(' ')}
  and the model with
    ${QUICK_MODEL_ARGUMENTS.join(' ')}
  The full run takes hours on these
  CPU adapters: the kernels suite ~1.5-2 h (Node ~20 min, Chromium SwiftShader ~45 min, compat ~15 min at --repeats
  5), the model suite (Linknet-B6 at 256², batch 1 and 8, forward and training step) ~40 min in Node and 4-6 h in
  Chromium SwiftShader, where one B6 training step at batch 1 takes ~10 min. If one suite fails the other still runs
  and writes its results; the exit code is 1 if either failed. For any other option run the suites one at a time.

kernels:
${optionList(kernelsCommand())}
  -h, --help                 this text

The kernels suite writes bench/results/<stamp>-<adapter>.json per adapter, appends a table per adapter to
bench/RESULTS.md, draws bench/results/<stamp>-kernels.svg and regenerates bench/report.html. The model suite writes
bench/results/<stamp>-model-<adapter>.json and <stamp>-model.svg (ours vs the peer per row and adapter), appends
its sections to RESULTS.md and regenerates the report. Figures on these shared 2-vCPU machines are noisy: compare
rows within one run only.`;

export const MODEL_USAGE = `Usage: pnpm bench model [options]

A segmentation network (Linknet-EfficientNet by default; seeded weights, input and ellipse targets), per batch size:
a forward pass (eval mode, no grad) and a training step (train mode: forward, Dice loss, backward, Adam step), in Node (Dawn)
and in headless Chromium. Per row: cold run (pipeline compilation included), warm median and p90 wall-clock,
images/s, peak GPU memory (the buffer pool's live bytes), GPU time per kernel from one profiled run, and the time
relative to PyTorch 1.13 on this CPU (Linknet-B6 at 256² only: forward 0.23 s / 1.49 s, forward + backward
1.06 s / 6.0 s at batch 1 / 8).

Options:
${optionList(modelCommand())}
  --node-only, --browser-only are --runtime node, --runtime chromium; on a hardware adapter the GPU-sized rows
  (Linknet-B6 at 256² batch 1, 8, 32 and at 512² batch 8, forward and training step) are added after the rows asked for
  -h, --help                 this text

A quick run: pnpm bench model --encoder efficientnet-b0 --resolution 64 --batch 1,2 --repeats 3 --steps 2
Writes bench/results/<stamp>-model-<adapter>.json per adapter and the run's chart bench/results/<stamp>-model.svg
(warm median of ours and the peer per row and adapter, log scale), appends a section per adapter to
bench/RESULTS.md and regenerates bench/report.html. Plain \`pnpm bench\` runs this suite with --peer ort after the
kernel suite. Linknet-B6 at 256² on a CPU adapter takes seconds per forward and minutes per
training step at batch 8: the defaults keep a full run to about an hour on lavapipe. Figures on these shared
2-vCPU machines are noisy (the load average is recorded): compare rows within one run only.`;
