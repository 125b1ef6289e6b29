/**
 * Rows sized for a GPU, added to the kernels suite on a hardware adapter (or with `--force-gpu-rows`): GEMM 4096³
 * and the ten costliest Linknet-B6 layer shapes (b6-layers.ts) at batch 32, each forward, input gradient and weight
 * gradient. On a CPU adapter `--force-gpu-rows` runs them at a small size (GEMM 256³; the layers at batch 1 and 1/8
 * of the side) so that the code path is exercised without the hours a full size takes there.
 */
import type { ResolvedAdapterKind } from '@ulseg/kernels';
import type { Benchmark } from '../definition.js';
import { tenMostExpensive } from './b6-layers.js';
import { convolutionRows } from './convolution.js';
import { matmulRow } from './matmul.js';

export type GpuRowSize = 'full' | 'small';

/** The GPU rows' size on an adapter: full on a hardware one, small on a CPU one when forced, else none. */
export function gpuRowSize(kind: ResolvedAdapterKind, force: boolean): GpuRowSize | null {
  if (kind === 'hardware') return 'full';
  return force ? 'small' : null;
}

export const GPU_BATCH = 32;
const GEMM_SIDE: Record<GpuRowSize, number> = { full: 4096, small: 256 };

export function gpuSizedBenchmarks(size: GpuRowSize): Benchmark[] {
  const side = GEMM_SIDE[size];
  const gemm = matmulRow({ M: side, N: side, K: side }, undefined, size === 'full' ? 'GPU row' : 'GPU row at its small size (--force-gpu-rows on a CPU adapter)');
  const layers = tenMostExpensive().map((layer) =>
    size === 'full'
      ? { ...layer, N: GPU_BATCH, note: `${layer.note} (GPU row)` }
      : { ...layer, N: 1, H: layer.H / 8, W: layer.W / 8, note: `${layer.note} (GPU row at its small size: batch 1, side / 8)` },
  );
  return [gemm, ...layers.flatMap((layer) => convolutionRows(layer))];
}
