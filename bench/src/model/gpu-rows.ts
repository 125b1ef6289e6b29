/**
 * The model suite's GPU-sized rows: on a hardware adapter (or with `--force-gpu-rows`), after the rows asked for,
 * Linknet-B6 at 256² with batch 1, 8 and 32 and at 512² with batch 8, forward and training step. On a CPU adapter
 * `--force-gpu-rows` runs the same path at a small size (Linknet-B0 at 64² batch 2 and at 96² batch 1: not below
 * 64², where batch 1 would leave training batch norm one value per channel at the 1x1 bottom). Rows the
 * main run already has (same encoder, resolution, pass and batch) are not run twice. The same code in Node and in
 * the bench page.
 */
import type { ResolvedAdapterKind } from '@ulseg/kernels';
import { gpuRowSize, type GpuRowSize } from '../families/gpu-sized.js';
import type { ModelBenchSettings, ModelRow } from './schema.js';
import { runModelSuite, type ModelSuiteEnvironment, type ModelSuiteOutcome } from './suite.js';

export interface GpuModelRun {
  readonly encoder: string;
  readonly resolution: number;
  readonly batches: readonly number[];
}

export const GPU_MODEL_RUNS: Readonly<Record<GpuRowSize, readonly GpuModelRun[]>> = {
  full: [
    { encoder: 'efficientnet-b6', resolution: 256, batches: [1, 8, 32] },
    { encoder: 'efficientnet-b6', resolution: 512, batches: [8] },
  ],
  small: [
    { encoder: 'efficientnet-b0', resolution: 64, batches: [2] },
    { encoder: 'efficientnet-b0', resolution: 96, batches: [1] },
  ],
};

/** `B6 512²`: the model and size a GPU row names first. */
export const gpuRowPrefix = (run: Pick<GpuModelRun, 'encoder' | 'resolution'>): string =>
  `${run.encoder.replace('efficientnet-', '').toUpperCase()} ${run.resolution}²`;

/**
 * The main rows (settings as asked), then on a hardware adapter or when forced the GPU rows, each named with its
 * model and size. Every row carries its model's forward multiply-adds (the fraction of FP32 peak needs them).
 */
export async function runModelSuiteWithGpuRows(environment: ModelSuiteEnvironment, settings: ModelBenchSettings): Promise<ModelSuiteOutcome> {
  const main = await runModelSuite(environment, settings);
  const withMacs = (rows: readonly ModelRow[], macs: number, prefix: string): ModelRow[] =>
    rows.map((row) => ({ ...row, name: prefix ? `${prefix} ${row.name}` : row.name, forwardMacsPerImage: macs }));
  const rows = withMacs(main.rows, main.model.forwardMacsPerImage, '');
  const notes = [...main.notes];
  const size = gpuRowSize(environment.gpu.info.kind as ResolvedAdapterKind, settings.forceGpuRows ?? false);
  if (size) {
    for (const run of GPU_MODEL_RUNS[size]) {
      const same = run.encoder === settings.encoder && run.resolution === settings.resolution;
      const passes = ['forward', 'train-step'] as const;
      for (const pass of passes) {
        const batches = run.batches.filter((batch) => !(same && settings.passes.includes(pass) && settings.batches.includes(batch)));
        if (batches.length === 0) continue;
        environment.log(`[${environment.label}] GPU rows: ${gpuRowPrefix(run)} ${pass} batch ${batches.join(', ')}${size === 'small' ? ' (small size: --force-gpu-rows on a CPU adapter)' : ''}`);
        const outcome = await runModelSuite(environment, { ...settings, encoder: run.encoder, resolution: run.resolution, batches, passes: [pass] });
        rows.push(...withMacs(outcome.rows, outcome.model.forwardMacsPerImage, gpuRowPrefix(run)));
        notes.push(...outcome.notes.map((note) => `${gpuRowPrefix(run)}: ${note}`));
      }
    }
  }
  return { ...main, rows, notes };
}
