/**
 * The model benchmark's record: the kernel suite's run metadata (schema.ts: git, host with load average, runtime
 * and browser flags, adapter) with `suite: 'model'`, the model's configuration, and one row per (pass, batch).
 * One record per adapter per run: `bench/results/<stamp>-model-<adapter>.json`.
 */
import type { DispatchProfile, KernelTime } from '@ulseg/kernels';
import type { Failed, RunRecord, Skipped } from '../schema.js';

export type ModelPass = 'forward' | 'train-step';

export const MODEL_PASSES: readonly ModelPass[] = ['forward', 'train-step'];

export interface ModelBenchSettings {
  /** linknet or unet (records before the networks: linknet). */
  readonly network?: string;
  /** Unet's decoder attention: none or scse. */
  readonly decoderAttention?: string;
  /** The backbone: resnet18/34/50, efficientnet-b0 … b7. */
  readonly encoder: string;
  /** Square input side (a multiple of 32). */
  readonly resolution: number;
  readonly inChannels: number;
  readonly classes: number;
  readonly batches: readonly number[];
  readonly passes: readonly ModelPass[];
  /** Timed forward passes per batch size. */
  readonly repeats: number;
  /** Timed training steps per batch size. */
  readonly steps: number;
  /** Untimed runs per row before the timed ones, the cold run and the profiled run included. */
  readonly warmup: number;
  /** Stop timing a row after this many seconds once one timed run is done. */
  readonly maxSeconds: number;
  /** Time every dispatch of one untimed run per row (needs timestamp-query). */
  readonly profile: boolean;
  /** Seeds the weights (the model's initialisation), the input and the target. */
  readonly seed: number;
  /** A model peer's name (see peer.ts), or null. */
  readonly peer: string | null;
  /** `--force-gpu-rows`: the GPU-sized rows (gpu-rows.ts) on a CPU adapter too, at their small size (absent in older records). */
  readonly forceGpuRows?: boolean;
}

/** What one implementation measured for a row. */
export interface ModelMeasurement {
  readonly status: 'ok';
  /** Wall-clock of the first run in this process for the row (pipeline compilation included where it happens). */
  readonly coldMs: number;
  /** Pipelines created during the cold run (0: everything it needed was compiled by earlier rows). */
  readonly coldPipelines: number;
  readonly warmup: number;
  readonly repeats: number;
  /** Wall-clock from the start of recording to the device finishing the work: what a user waits. */
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
  readonly samplesMs: readonly number[];
  /** Median GPU span (timestamps before and after the run, in the same submits); null without timestamp-query. */
  readonly gpuMedianMs: number | null;
  /** batch / median seconds. */
  readonly imagesPerSecond: number;
  /** Live pool bytes before the row (weights, BN buffers, optimiser state, inputs). */
  readonly baseBytes: number;
  /** Highest live pool bytes during the row (cold, warm-up and timed runs). */
  readonly peakBytes: number;
  /** Buffers the pool created during the timed runs (0 when it recycles everything). */
  readonly buffersCreatedWhileTimed: number;
  /** Dispatches and submits of the last timed run (steady state; the cold run's are in the log). */
  readonly dispatchesPerRun: number;
  readonly submitsPerRun: number;
  /** Training rows: the Dice loss after each run (cold first); finite values show the step really trains. */
  readonly losses: readonly number[] | null;
}

export type ModelOutcome = ModelMeasurement | Skipped | Failed;

/** A peer's measurement of the same row (see peer.ts). */
export interface PeerMeasurement {
  readonly status: 'ok';
  /** What ran: runtime, execution provider, adapter. */
  readonly runs: string;
  readonly coldMs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly samplesMs: readonly number[];
  readonly imagesPerSecond: number;
  readonly note: string | null;
}

export type PeerOutcome = PeerMeasurement | Skipped | Failed;

/** One profiled run's GPU time per kernel (KernelTime plus its share of the run's summed dispatch time). */
export interface KernelShare extends KernelTime {
  readonly share: number;
}

export interface RowProfile extends Omit<DispatchProfile, 'byKernel' | 'byVariant'> {
  readonly byKernel: readonly KernelShare[];
  /** The most expensive specialisations (name and override constants), at most 40. */
  readonly byVariant: readonly KernelShare[];
}

export interface ModelRow {
  /** `forward b1`, `train-step b8`; a GPU row names its model and size first: `B6 512² forward b8`. */
  readonly name: string;
  /** Convolution multiply-adds of one image's forward pass for the row's model and size (absent in older records). */
  readonly forwardMacsPerImage?: number;
  readonly pass: ModelPass;
  readonly batch: number;
  readonly ours: ModelOutcome;
  /** Per-kernel GPU time of one untimed run; null when profiling was off or unavailable (reason in notes). */
  readonly profile: RowProfile | null;
  /** PyTorch 1.13 on this CPU for the same work, where we have the figure (B6 at 256², 1 channel). */
  readonly pytorchMs: number | null;
  /** ours median / PyTorch (> 1: ours is slower); null without a PyTorch figure. */
  readonly timeVsPyTorch: number | null;
  readonly peer: PeerOutcome | null;
  /** ours median / peer median (> 1: ours is slower). */
  readonly timeVsPeer: number | null;
}

export interface ModelDescription {
  readonly name: string;
  readonly parameters: number;
  readonly stateDictEntries: number;
  /** Multiply-adds of one image's forward pass at the resolution (convolutions only). */
  readonly forwardMacsPerImage: number;
}

export type ModelRunRecord = Omit<RunRecord, 'suite' | 'settings' | 'peer' | 'copyBandwidthGBs' | 'results'> & {
  readonly suite: 'model';
  readonly settings: ModelBenchSettings;
  readonly model: ModelDescription;
  readonly peer: { readonly name: string; readonly version: string; readonly device: string } | null;
  readonly rows: readonly ModelRow[];
};
