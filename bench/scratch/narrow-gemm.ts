/*
 * Scratch: the B0 64² training step's narrow GEMMs (1x1 convolutions at 2 x 2 and 4 x 4 pixels, batch 4) as C and
 * as Cᵀ (swapOperands) per image and with the batch folded into Cᵀ's rows (foldBatch), and its split-K sums in the
 * leading-axis and the previous strided reduce layouts, round-robin in one process (best of rounds). Not a test.  bench/scratch/run.sh bench/scratch/narrow-gemm.ts [rounds]
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { gemm } from '../../packages/kernels/src/ops/gemm/gemm.js';
import { reduce } from '../../packages/kernels/src/ops/reduce/reduce.js';
import { roundRobin, type Timed } from './harness.js';

const gpu = await createGpu({ adapter: (process.env.ADAPTER as never) ?? 'lavapipe' });
const random = (shape: number[]) => gpu.upload(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37)), shape);
const items: Timed[] = [];
// [Cout, C] weights times [4, C, HW] activations: the forward 1x1 convolutions of B0's last stages at 64².
for (const [M, K, N] of [[1152, 192, 4], [192, 1152, 4], [672, 112, 16], [112, 672, 16]] as const) {
  const w = random([M, K]);
  const x = random([4, K, N]);
  const out = gpu.empty([4, M, N]);
  for (const [swap, foldBatch, label] of [[false, false, 'C'], [true, false, 'Cᵀ per image'], [true, true, 'Cᵀ batch folded']] as const) {
    items.push({ name: `gemm ${M}x${K} · 4x${K}x${N} ${label}`, flops: 2 * 4 * M * N * K, record: () => void gemm(gpu, w, x, { out, swapOperands: swap, foldBatch }) });
  }
}
for (const [rows, count] of [[4, 221184], [4, 75264], [4, 1152]] as const) {
  const x = random([rows, count]);
  const out = gpu.empty([count]);
  for (const layout of ['strided', 'auto'] as const) {
    items.push({ name: `sum [${rows}, ${count}] over 0 ${layout}`, flops: rows * count, record: () => void reduce(gpu, 'sum', x, { axes: [0], out, layout }) });
  }
}
await roundRobin(gpu, items, Number(process.argv[2] ?? 7));
