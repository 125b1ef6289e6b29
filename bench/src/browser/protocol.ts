/** What the Node side and the bench page say to each other (no Node or DOM APIs here). */
import type { AdapterKind, GpuInfo } from '@ulseg/kernels';
import type { AdapterDetails } from '../adapter-details.js';
import type { BenchmarkResult, RunSettings } from '../schema.js';

export interface PageRunOptions {
  /** `chromium/swiftshader`, `chromium/compat`: prefixes the progress lines. */
  readonly label: string;
  readonly kind: AdapterKind;
  readonly featureLevel: 'core' | 'compatibility';
  readonly settings: RunSettings;
  /** Names of the benchmarks to run, in order. */
  readonly names: readonly string[];
}

export type PageEvent =
  | { type: 'ready'; userAgent: string; benchmarks: number }
  | { type: 'gpu'; info: GpuInfo; adapterFeatures: string[]; details: AdapterDetails }
  | { type: 'line'; line: string }
  | {
      type: 'done';
      results: BenchmarkResult[];
      copyBandwidthGBs: number | null;
      peer: { name: string; version: string; device: string } | null;
      notes: string[];
    }
  | { type: 'fatal'; error: string };

export const BINDING = '__ulsegBenchEmit';
