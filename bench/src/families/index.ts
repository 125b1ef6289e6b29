/**
 * Every kernel benchmark, one module per family. To add one: write a Benchmark (definition.ts) in the family's
 * module, or a new module whose list is added here; name the kernel launchers it calls in `requires` (launchers.ts).
 */
import type { ResolvedAdapterKind } from '@ulseg/kernels';
import type { Benchmark } from '../definition.js';
import type { RunSettings } from '../schema.js';
import { adamBenchmarks } from './adam.js';
import { batchNormBenchmarks } from './batch-norm.js';
import { conv2dBenchmarks } from './conv2d.js';
import { convTranspose2dBenchmarks } from './conv-transpose2d.js';
import { copyBenchmarks } from './copy.js';
import { depthwiseBenchmarks } from './depthwise.js';
import { elementwiseBenchmarks } from './elementwise.js';
import { gpuRowSize, gpuSizedBenchmarks } from './gpu-sized.js';
import { matmulBenchmarks } from './matmul.js';
import { medianBenchmarks } from './median.js';
import { reduceBenchmarks } from './reduce.js';
import { squeezeExcitationBenchmarks } from './squeeze-excitation.js';

/** In run order: the copy bandwidth first (memory-bound rows are compared with it). */
export const KERNEL_BENCHMARKS: readonly Benchmark[] = [
  ...copyBenchmarks,
  ...elementwiseBenchmarks,
  ...reduceBenchmarks,
  ...matmulBenchmarks,
  ...conv2dBenchmarks,
  ...depthwiseBenchmarks,
  ...convTranspose2dBenchmarks,
  ...batchNormBenchmarks,
  ...squeezeExcitationBenchmarks,
  ...adamBenchmarks,
  ...medianBenchmarks,
];

/** Benchmarks whose `family name` contains `filter`, or one of its comma-separated parts (case-insensitive). */
export function selectBenchmarks(benchmarks: readonly Benchmark[], filter: string | null): Benchmark[] {
  const needles = (filter ?? '').toLowerCase().split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (needles.length === 0) return [...benchmarks];
  return benchmarks.filter((benchmark) => needles.some((needle) => `${benchmark.family} ${benchmark.name}`.toLowerCase().includes(needle)));
}

/**
 * The rows to run on an adapter: the given ones, then the GPU-sized rows (gpu-sized.ts) that pass the filter, on a
 * hardware adapter (full size) or with `--force-gpu-rows` (small size on a CPU adapter).
 */
export function withGpuRows(benchmarks: readonly Benchmark[], kind: ResolvedAdapterKind, settings: Pick<RunSettings, 'filter' | 'forceGpuRows'>): Benchmark[] {
  const size = gpuRowSize(kind, settings.forceGpuRows ?? false);
  return size ? [...benchmarks, ...selectBenchmarks(gpuSizedBenchmarks(size), settings.filter)] : [...benchmarks];
}
