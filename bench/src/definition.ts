/**
 * The benchmark definition format. One module per family under `families/` exports a list of these; the same
 * objects run in Node (Dawn) and in a headless Chromium page, on our kernels and on the tfjs peer.
 *
 * A benchmark's `setup` allocates its inputs and returns a recorder: `run()` records the measured work into the
 * Gpu's open batch (no submit, no wait: the harness brackets it with timestamps, submits and waits). Outputs are
 * preallocated in setup or released inside `run()`, so repeats do not grow the pool.
 */
import type { Gpu, GpuTensor } from '@ulseg/kernels';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { LauncherName } from './families/launchers.js';

export type Tf = typeof TfCore;
export type TfTensor = TfCore.Tensor;
export type TfTensor4D = TfCore.Tensor4D;

export const FAMILIES = [
  'copy',
  'elementwise',
  'reduce',
  'matmul',
  'conv2d',
  'depthwise',
  'conv-transpose2d',
  'batch-norm',
  'squeeze-excitation',
  'adam',
  'median',
] as const;
export type Family = (typeof FAMILIES)[number];

/** What part of the computation a row measures. */
export type Pass = 'forward' | 'backward-input' | 'backward-weight' | 'forward+backward' | 'step';

/** A kernel launcher the benchmark calls (families/launchers.ts). */
export interface Requirement {
  readonly name: LauncherName;
}

export interface Recorder {
  /** Records the measured work (dispatches, copies) into the Gpu's current batch. */
  run(): void;
  /** Releases what setup allocated. */
  dispose(): void;
}

export interface BenchContext {
  readonly gpu: Gpu;
  /** The launcher `name` from `requires`, typed by the caller (see families/launchers.ts). */
  launcher<T>(name: LauncherName): T;
  /** A pool tensor of `shape` filled with seeded uniform values in [low, high). */
  random(shape: readonly number[], low?: number, high?: number): GpuTensor;
}

export interface PeerRecorder {
  /** Runs the peer's op(s); returns the outputs, which the harness disposes after timing. */
  run(): TfTensor | TfTensor[];
  dispose(): void;
}

export interface Peer {
  /** How the peer's call differs from ours (layout, composition), shown in the reports. */
  readonly note: string;
  setup(tf: Tf): PeerRecorder;
}

export interface Benchmark {
  /** Unique; `--filter` matches a substring of `family name`. */
  readonly name: string;
  readonly family: Family;
  readonly pass: Pass;
  /** Sizes that define the work, e.g. `{ N: 8, C: 200, H: 16, W: 16, Cout: 1200, k: 1 }`. */
  readonly shape: Readonly<Record<string, number>>;
  /** Floating-point operations of one run (a multiply-add counts 2). */
  readonly flops: number;
  /** Minimum bytes one run must move: every input read once, every output written once. */
  readonly bytes: number;
  /** The throughput the chart shows: compute-bound rows GFLOP/s, memory-bound rows GB/s. */
  readonly metric: 'gflops' | 'gbs';
  readonly requires: readonly Requirement[];
  /** Where the shape comes from (e.g. `Linknet-B6 blocks 24-31 expand, x8`). */
  readonly note?: string;
  /** This row's GB/s is the adapter's copy bandwidth, which the other memory-bound rows are compared with. */
  readonly copyBandwidth?: boolean;
  setup(context: BenchContext): Recorder | Promise<Recorder>;
  readonly peer?: Peer;
}

/** Bytes of `count` float32 values. */
export const f32 = (count: number): number => count * 4;

export const numel = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

