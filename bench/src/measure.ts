/**
 * One implementation's measurement loop, the same for ours and the peer: a cold run (pipeline compilation
 * included, reported on its own), more untimed warm-up runs, then timed repeats until `repeats` or the time budget
 * (never fewer than MIN_REPEATS). Statistics are taken over GPU timestamps when every timed run has them, else over
 * wall-clock.
 */
import type { Measurement, RunSettings, TimingMethod } from './schema.js';

export const MIN_REPEATS = 3;

export interface Sample {
  readonly wallMs: number;
  readonly gpuMs?: number;
}

export interface LoopResult {
  readonly cold: Sample;
  readonly warmup: number;
  readonly samples: readonly Sample[];
}

/** Value at quantile q (0..1) of sorted values, linear between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[above] ?? low;
  return low + (high - low) * (position - below);
}

export async function measureLoop(
  once: () => Promise<Sample>,
  settings: Pick<RunSettings, 'warmup' | 'repeats' | 'maxSeconds'>,
  beforeTimed: () => void = () => undefined,
): Promise<LoopResult> {
  const cold = await once();
  const warmup = Math.max(1, settings.warmup);
  for (let index = 1; index < warmup; index++) await once();
  beforeTimed();
  const samples: Sample[] = [];
  const started = performance.now();
  const wanted = Math.max(1, settings.repeats);
  while (samples.length < wanted) {
    samples.push(await once());
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed > settings.maxSeconds && samples.length >= Math.min(MIN_REPEATS, wanted)) break;
  }
  return { cold, warmup, samples };
}

export interface Work {
  readonly flops: number;
  readonly bytes: number;
}

export function summarise(
  loop: LoopResult,
  work: Work,
  memory: { bytesAllocated: number; buffersCreatedWhileTimed: number | null },
): Measurement {
  const gpu = loop.samples.every((sample) => sample.gpuMs !== undefined);
  const timing: TimingMethod = gpu ? 'gpu-timestamps' : 'wall';
  const values = loop.samples.map((sample) => (gpu ? (sample.gpuMs as number) : sample.wallMs));
  const sorted = [...values].sort((a, b) => a - b);
  const walls = loop.samples.map((sample) => sample.wallMs).sort((a, b) => a - b);
  const medianMs = quantile(sorted, 0.5);
  const seconds = medianMs / 1000;
  return {
    status: 'ok',
    timing,
    coldMs: loop.cold.wallMs,
    warmup: loop.warmup,
    repeats: values.length,
    medianMs,
    p90Ms: quantile(sorted, 0.9),
    minMs: sorted[0] ?? Number.NaN,
    wallMedianMs: quantile(walls, 0.5),
    samplesMs: values.map((value) => Number(value.toFixed(4))),
    gflops: work.flops > 0 && seconds > 0 ? work.flops / seconds / 1e9 : null,
    gbs: work.bytes > 0 && seconds > 0 ? work.bytes / seconds / 1e9 : null,
    copyFraction: null,
    bytesAllocated: memory.bytesAllocated,
    buffersCreatedWhileTimed: memory.buffersCreatedWhileTimed,
  };
}
