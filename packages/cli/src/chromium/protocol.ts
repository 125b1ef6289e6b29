/**
 * What the CLI (Node) and its Chromium page (page.ts) say to each other under `--runtime chromium`. The CLI starts a
 * job with `window.__ulsegRun(job)`; the page answers through the exposed `__ulsegEmit(event)` and asks the CLI to
 * draw curves with `__ulsegCurves(rows, fold)` (vega-lite stays in Node). Files go through the file service
 * (file-service.ts) with `files.token`. Everything here is plain JSON.
 */
import type { AdapterKind, GpuInfo } from '@ulseg/kernels';
import type { InferFolderSummary, InputResize, LoadMode, TtaView } from '@ulseg/infer';
import type { EpochRow, FoldResult, TrainConfig, TrainEvent } from '@ulseg/train';

export interface PageGpuRequest {
  readonly kind: AdapterKind;
  readonly featureLevel: 'core' | 'compatibility';
}

export interface FileServiceAccess {
  /** e.g. `http://127.0.0.1:41234/files/` */
  readonly url: string;
  readonly token: string;
}

/** What `ulseg train --runtime chromium` hands the page to train: the CLI's options, paths as given. */
export interface TrainFields {
  readonly config: TrainConfig;
  readonly foldFileList: string;
  readonly trainDatasetPath: string;
  readonly trainGtDatasetPath: string;
  readonly weightsPath: string;
  readonly kThFold?: number;
  readonly resume: boolean;
  readonly initWeights?: string;
  readonly augmentPreview?: number;
}

export interface TrainJob extends TrainFields {
  readonly command: 'train';
  readonly gpu: PageGpuRequest;
  readonly files: FileServiceAccess;
}

export interface InferJob {
  readonly command: 'infer';
  readonly gpu: PageGpuRequest;
  readonly files: FileServiceAccess;
  readonly weights: readonly string[];
  readonly input: string;
  readonly output: string;
  readonly probabilities?: string;
  readonly resolution: number;
  readonly views: readonly TtaView[];
  readonly threshold: number;
  readonly batchSize: number;
  readonly loadModels: LoadMode;
  readonly inputResize: InputResize;
  /** Block i of N of the images sorted by name (infer --shard). */
  readonly shard?: { readonly index: number; readonly count: number };
}

export interface InfoJob {
  readonly command: 'info';
  readonly gpu: PageGpuRequest;
}

export type PageJob = TrainJob | InferJob | InfoJob;

export type PageResult =
  | { readonly command: 'train'; readonly folds: readonly FoldResult[] }
  | { readonly command: 'augment-preview'; readonly path: string; readonly width: number; readonly height: number; readonly fold: number }
  | { readonly command: 'infer'; readonly summary: InferFolderSummary }
  | { readonly command: 'info'; readonly description: string };

export type PageEvent =
  | { readonly type: 'gpu'; readonly info: GpuInfo; readonly description: string; readonly adapterFeatures: readonly string[] }
  | { readonly type: 'print'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly type: 'train'; readonly event: TrainEvent }
  | { readonly type: 'infer-start'; readonly passes: number }
  | { readonly type: 'infer-model'; readonly index: number; readonly description: string }
  | { readonly type: 'infer-progress'; readonly done: number; readonly imagesDone: number; readonly images: number }
  | { readonly type: 'done'; readonly result: PageResult }
  | { readonly type: 'error'; readonly name: string; readonly message: string; readonly stack?: string };

export interface PageApi {
  __ulsegRun(job: PageJob): Promise<void>;
  /** Stops training after the current step (Ctrl-C in the terminal). */
  __ulsegAbort(): void;
}

export interface NodeApi {
  __ulsegEmit(event: PageEvent): Promise<void>;
  __ulsegCurves(rows: readonly EpochRow[], fold: number): Promise<string>;
}
