/**
 * The result schema every benchmark run writes (STYLE.md rule 11: adapter info, browser flags, warm-up, median and
 * p90, bytes allocated). One RunRecord per adapter per run: `bench/results/<stamp>-<adapter>.json`.
 */
import type { GpuInfo } from '@ulseg/kernels';
import type { AdapterDetails } from './adapter-details.js';
import type { Benchmark } from './definition.js';
import type { Fp32Peak } from './gpu-peaks.js';

export const SCHEMA = 'ulseg-bench/1';

export type TimingMethod = 'gpu-timestamps' | 'wall';

export interface Measurement {
  readonly status: 'ok';
  /** gpu-timestamps: span between timestamps written before and after the work in the same submit; wall: record + submit + onSubmittedWorkDone. */
  readonly timing: TimingMethod;
  /** Wall-clock ms of the first run (pipeline compilation included). */
  readonly coldMs: number;
  /** Untimed runs before the timed ones, the cold run included. */
  readonly warmup: number;
  /** Timed runs. */
  readonly repeats: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
  /** Median wall-clock ms of the timed runs (whatever `timing` is). */
  readonly wallMedianMs: number;
  readonly samplesMs: readonly number[];
  /** flops / median; null when the row has no flops. */
  readonly gflops: number | null;
  /** bytes / median. */
  readonly gbs: number | null;
  /** gbs over the run's measured copy bandwidth (copy rows and rows without bytes: null). */
  readonly copyFraction: number | null;
  /** Device bytes the implementation allocated for setup + the first run (pool peak over its level before). */
  readonly bytesAllocated: number;
  /** Buffers created on the device while the timed runs ran (0 when the pool recycles everything). */
  readonly buffersCreatedWhileTimed: number | null;
}

export interface Skipped {
  readonly status: 'skipped';
  readonly reason: string;
}

export interface Failed {
  readonly status: 'error';
  readonly error: string;
}

export type Outcome = Measurement | Skipped | Failed;

/** A row: its definition's identity and work (definition.ts), what it measured, and the peer's. */
export interface BenchmarkResult extends Pick<Benchmark, 'name' | 'family' | 'pass' | 'shape' | 'flops' | 'bytes' | 'metric'> {
  readonly note: string | null;
  readonly ours: Outcome;
  /** null when the row has no peer or peers were switched off. */
  readonly tfjs: Outcome | null;
  readonly peerNote: string | null;
  /** Speed ratio ours/tfjs = tfjs median ms / ours median ms (> 1: ours is faster); null unless both ran. */
  readonly ratio: number | null;
}

export interface RunSettings {
  readonly warmup: number;
  readonly repeats: number;
  readonly maxSeconds: number;
  readonly filter: string | null;
  readonly peers: boolean;
  /** `--peer-when-missing` of older records (the rows of kernels not written yet); gone with those rows. */
  readonly peerWhenMissing?: boolean;
  /** `--force-gpu-rows`: the GPU-sized rows on a CPU adapter too, at their small size (absent in older records). */
  readonly forceGpuRows?: boolean;
}

export interface RunRecord {
  readonly schema: typeof SCHEMA;
  readonly suite: 'kernels';
  /** ISO date of the start of the run. */
  readonly date: string;
  /** File-name form of the invocation's start, shared by every record of one invocation: 2026-11-26T23-10. */
  readonly stamp: string;
  /** `node/lavapipe`, `node/swiftshader`, `chromium/swiftshader`, `chromium/compat`. */
  readonly label: string;
  readonly command: string;
  readonly git: { readonly commit: string | null; readonly dirty: boolean | null };
  readonly host: {
    readonly node: string;
    readonly platform: string;
    readonly cpuModel: string;
    readonly cpus: number;
    /** 1, 5 and 15 minute load averages at the start of this adapter's run. */
    readonly loadAverage: readonly number[];
  };
  readonly runtime: {
    readonly kind: 'node' | 'chromium';
    /** Chromium's version (`Chrome/156...`); null in Node. */
    readonly browser: string | null;
    readonly userAgent: string | null;
    readonly flags: readonly string[];
    /** Environment given to the GPU process (e.g. VK_ICD_FILENAMES). */
    readonly env: Readonly<Record<string, string>>;
  };
  readonly adapter: GpuInfo;
  /** Vendor, architecture, device, driver, backend, type and limits as the runtime reported them (absent in older records). */
  readonly adapterDetails?: AdapterDetails;
  /** The adapter's FP32 peak from the table of known GPUs (gpu-peaks.ts); null when unknown (absent in older records). */
  readonly fp32Peak?: Fp32Peak | null;
  readonly settings: RunSettings;
  readonly peer: { readonly name: string; readonly version: string; readonly device: string } | null;
  /** GB/s of the `copy` family's buffer-to-buffer copy in this run; null when it did not run. */
  readonly copyBandwidthGBs: number | null;
  readonly results: readonly BenchmarkResult[];
  readonly wallSeconds: number;
  readonly notes: readonly string[];
}

export const isMeasurement = (outcome: Outcome | null): outcome is Measurement => outcome?.status === 'ok';
