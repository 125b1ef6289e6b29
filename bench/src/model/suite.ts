/**
 * The model benchmark itself, the same in Node and in the bench page: Linknet on an EfficientNet encoder with seeded
 * weights, a seeded input in [0, 1) and seeded ellipse targets; per batch size a forward row (eval mode, no grad)
 * and a training-step row (train mode: forward, Dice loss, backward, Adam step). Per row: a cold run (pipeline
 * compilation included), one profiled run (GPU time per kernel), more untimed runs up to `warmup`, then timed runs.
 * Progress is printed after every run: a B6 training step at batch 8 takes minutes on a CPU adapter.
 */
import { DeviceLostError, type Gpu } from '@ulseg/kernels';
import { F, noGrad, optim, scope, Tensor } from '@ulseg/autograd';
import { checkBackbone, checkDecoderAttention, checkNetwork, describeNetwork, SegmentationModel, type EncoderName } from '@ulseg/model';
import { quantile } from '../measure.js';
import { seedOf, uniformArray } from '../random.js';
import { formatBytes, formatNumber, formatRatio } from '../report/format.js';
import { formatSeconds } from './format.js';
import { forwardMacsPerImage } from './model-config.js';
import { pytorchMs } from './pytorch.js';
import { MODEL_PEERS, type ModelPeer } from './peer.js';
import type { KernelShare, ModelBenchSettings, ModelDescription, ModelMeasurement, ModelOutcome, ModelPass, ModelRow, PeerOutcome, RowProfile } from './schema.js';

export interface ModelSuiteEnvironment {
  /** `node/lavapipe`, `chromium/swiftshader`: prefixes the progress lines. */
  readonly label: string;
  readonly gpu: Gpu;
  readonly runtime: 'node' | 'chromium';
  readonly log: (line: string) => void;
}

export interface ModelSuiteOutcome {
  readonly model: ModelDescription;
  readonly rows: ModelRow[];
  readonly peer: { readonly name: string; readonly version: string; readonly device: string } | null;
  readonly notes: string[];
}

/** How many specialisations of kernels a row's profile keeps (the JSON stays readable). */
const VARIANTS_KEPT = 40;

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** The model input: seeded uniform [0, 1) values, [batch, channels, size, size]. */
export function modelInput(settings: ModelBenchSettings, batch: number): Float32Array {
  const count = batch * settings.inChannels * settings.resolution * settings.resolution;
  return uniformArray(count, (seedOf(`model input b${batch}`) ^ settings.seed) >>> 0, 0, 1);
}

/** Seeded training targets: one filled ellipse per image and class (centre in the middle half, radii 8-30%). */
export function modelTarget(settings: ModelBenchSettings, batch: number): Float32Array {
  const size = settings.resolution;
  const planes = batch * settings.classes;
  const draws = uniformArray(5 * planes, (seedOf(`model target b${batch}`) ^ settings.seed) >>> 0, 0, 1);
  const target = new Float32Array(planes * size * size);
  for (let plane = 0; plane < planes; plane++) {
    const [u0, u1, u2, u3, u4] = [0, 1, 2, 3, 4].map((offset) => draws[5 * plane + offset]!);
    const [cy, cx] = [size * (0.25 + 0.5 * u0!), size * (0.25 + 0.5 * u1!)];
    const [ry, rx] = [size * (0.08 + 0.22 * u2!), size * (0.08 + 0.22 * u3!)];
    const angle = Math.PI * u4!;
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        const u = (column - cx) * cos + (row - cy) * sin;
        const v = -(column - cx) * sin + (row - cy) * cos;
        if ((u / rx) ** 2 + (v / ry) ** 2 <= 1) target[(plane * size + row) * size + column] = 1;
      }
    }
  }
  return target;
}

function profileOf(profile: Awaited<ReturnType<Gpu['profile']>>): RowProfile {
  const share = (entries: readonly { kernel: string; dispatches: number; gpuMs: number }[]): KernelShare[] =>
    entries.map((entry) => ({ ...entry, share: profile.gpuMs > 0 ? entry.gpuMs / profile.gpuMs : 0 }));
  return { ...profile, byKernel: share(profile.byKernel), byVariant: share(profile.byVariant.slice(0, VARIANTS_KEPT)) };
}

/** One row's work as a recorder: `run` records it (no waiting); `settle` reads what it produced and frees it. */
interface RowWork {
  run(): void;
  /** The training loss of the run just done, or null. */
  settle(): Promise<number | null>;
}

interface RowResult {
  readonly ours: ModelOutcome;
  readonly profile: RowProfile | null;
}

async function measureRow(environment: ModelSuiteEnvironment, settings: ModelBenchSettings, name: string, batch: number, wanted: number, work: RowWork, notes: string[]): Promise<RowResult> {
  const { gpu, log } = environment;
  const prefix = `[${environment.label}] ${name}`;
  await gpu.sync();
  gpu.pool.trim();
  const baseBytes = gpu.pool.stats().liveBytes;
  gpu.pool.resetPeak();
  const losses: number[] = [];
  const record = async (loss: Promise<number | null>): Promise<void> => {
    const value = await loss;
    if (value !== null) losses.push(value);
  };

  const before = gpu.counters;
  const cold = await gpu.time(() => work.run());
  const after = gpu.counters;
  await record(work.settle());
  const coldDispatches = after.dispatches - before.dispatches;
  const coldSubmits = after.submits - before.submits;
  const coldPipelines = after.pipelines - before.pipelines;
  log(`${prefix}: cold ${formatSeconds(cold.wallMs)} (${coldPipelines} pipelines created, ${coldDispatches} dispatches in ${coldSubmits} submits)`);

  let untimed = 1;
  let profile: RowProfile | null = null;
  if (settings.profile && gpu.hasTimestamps) {
    profile = profileOf(await gpu.profile(() => work.run()));
    await record(work.settle());
    untimed++;
    const top = profile.byKernel.slice(0, 3).map((entry) => `${entry.kernel} ${(100 * entry.share).toFixed(0)}%`).join(', ');
    log(`${prefix}: profiled run ${formatSeconds(profile.wallMs)}, ${formatSeconds(profile.gpuMs)} of GPU time in ${profile.dispatches} dispatches (${top})`);
  } else if (settings.profile && !notes.some((note) => note.includes('timestamp-query'))) {
    notes.push('no per-kernel breakdown: this adapter has no timestamp-query');
  }
  while (untimed < settings.warmup) {
    await gpu.time(() => work.run());
    await record(work.settle());
    untimed++;
  }

  const createdBefore = gpu.pool.stats().created;
  const samples: { wallMs: number; gpuMs?: number }[] = [];
  const started = performance.now();
  // Dispatches and submits of the last timed run: the steady state (the cold run may do one-time work, e.g. BN folds).
  let dispatchesPerRun = coldDispatches;
  let submitsPerRun = coldSubmits;
  while (samples.length < wanted) {
    const counted = gpu.counters;
    const sample = await gpu.time(() => work.run());
    dispatchesPerRun = gpu.counters.dispatches - counted.dispatches;
    submitsPerRun = gpu.counters.submits - counted.submits;
    samples.push(sample);
    await record(work.settle());
    log(`${prefix}: run ${samples.length}/${wanted} ${formatSeconds(sample.wallMs)}, ${dispatchesPerRun} dispatches${losses.length ? ` (loss ${formatNumber(losses.at(-1)!)})` : ''}`);
    if ((performance.now() - started) / 1000 > settings.maxSeconds && samples.length < wanted) {
      log(`${prefix}: stopping after ${samples.length} timed runs (--max-seconds ${settings.maxSeconds})`);
      break;
    }
  }
  const stats = gpu.pool.stats();
  const walls = samples.map((sample) => sample.wallMs).sort((a, b) => a - b);
  const gpuTimes = samples.every((sample) => sample.gpuMs !== undefined) ? samples.map((sample) => sample.gpuMs!).sort((a, b) => a - b) : null;
  const medianMs = quantile(walls, 0.5);
  const measurement: ModelMeasurement = {
    status: 'ok',
    coldMs: cold.wallMs,
    coldPipelines,
    warmup: untimed,
    repeats: samples.length,
    medianMs,
    p90Ms: quantile(walls, 0.9),
    minMs: walls[0]!,
    samplesMs: samples.map((sample) => Number(sample.wallMs.toFixed(3))),
    gpuMedianMs: gpuTimes ? quantile(gpuTimes, 0.5) : null,
    imagesPerSecond: batch / (medianMs / 1000),
    baseBytes,
    peakBytes: stats.peakLiveBytes,
    buffersCreatedWhileTimed: stats.created - createdBefore,
    dispatchesPerRun,
    submitsPerRun,
    losses: losses.length ? losses : null,
  };
  return { ours: measurement, profile };
}

function forwardWork(model: SegmentationModel, x: Tensor): RowWork {
  return {
    run() {
      model.eval();
      scope(() => noGrad(() => model.forward(x))).dispose();
    },
    settle: () => Promise.resolve(null),
  };
}

function trainStepWork(model: SegmentationModel, optimizer: optim.Adam, x: Tensor, target: Tensor): RowWork {
  let loss: Tensor | undefined;
  return {
    run() {
      model.train();
      const step = scope(() => F.diceLoss(model.forward(x), target));
      optimizer.zeroGrad();
      step.backward();
      optimizer.step();
      loss = step;
    },
    async settle() {
      const current = loss;
      loss = undefined;
      if (!current) return null;
      try {
        return await current.item();
      } finally {
        current.dispose();
      }
    },
  };
}

async function measurePeer(peer: ModelPeer, settings: ModelBenchSettings, pass: ModelPass, batch: number, input: Float32Array, target: Float32Array | null): Promise<PeerOutcome> {
  const reason = peer.unsupported(pass);
  if (reason) return { status: 'skipped', reason };
  try {
    return await peer.measure({ pass, batch, input, target }, settings);
  } catch (error) {
    return { status: 'error', error: describeError(error) };
  }
}

function rowLine(row: ModelRow): string {
  const ours = row.ours;
  if (ours.status !== 'ok') return `${row.name}: ${ours.status === 'error' ? `ERROR ${ours.error}` : ours.reason}`;
  const versus = row.timeVsPyTorch === null ? '' : `, ${formatNumber(row.timeVsPyTorch)}x PyTorch's ${formatSeconds(row.pytorchMs!)}`;
  const peer = row.timeVsPeer === null ? '' : `, ours/peer time ${formatRatio(row.timeVsPeer)}`;
  return (
    `${row.name}: ${formatSeconds(ours.medianMs)} median of ${ours.repeats} (p90 ${formatSeconds(ours.p90Ms)}, cold ${formatSeconds(ours.coldMs)}), ` +
    `${formatNumber(ours.imagesPerSecond)} images/s${versus}${peer}; peak ${formatBytes(ours.peakBytes)}`
  );
}

export async function runModelSuite(environment: ModelSuiteEnvironment, settings: ModelBenchSettings): Promise<ModelSuiteOutcome> {
  const { gpu, log } = environment;
  const notes: string[] = [];
  const built = performance.now();
  const network = checkNetwork(settings.network ?? 'linknet');
  const attention = checkDecoderAttention(settings.decoderAttention ?? 'none', network);
  const model = new SegmentationModel(gpu, {
    network,
    encoder: checkBackbone(settings.encoder),
    decoderAttention: attention,
    inChannels: settings.inChannels,
    classes: settings.classes,
    seed: settings.seed,
  });
  const title =
    network === 'linknet' && settings.encoder.startsWith('efficientnet-')
      ? `Linknet-${settings.encoder.replace('efficientnet-', '').toUpperCase()}`
      : describeNetwork(network, settings.encoder, attention);
  const named = {
    name: `${title} (${settings.inChannels} channel${settings.inChannels === 1 ? '' : 's'}, ${settings.classes} class${settings.classes === 1 ? '' : 'es'})`,
    parameters: model.parameters().reduce((total, parameter) => total + parameter.size, 0),
    stateDictEntries: model.stateDict().length,
  };
  log(
    `[${environment.label}] ${named.name} at ${settings.resolution}x${settings.resolution}: ${named.parameters.toLocaleString('en-US')} parameters; ` +
      `built in ${formatSeconds(performance.now() - built)}`,
  );
  let peer: ModelPeer | null = null;
  if (settings.peer) {
    const factory = MODEL_PEERS[settings.peer];
    if (!factory) notes.push(`model peer '${settings.peer}' is not registered (bench/src/model/peer.ts)`);
    else {
      try {
        peer = await factory({ model, gpu, settings, runtime: environment.runtime, log });
      } catch (error) {
        notes.push(`model peer '${settings.peer}' unavailable: ${describeError(error)}`);
      }
    }
  }
  const rows: ModelRow[] = [];
  let optimizer: optim.Adam | undefined;
  let description: ModelDescription;
  try {
    for (const pass of settings.passes) {
      for (const batch of settings.batches) {
        const name = `${pass} b${batch}`;
        const shape = [batch, settings.inChannels, settings.resolution, settings.resolution];
        const input = modelInput(settings, batch);
        const target = pass === 'train-step' ? modelTarget(settings, batch) : null;
        const x = Tensor.fromArray(gpu, input, shape).keep();
        const t = target ? Tensor.fromArray(gpu, target, [batch, settings.classes, settings.resolution, settings.resolution]).keep() : undefined;
        let result: RowResult;
        try {
          if (pass === 'forward') result = await measureRow(environment, settings, name, batch, settings.repeats, forwardWork(model, x), notes);
          else {
            optimizer ??= new optim.Adam(model.parameters(), { learningRate: 1e-3 });
            result = await measureRow(environment, settings, name, batch, settings.steps, trainStepWork(model, optimizer, x, t!), notes);
          }
        } catch (error) {
          if (error instanceof DeviceLostError) throw error;
          result = { ours: { status: 'error', error: describeError(error) }, profile: null };
          await gpu.sync().catch(() => undefined);
        } finally {
          x.dispose();
          t?.dispose();
        }
        const reference = pytorchMs(settings, pass, batch);
        const peerOutcome = peer ? await measurePeer(peer, settings, pass, batch, input, target) : null;
        const ours = result.ours;
        const row: ModelRow = {
          name,
          pass,
          batch,
          ours,
          profile: result.profile,
          pytorchMs: reference,
          timeVsPyTorch: reference !== null && ours.status === 'ok' ? ours.medianMs / reference : null,
          peer: peerOutcome,
          timeVsPeer: ours.status === 'ok' && peerOutcome?.status === 'ok' ? ours.medianMs / peerOutcome.medianMs : null,
        };
        rows.push(row);
        log(`[${environment.label}] ${rowLine(row)}`);
      }
    }
    // Counted from a trace of the forward, which runs it: after the rows, so that the first row's cold run is the
    // one that creates the pipelines.
    description = { ...named, forwardMacsPerImage: forwardMacsPerImage(model, settings.resolution) };
    log(`[${environment.label}] ${named.name}: ${formatNumber(description.forwardMacsPerImage / 1e9)} GMAC per image at ${settings.resolution}x${settings.resolution}`);
  } finally {
    optimizer?.dispose();
    model.dispose();
    await peer?.dispose();
    await gpu.sync().catch(() => undefined);
    gpu.pool.trim();
  }
  return { model: description, rows, peer: peer ? { name: peer.name, version: peer.version, device: peer.device } : null, notes };
}
