/**
 * Matrix multiplication 1024x1024x1024 (the issue's GEMM reference shape): on the device profile's core, then on each
 * GEMM core by name (tiled = the previous kernel), so old and new stand in one table. Then the narrowest GEMM of a
 * Linknet-B0 64² training step (the 1x1 expansion 192 -> 1152 at 2 x 2 pixels, batch 4: weights times each image's
 * [192, 4] activations) as the launcher chooses it (Cᵀ with the batch folded into its rows on the lanes cores), as Cᵀ
 * per image (the previous Cᵀ) and in the previous orientation (C).
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


const NARROW = { M: 1152, K: 192, N: 4, batch: 4 };

type Orientation = 'auto' | 'per-image' | 'previous';

const ORIENTATION_NAMES: Record<Orientation, string> = { auto: '', 'per-image': ' Cᵀ per image', previous: ' C orientation' };

function narrowRow(orientation: Orientation): Benchmark {
  const { M, K, N, batch } = NARROW;
  return {
    name: `gemm ${M}x${K} by ${batch}x${K}x${N}${ORIENTATION_NAMES[orientation]}`,
    family: 'matmul',
    pass: 'forward',
    shape: { M, N, K, batch },
    flops: 2 * batch * M * N * K,
    bytes: f32(M * K + batch * (K * N + M * N)),
    metric: 'gflops',
    requires: [LAUNCHERS.gemm],
    note: {
      auto: '1x1 convolution 192 -> 1152 at 2 x 2 pixels, batch 4 (Linknet-B0 64²): the launcher\'s choice (Cᵀ, batch folded into its rows, on the lanes cores)',
      'per-image': 'Cᵀ = X[b]ᵀ · Wᵀ one problem per image (foldBatch false), for comparison in the same run',
      previous: 'C = W · X[b] on the profile\'s core in the previous orientation (swapOperands false), for comparison in the same run',
    }[orientation],
    setup({ gpu, launcher, random }) {
      const gemm = launcher<Gemm>(LAUNCHERS.gemm.name);
      const w = random([M, K]);
      const x = random([batch, K, N]);
      const c = gpu.empty([batch, M, N], 'narrow gemm out');
      const options = { auto: { out: c }, 'per-image': { out: c, swapOperands: true, foldBatch: false }, previous: { out: c, swapOperands: false } }[orientation];
      return {
        run: () => releaseResult(gpu, gemm(gpu, w, x, options), [w, x, c]),
        dispose: () => [w, x, c].forEach((tensor) => gpu.release(tensor)),
      };
    },
  };
}

export const matmulBenchmarks: Benchmark[] = [
  ...CORES.map((variant) => matmulRow({ M: 1024, N: 1024, K: 1024 }, variant)),
  narrowRow('auto'),
  narrowRow('per-image'),
  narrowRow('previous'),
];
