/* Scratch: relu over 2x192x128x128 in the vec4 and the scalar layout, round-robin with process CPU time; the
 * "GFLOP" columns of the harness read as GB moved (bytes read + written). Calibrates docs/CPU_ADAPTERS.md's
 * instruction rate against a kernel with one path. Usage: bench/scratch/run.sh bench/scratch/relu-rate.ts. Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { unary } from '../../packages/kernels/src/ops/unary/unary.js';
import { roundRobin } from './harness.js';

const gpu = await createGpu({ adapter: 'lavapipe' });
const shape = [2, 192, 128, 128];
const count = shape.reduce((a, b) => a * b, 1);
const x = gpu.upload(new Float32Array(count).map(() => Math.random() - 0.5), shape);
const y = gpu.empty(shape);
await roundRobin(
  gpu,
  (['vec4', 'scalar'] as const).map((layout) => ({ name: `relu ${layout} (GB moved)`, flops: 8 * count, record: () => void unary(gpu, 'relu', x, y, layout) })),
  Number(process.env.ROUNDS ?? 6),
);
gpu.destroy();
