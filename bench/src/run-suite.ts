/**
 * Runs a list of benchmarks on one Gpu (and the tfjs peer on the same device): the part of a run that is the same in
 * Node and in the browser page. Prints one progress line per benchmark.
 */
import { DeviceLostError, type Gpu } from '@ulseg/kernels';
import type { BenchContext, Benchmark, Recorder } from './definition.js';
import { formatOutcome, formatRatio } from './report/format.js';
import { KERNEL_LAUNCHERS } from './families/launchers.js';
import { measureLoop, summarise } from './measure.js';
import { seedOf, uniformArray } from './random.js';
import { isMeasurement, type BenchmarkResult, type Measurement, type Outcome, type RunSettings } from './schema.js';
import type { TfjsPeer } from './tfjs-peer.js';

export interface SuiteEnvironment {
  /** `node/lavapipe`, `chromium/compat`, ...: prefixes the progress lines. */
  readonly label: string;
  readonly gpu: Gpu;
  /** null when peers are off or tfjs could not start (the reason is in the run's notes). */
  readonly peer: TfjsPeer | null;
}

export interface SuiteOutcome {
  readonly results: BenchmarkResult[];
  /** GB/s of the row marked `copyBandwidth`; null when it did not run. */
  readonly copyBandwidthGBs: number | null;
}

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

function contextFor(gpu: Gpu, benchmark: Benchmark): BenchContext {
  let seed = seedOf(benchmark.name);
  return {
    gpu,
    launcher<T>(name: keyof typeof KERNEL_LAUNCHERS): T {
      if (!benchmark.requires.some((requirement) => requirement.name === name)) throw new Error(`${benchmark.name}: launcher '${name}' is not in the benchmark's requires list`);
      return KERNEL_LAUNCHERS[name] as T;
    },
    random(shape, low = -1, high = 1) {
      const count = shape.reduce((product, size) => product * size, 1);
      seed = (seed + 0x6d2b79f5) >>> 0;
      return gpu.upload(uniformArray(count, seed, low, high), shape, benchmark.name);
    },
  };
}

async function measureOurs(environment: SuiteEnvironment, benchmark: Benchmark, settings: RunSettings): Promise<Outcome> {
  const { gpu } = environment;
  await gpu.sync();
  const before = gpu.pool.stats();
  gpu.pool.resetPeak();
  let recorder: Recorder | undefined;
  try {
    recorder = await benchmark.setup(contextFor(gpu, benchmark));
    const run = recorder.run.bind(recorder);
    let peak = 0;
    let created = 0;
    const loop = await measureLoop(() => gpu.time(run), settings, () => {
      const stats = gpu.pool.stats();
      peak = stats.peakLiveBytes;
      created = stats.created;
    });
    const buffersCreatedWhileTimed = gpu.pool.stats().created - created;
    return summarise(loop, benchmark, { bytesAllocated: peak - before.liveBytes, buffersCreatedWhileTimed });
  } catch (error) {
    if (error instanceof DeviceLostError) throw error;
    return { status: 'error', error: describeError(error) };
  } finally {
    recorder?.dispose();
    await gpu.sync().catch(() => undefined);
    gpu.pool.trim();
  }
}

async function measurePeer(peer: TfjsPeer, benchmark: Benchmark, settings: RunSettings): Promise<Outcome> {
  const definition = benchmark.peer;
  if (!definition) return { status: 'skipped', reason: 'no tfjs equivalent' };
  const before = peer.allocatedBytes();
  let recorder: ReturnType<typeof definition.setup> | undefined;
  try {
    recorder = definition.setup(peer.tf);
    const run = recorder.run.bind(recorder);
    let allocated = 0;
    const loop = await measureLoop(() => peer.time(run), settings, () => {
      allocated = peer.allocatedBytes() - before;
    });
    // tfjs's buffer manager counts bytes, not buffer creations.
    return summarise(loop, benchmark, { bytesAllocated: allocated, buffersCreatedWhileTimed: null });
  } catch (error) {
    return { status: 'error', error: describeError(error) };
  } finally {
    recorder?.dispose();
    peer.trim();
  }
}

/** GB/s as a fraction of the copy bandwidth, for the memory-bound rows (metric gbs) but the copy-bandwidth row. */
function withCopyFraction(outcome: Outcome | null, bandwidth: number | null, applies: boolean): Outcome | null {
  if (!isMeasurement(outcome) || bandwidth === null || !applies || outcome.gbs === null) return outcome;
  const measured: Measurement = { ...outcome, copyFraction: outcome.gbs / bandwidth };
  return measured;
}

export async function runSuite(
  environment: SuiteEnvironment,
  benchmarks: readonly Benchmark[],
  settings: RunSettings,
  log: (line: string) => void = () => undefined,
): Promise<SuiteOutcome> {
  const results: BenchmarkResult[] = [];
  const width = Math.max(...benchmarks.map((benchmark) => benchmark.name.length), 10);
  for (const [index, benchmark] of benchmarks.entries()) {
    const counter = `${String(index + 1).padStart(String(benchmarks.length).length)}/${benchmarks.length}`;
    const prefix = `[${environment.label}] ${counter} ${benchmark.name.padEnd(width)}`;
    const ours = await measureOurs(environment, benchmark, settings);
    const runPeer = environment.peer && settings.peers && benchmark.peer;
    const tfjs: Outcome | null = runPeer && environment.peer ? await measurePeer(environment.peer, benchmark, settings) : null;
    const ratio = isMeasurement(ours) && isMeasurement(tfjs) ? tfjs.medianMs / ours.medianMs : null;
    const result: BenchmarkResult = {
      name: benchmark.name,
      family: benchmark.family,
      pass: benchmark.pass,
      shape: benchmark.shape,
      flops: benchmark.flops,
      bytes: benchmark.bytes,
      metric: benchmark.metric,
      note: benchmark.note ?? null,
      ours,
      tfjs,
      peerNote: benchmark.peer?.note ?? null,
      ratio,
    };
    results.push(result);
    const peerText = tfjs ? ` | tfjs ${formatOutcome(tfjs, benchmark.metric)}` : '';
    log(`${prefix} ours ${formatOutcome(ours, benchmark.metric)}${peerText}${ratio === null ? '' : ` | ours/tfjs ${formatRatio(ratio)}`}`);
  }
  const copyRow = results.find((_, index) => benchmarks[index]?.copyBandwidth);
  const copyBandwidthGBs = isMeasurement(copyRow?.ours ?? null) ? ((copyRow?.ours as Measurement).gbs ?? null) : null;
  const final = results.map((result, index) => {
    const applies = result.metric === 'gbs' && !benchmarks[index]?.copyBandwidth;
    return {
      ...result,
      ours: withCopyFraction(result.ours, copyBandwidthGBs, applies) as Outcome,
      tfjs: withCopyFraction(result.tfjs, copyBandwidthGBs, applies),
    };
  });
  return { results: final, copyBandwidthGBs };
}
