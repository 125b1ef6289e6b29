/**
 * Matrix multiplication 1024x1024x1024 (the issue's GEMM reference shape): on the device profile's core, then on each
 * GEMM core by name (tiled = the previous kernel), so old and new stand in one table.
 */
import type { Benchmark } from '../definition.js';
import { f32 } from '../definition.js';
import { LAUNCHERS, releaseResult, type Gemm } from './launchers.js';

const CORES = [undefined, 'tiled', 'lanes', 'subgroup'] as const;

export type GemmCore = (typeof CORES)[number];

/** C[M,N] = A[M,K] B[K,N] on one GEMM core (undefined: the device profile's), with tfjs's matMul on the profile's row. */
export function matmulRow({ M, N, K }: { readonly M: number; readonly N: number; readonly K: number }, variant: GemmCore, note?: string): Benchmark {
  return {
    name: `matmul ${M}x${N}x${K}${variant ? ` ${variant} core` : ''}`,
    family: 'matmul',
    pass: 'forward',
    shape: { M, N, K },
    flops: 2 * M * N * K,
    bytes: f32(M * K + K * N + M * N),
    metric: 'gflops',
    ...(note ? { note } : {}),
    requires: [LAUNCHERS.gemm],
    setup({ gpu, launcher, random }) {
      const gemm = launcher<Gemm>(LAUNCHERS.gemm.name);
      const a = random([M, K]);
      const b = random([K, N]);
      const c = gpu.empty([M, N], 'matmul out');
      return {
        run: () => releaseResult(gpu, gemm(gpu, a, b, variant ? { out: c, variant } : { out: c }), [a, b, c]),
        dispose: () => [a, b, c].forEach((tensor) => gpu.release(tensor)),
      };
    },
    // tfjs once, on the profile's row.
    peer: variant ? undefined : {
      note: 'tfjs matMul',
      setup(tf) {
        const a = tf.randomUniform([M, K], -1, 1);
        const b = tf.randomUniform([K, N], -1, 1);
        return { run: () => tf.matMul(a, b), dispose: () => tf.dispose([a, b]) };
      },
    },
  };
}

export const matmulBenchmarks: Benchmark[] = CORES.map((variant) => matmulRow({ M: 1024, N: 1024, K: 1024 }, variant));
