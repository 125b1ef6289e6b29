/** What the Node side and a bench page say to each other (no Node or DOM APIs here). */
import type { AdapterKind, GpuInfo } from '@ulseg/kernels';
import type { AdapterDetails } from '../adapter-details.js';
import type { ModelBenchSettings, ModelDescription, ModelRow } from '../model/schema.js';
import type { BenchmarkResult, RunSettings } from '../schema.js';

/** What every page's `run(options)` gets: the adapter the harness launched Chromium for. */
export interface PageRunBase {
  /** `chromium/swiftshader`, `chromium/compat`: prefixes the progress lines. */
  readonly label: string;
  readonly kind: AdapterKind;
  readonly featureLevel: 'core' | 'compatibility';
}

/** The kernels page (page.ts). */
export interface PageRunOptions extends PageRunBase {
  readonly settings: RunSettings;
  /** Names of the benchmarks to run, in order. */
  readonly names: readonly string[];
}

export interface KernelsPageDone {
  readonly results: BenchmarkResult[];
  readonly copyBandwidthGBs: number | null;
  readonly peer: { name: string; version: string; device: string } | null;
  readonly notes: string[];
}

/** The model page (model-page.ts). */
export interface ModelPageRunOptions extends PageRunBase {
  readonly settings: ModelBenchSettings;
}

export interface ModelPageDone {
  readonly model: ModelDescription;
  readonly rows: ModelRow[];
  readonly peer: { name: string; version: string; device: string } | null;
  readonly notes: string[];
}

/** A page's events: ready, gpu, line*, then done (the suite's outcome) or fatal. */
export type PageEvent<Done> =
  | { type: 'ready'; userAgent: string; benchmarks: number }
  | { type: 'gpu'; info: GpuInfo; adapterFeatures: string[]; details: AdapterDetails }
  | { type: 'line'; line: string }
  | ({ type: 'done' } & Done)
  | { type: 'fatal'; error: string };

export const BINDING = '__ulsegBenchEmit';

/** The global each page installs its `run(options)` under. */
export const PAGE_ENTRY = { kernels: '__ulsegBench', model: '__ulsegModelBench' } as const;
