/* Scratch: conv2d / depthwise / convTranspose2d speed on lavapipe, round-robin with CPU time. Not a test.
 * Usage: bench/scratch/run.sh bench/scratch/conv-speed.ts [filter]; env ROUNDS, ADAPTER. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { conv2d } from '../../packages/kernels/src/ops/conv2d/conv2d.js';
import { conv2dBackwardInput, conv2dBackwardWeight } from '../../packages/kernels/src/ops/conv2d/conv2d-backward.js';
import { convTranspose2d } from '../../packages/kernels/src/ops/conv-transpose2d/conv-transpose2d.js';
import { roundRobin, type Timed } from './harness.js';

const gpu = await createGpu({ adapter: (process.env.ADAPTER as 'lavapipe') ?? 'lavapipe' });
const rand = (shape: number[]) => gpu.upload(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5), shape);
const items: Timed[] = [];
{
  // 3x3 64 -> 64 at 64x64, batch 1 (oneDNN on one thread: ~65 GFLOP/s)
  const x = rand([1, 64, 64, 64]), w = rand([64, 64, 3, 3]), dy = rand([1, 64, 64, 64]);
  const flops = 2 * 64 * 64 * 64 * 64 * 9;
  items.push({ name: 'conv 3x3 64->64 64x64 fwd', flops, record: () => void conv2d(gpu, x, w, { padding: 1 }) });
  items.push({ name: 'conv 3x3 64->64 64x64 dx', flops, record: () => void conv2dBackwardInput(gpu, dy, w, x.shape, { padding: 1 }) });
  items.push({ name: 'conv 3x3 64->64 64x64 dw', flops, record: () => void conv2dBackwardWeight(gpu, x, dy, w.shape, { padding: 1 }) });
}
{
  // 1x1 expand 40 -> 240 at 64x64, batch 2 (gemm route)
  const x = rand([2, 40, 64, 64]), w = rand([240, 40, 1, 1]), dy = rand([2, 240, 64, 64]);
  const flops = 2 * 2 * 240 * 40 * 64 * 64;
  items.push({ name: 'conv 1x1 40->240 64x64 fwd', flops, record: () => void conv2d(gpu, x, w) });
  items.push({ name: 'conv 1x1 40->240 64x64 dx', flops, record: () => void conv2dBackwardInput(gpu, dy, w, x.shape) });
  items.push({ name: 'conv 1x1 40->240 64x64 dw', flops, record: () => void conv2dBackwardWeight(gpu, x, dy, w.shape) });
}
{
  // depthwise 5x5 stride 1, 240 channels at 64x64, batch 2 (tfjs-webgpu: 1.6 GFLOP/s)
  const x = rand([2, 240, 64, 64]), w = rand([240, 1, 5, 5]), dy = rand([2, 240, 64, 64]);
  const flops = 2 * 2 * 240 * 64 * 64 * 25;
  items.push({ name: 'depthwise 5x5 240 64x64 fwd', flops, record: () => void conv2d(gpu, x, w, { groups: 240, padding: 2 }) });
  items.push({ name: 'depthwise 5x5 240 64x64 dx', flops, record: () => void conv2dBackwardInput(gpu, dy, w, x.shape, { groups: 240, padding: 2 }) });
  items.push({ name: 'depthwise 5x5 240 64x64 dw', flops, record: () => void conv2dBackwardWeight(gpu, x, dy, w.shape, { groups: 240, padding: 2 }) });
}
{
  // Linknet transposed conv 4x4 s2 p1, 50 -> 50 from 32x32 to 64x64, batch 2
  const x = rand([2, 50, 32, 32]), w = rand([50, 50, 4, 4]);
  const flops = 2 * 2 * 50 * 50 * 32 * 32 * 16;
  items.push({ name: 'convT 4x4 s2 50->50 32->64 fwd', flops, record: () => void convTranspose2d(gpu, x, w, { stride: 2, padding: 1 }) });
}
const only = process.argv[2];
await roundRobin(gpu, items.filter((v) => !only || v.name.includes(only)), Number(process.env.ROUNDS ?? 3));
gpu.destroy();
