/* Scratch: the 3x3 64->64 @ 64x64 convolutions (forward, input gradient, weight gradient) on the im2col route
 * (im2col / col2im + the profile's gemm) and on the implicit-GEMM kernels (tiled core), round-robin in one process,
 * with the largest difference between the two outputs, and the route's parts alone. Usage:
 *   bench/scratch/run.sh bench/scratch/conv-im2col.ts [filter]; env ROUNDS, N (batch, default 1). Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { conv2d } from '../../packages/kernels/src/ops/conv2d/conv2d.js';
import { conv2dBackwardInput, conv2dBackwardWeight } from '../../packages/kernels/src/ops/conv2d/conv2d-backward.js';
import { im2col } from '../../packages/kernels/src/ops/im2col/im2col.js';
import { col2im } from '../../packages/kernels/src/ops/col2im/col2im.js';
import { gemm } from '../../packages/kernels/src/ops/gemm/gemm.js';
import { transpose01 } from '../../packages/kernels/src/ops/transpose/transpose.js';
import type { GpuTensor } from '../../packages/kernels/src/runtime/tensor.js';
import { roundRobin, type Timed } from './harness.js';

const gpu = await createGpu({ adapter: (process.env.ADAPTER as 'lavapipe' | 'swiftshader' | undefined) ?? 'lavapipe' });
const N = Number(process.env.N ?? 1);
const rand = (shape: number[]) => gpu.upload(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5), shape);
const x = rand([N, 64, 64, 64]), w = rand([64, 64, 3, 3]), dy = rand([N, 64, 64, 64]);
const flops = 2 * N * 64 * 64 * 64 * 64 * 9;
const outs = new Map<string, GpuTensor>();
const run = (pass: string, route: boolean): GpuTensor => {
  const out = outs.get(`${pass} ${route}`);
  if (pass === 'fwd') return conv2d(gpu, x, w, { padding: 1, im2col: route, out });
  if (pass === 'dx') return conv2dBackwardInput(gpu, dy, w, x.shape, { padding: 1, im2col: route, out });
  return conv2dBackwardWeight(gpu, x, dy, w.shape, { padding: 1, im2col: route, out });
};
const items: Timed[] = [];
for (const pass of ['fwd', 'dx', 'dw']) {
  for (const route of [false, true]) {
    items.push({
      name: `${pass} ${route ? 'im2col' : 'implicit'}`,
      flops,
      record: () => void outs.set(`${pass} ${route}`, run(pass, route)),
      check: async () => {
        const [a, b] = [outs.get(`${pass} false`), outs.get(`${pass} true`)];
        if (!route || !a || !b) return '';
        const [p, q] = [await gpu.read(a), await gpu.read(b)];
        let worst = 0;
        for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i]! - q[i]!));
        return `max |im2col - implicit| ${worst.toExponential(1)}`;
      },
    });
  }
}
const cols = gpu.empty([N, 576, 4096]);
const dx = gpu.empty([N, 64, 64, 64]);
const y = gpu.empty([N, 64, 4096]);
const dw = gpu.empty([64, 576]);
const wt = gpu.empty([576, 64, 1]);
items.push(
  { name: 'part: im2col', flops, record: () => void im2col(gpu, x, [3, 3], { padding: 1, out: cols }) },
  { name: 'part: col2im', flops, record: () => void col2im(gpu, cols, x.shape, [3, 3], { padding: 1, out: dx }) },
  { name: 'part: gemm W·cols', flops, record: () => void gemm(gpu, { ...w, shape: [64, 576] }, cols, { out: y, splitK: 1 }) },
  { name: 'part: gemm Wᵀ·dy', flops, record: () => void gemm(gpu, { ...w, shape: [64, 576] }, { ...dy, shape: [N, 64, 4096] }, { transposeA: true, out: cols, splitK: 1 }) },
  { name: 'part: transpose W', flops, record: () => void transpose01(gpu, w, [64, 576, 1], { out: wt }) },
  { name: 'part: gemm Wt·dy', flops, record: () => void gemm(gpu, { ...wt, shape: [576, 64] }, { ...dy, shape: [N, 64, 4096] }, { out: cols, splitK: 1 }) },
  ...(N === 1 ? [{ name: 'part: gemm dy·colsᵀ', flops, record: () => void gemm(gpu, { ...dy, shape: [64, 4096] }, { ...cols, shape: [576, 4096] }, { transposeB: true, out: dw }) }] : []),
);
const only = process.argv[2];
await roundRobin(gpu, items.filter((v) => !only || v.name.includes(only)), Number(process.env.ROUNDS ?? 4));
gpu.destroy();
