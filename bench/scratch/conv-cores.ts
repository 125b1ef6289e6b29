/* Scratch: the 3x3 implicit-GEMM convolutions (forward, input gradient, weight gradient) on the tiled and the
 * subgroup GEMM core, round-robin in one process, with the largest difference between the two outputs.
 * Needs implicitGemmVariant (ops/gemm/tiles.ts) to let the subgroup core through. Usage:
 *   bench/scratch/run.sh bench/scratch/conv-cores.ts [filter]; env ROUNDS. Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { conv2d } from '../../packages/kernels/src/ops/conv2d/conv2d.js';
import { conv2dBackwardInput, conv2dBackwardWeight } from '../../packages/kernels/src/ops/conv2d/conv2d-backward.js';
import type { GemmVariant } from '../../packages/kernels/src/device/profile.js';
import type { GpuTensor } from '../../packages/kernels/src/runtime/tensor.js';
import { roundRobin, type Timed } from './harness.js';

const gpu = await createGpu({ adapter: 'lavapipe' });
const rand = (shape: number[]) => gpu.upload(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5), shape);
const x = rand([1, 64, 64, 64]), w = rand([64, 64, 3, 3]), dy = rand([1, 64, 64, 64]);
const flops = 2 * 64 * 64 * 64 * 64 * 9;
const outs = new Map<string, GpuTensor>();
const run = (pass: string, variant: GemmVariant): GpuTensor => {
  if (pass === 'fwd') return conv2d(gpu, x, w, { padding: 1, variant, out: outs.get(`${pass} ${variant}`) });
  if (pass === 'dx') return conv2dBackwardInput(gpu, dy, w, x.shape, { padding: 1, variant, out: outs.get(`${pass} ${variant}`) });
  return conv2dBackwardWeight(gpu, x, dy, w.shape, { padding: 1, variant, out: outs.get(`${pass} ${variant}`) });
};
const items: Timed[] = [];
for (const pass of ['fwd', 'dx', 'dw']) {
  for (const variant of ['tiled', 'subgroup'] as const) {
    items.push({
      name: `conv 3x3 64->64 64x64 ${pass} ${variant}`,
      flops,
      record: () => void outs.set(`${pass} ${variant}`, run(pass, variant)),
      check: async () => {
        const other = outs.get(`${pass} tiled`);
        const mine = outs.get(`${pass} ${variant}`);
        if (!other || !mine || variant === 'tiled') return '';
        const [a, b] = [await gpu.read(other), await gpu.read(mine)];
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        return `max |subgroup - tiled| ${worst.toExponential(1)}`;
      },
    });
  }
}
const only = process.argv[2];
await roundRobin(gpu, items.filter((v) => !only || v.name.includes(only)), Number(process.env.ROUNDS ?? 3));
gpu.destroy();
