/** Command-line arguments of `pnpm bench model`. */
import { ENCODERS } from '@ulseg/model';
import { parseBrowserAdapters, parseNodeAdapter, type BrowserAdapterChoice, type NodeAdapterChoice } from '../adapters.js';
import { UsageError } from '../usage-error.js';
import { DEFAULT_MODEL_SETTINGS } from './model-config.js';
import { modelPeerNames } from './peer.js';
import { MODEL_PASSES, type ModelBenchSettings, type ModelPass } from './schema.js';

export const MODEL_USAGE = `Usage: pnpm bench model [options]

Linknet on an EfficientNet encoder (seeded weights, input and ellipse targets), per batch size: a forward pass
(eval mode, no grad) and a training step (train mode: forward, Dice loss, backward, Adam step), in Node (Dawn)
and in headless Chromium. Per row: cold run (pipeline compilation included), warm median and p90 wall-clock,
images/s, peak GPU memory (the buffer pool's live bytes), GPU time per kernel from one profiled run, and the time
relative to PyTorch 1.13 on this CPU (Linknet-B6 at 256² only: forward 0.23 s / 1.49 s, forward + backward
1.06 s / 6.0 s at batch 1 / 8).

Options:
  --encoder <name>            efficientnet-b0 ... efficientnet-b7 (default ${DEFAULT_MODEL_SETTINGS.encoder})
  --resolution <px>           square input side, a multiple of 32 (default ${DEFAULT_MODEL_SETTINGS.resolution})
  --batch <list>              batch sizes, comma-separated (default ${DEFAULT_MODEL_SETTINGS.batches.join(',')})
  --passes <list>             forward, train-step, comma-separated (default both)
  --repeats <n>               timed forward passes per batch size (default ${DEFAULT_MODEL_SETTINGS.repeats})
  --steps <n>                 timed training steps per batch size (default ${DEFAULT_MODEL_SETTINGS.steps})
  --warmup <n>                untimed runs per row, the cold run and the profiled run included (default ${DEFAULT_MODEL_SETTINGS.warmup})
  --max-seconds <s>           stop a row's timed runs after <s> seconds once one is done (default ${DEFAULT_MODEL_SETTINGS.maxSeconds})
  --no-profile                skip the profiled run (GPU time per kernel: one run with a timestamped pass per dispatch)
  --seed <n>                  seed of the weights, the input and the targets (default ${DEFAULT_MODEL_SETTINGS.seed})
  --runtime <where>           node, chromium or both (default both): where the rows run, as \`ulseg train --runtime\`
  --node-only                 the same as --runtime node
  --browser-only              the same as --runtime chromium
  --adapter <kind>            Node adapter: lavapipe (default), swiftshader, hardware (the GPU, high-performance)
                              or auto (hardware, else lavapipe, else SwiftShader)
  --variant <core>            Node only: the GEMM core of gemm and the 1x1 convolutions (tiled = the previous kernels,
                              lanes, subgroup) instead of the device profile's choice
  --browser-adapters <list>   Chromium adapters, comma-separated: swiftshader (default), compat, hardware (the GPU
                              through Vulkan / Metal / D3D12; dropped with one line when Chromium exposes none),
                              auto (hardware, else swiftshader)
  --force-gpu-rows            add the GPU-sized rows on any adapter: on a hardware adapter they are always added
                              (Linknet-B6 at 256² batch 1, 8, 32 and at 512² batch 8, forward and training step,
                              beside the rows asked for); on a CPU adapter this runs them at a small size
                              (Linknet-B0 at 64² batch 2 and at 96² batch 1)
  --peer <name>               also run a model peer on the same rows (bench/src/model/peer.ts; registered: ${modelPeerNames().join(', ') || 'none yet'})
  --no-write                  print only: write no JSON, RESULTS.md or report
  -h, --help                  this text

A quick run: pnpm bench model --encoder efficientnet-b0 --resolution 64 --batch 1,2 --repeats 3 --steps 2
Writes bench/results/<stamp>-model-<adapter>.json per adapter and the run's chart bench/results/<stamp>-model.svg
(warm median of ours and the peer per row and adapter, log scale), appends a section per adapter to
bench/RESULTS.md and regenerates bench/report.html. Plain \`pnpm bench\` runs this suite with --peer ort after the
kernel suite. Linknet-B6 at 256² on a CPU adapter takes seconds per forward and minutes per
training step at batch 8: the defaults keep a full run to about an hour on lavapipe. Figures on these shared
2-vCPU machines are noisy (the load average is recorded): compare rows within one run only.`;

export interface ModelArguments {
  readonly help: boolean;
  readonly settings: ModelBenchSettings;
  readonly node: boolean;
  readonly browser: boolean;
  readonly adapter: NodeAdapterChoice;
  /** `--variant`: the GEMM core forced in Node (device profile override), or null for the profile's. */
  readonly variant: 'tiled' | 'lanes' | 'subgroup' | null;
  readonly browserAdapters: readonly BrowserAdapterChoice[];
  /** `--force-gpu-rows`: the GPU-sized rows on a CPU adapter too (at a small size). */
  readonly forceGpuRows: boolean;
  readonly write: boolean;
}

function positiveInteger(flag: string, value: string | undefined): number {
  const number = Number(value);
  if (value === undefined || value.startsWith('--') || !Number.isInteger(number) || number <= 0) {
    throw new UsageError(`${flag} needs a positive integer, got '${value ?? ''}'`);
  }
  return number;
}

function list(flag: string, value: string | undefined): string[] {
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a comma-separated list`);
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw new UsageError(`${flag} needs at least one value`);
  return items;
}

/** Parses the arguments after `model` (a leading `--` from pnpm is ignored). */
export function parseModelArguments(argv: readonly string[]): ModelArguments {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const settings = { ...DEFAULT_MODEL_SETTINGS } as { -readonly [K in keyof ModelBenchSettings]: ModelBenchSettings[K] };
  const parsed = {
    help: false,
    node: true,
    browser: true,
    adapter: 'lavapipe' as ModelArguments['adapter'],
    variant: null as ModelArguments['variant'],
    browserAdapters: ['swiftshader'] as ModelArguments['browserAdapters'],
    forceGpuRows: false,
    write: true,
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const next = (): string | undefined => args[++index];
    switch (arg) {
      case '-h':
      case '--help':
        parsed.help = true;
        break;
      case '--encoder': {
        const name = next() ?? '';
        if (!(name in ENCODERS)) throw new UsageError(`--encoder must be one of ${Object.keys(ENCODERS).join(', ')}, not '${name}'`);
        settings.encoder = name;
        break;
      }
      case '--resolution': {
        const size = positiveInteger(arg, next());
        if (size % 32 !== 0) throw new UsageError(`--resolution must be a multiple of 32 (the encoder downsamples 5 times), got ${size}`);
        settings.resolution = size;
        break;
      }
      case '--batch':
        settings.batches = [...new Set(list(arg, next()).map((item) => positiveInteger(arg, item)))];
        break;
      case '--passes': {
        const passes = list(arg, next());
        for (const pass of passes) if (!MODEL_PASSES.includes(pass as ModelPass)) throw new UsageError(`--passes: unknown '${pass}' (${MODEL_PASSES.join(', ')})`);
        settings.passes = MODEL_PASSES.filter((pass) => passes.includes(pass));
        break;
      }
      case '--repeats':
        settings.repeats = positiveInteger(arg, next());
        break;
      case '--steps':
        settings.steps = positiveInteger(arg, next());
        break;
      case '--warmup':
        settings.warmup = positiveInteger(arg, next());
        break;
      case '--max-seconds': {
        const value = next();
        const seconds = Number(value);
        if (value === undefined || !Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--max-seconds needs a positive number, got '${value ?? ''}'`);
        settings.maxSeconds = seconds;
        break;
      }
      case '--no-profile':
        settings.profile = false;
        break;
      case '--seed': {
        const value = next();
        const seed = Number(value);
        if (value === undefined || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed needs an integer in [0, 2^32), got '${value ?? ''}'`);
        settings.seed = seed;
        break;
      }
      case '--runtime': {
        const where = next();
        if (where !== 'node' && where !== 'chromium' && where !== 'both') throw new UsageError(`--runtime must be node, chromium or both, not '${where ?? ''}'`);
        parsed.node = where !== 'chromium';
        parsed.browser = where !== 'node';
        break;
      }
      case '--node-only':
        parsed.browser = false;
        break;
      case '--browser-only':
        parsed.node = false;
        break;
      case '--adapter':
        parsed.adapter = parseNodeAdapter(next());
        break;
      case '--force-gpu-rows':
        parsed.forceGpuRows = true;
        break;
      case '--variant': {
        const core = next();
        if (core !== 'tiled' && core !== 'lanes' && core !== 'subgroup') throw new UsageError(`--variant must be tiled, lanes or subgroup, not '${core ?? ''}'`);
        parsed.variant = core;
        break;
      }
      case '--browser-adapters':
        parsed.browserAdapters = parseBrowserAdapters(next());
        break;
      case '--peer': {
        const name = next() ?? '';
        if (!modelPeerNames().includes(name)) {
          throw new UsageError(`--peer: no model peer named '${name}' (registered: ${modelPeerNames().join(', ') || 'none yet'}; see bench/src/model/peer.ts)`);
        }
        settings.peer = name;
        break;
      }
      case '--no-write':
        parsed.write = false;
        break;
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option '${arg}' for the model suite` : `unexpected argument '${arg}' (one suite at a time)`);
    }
  }
  if (!parsed.node && !parsed.browser) throw new UsageError('--node-only and --browser-only exclude each other');
  return { ...parsed, settings };
}
