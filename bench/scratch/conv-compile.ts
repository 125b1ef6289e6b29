/* Scratch: cold compile (CPU time, wall) of the implicit-GEMM conv pipelines on one GEMM core; env VARIANT, ADAPTER.
 * Run with MESA_SHADER_CACHE_DISABLE=true under /usr/bin/time -v for the peak memory. Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { conv2d } from '../../packages/kernels/src/ops/conv2d/conv2d.js';
import { conv2dBackwardInput, conv2dBackwardWeight } from '../../packages/kernels/src/ops/conv2d/conv2d-backward.js';

const gpu = await createGpu({ adapter: (process.env.ADAPTER as 'lavapipe') ?? 'lavapipe' });
const variant = (process.env.VARIANT ?? 'subgroup') as 'tiled' | 'lanes' | 'subgroup';
const x = gpu.upload(new Float32Array(2 * 5 * 7 * 9).fill(1), [2, 5, 7, 9]);
const w = gpu.upload(new Float32Array(19 * 5 * 9).fill(1), [19, 5, 3, 3]);
const options = { padding: 1, variant, general: true };
for (const [name, record] of [
  ['forward', () => conv2d(gpu, x, w, options)],
  ['input', () => conv2dBackwardInput(gpu, gpu.upload(new Float32Array(2 * 19 * 7 * 9).fill(1), [2, 19, 7, 9]), w, [2, 5, 7, 9], options)],
  ['weight', () => conv2dBackwardWeight(gpu, x, gpu.upload(new Float32Array(2 * 19 * 7 * 9).fill(1), [2, 19, 7, 9]), [19, 5, 3, 3], options)],
] as const) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  record();
  await gpu.sync();
  const cpu = process.cpuUsage(cpu0);
  console.log(`${variant} ${name}: cold ${(performance.now() - t0).toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
}
gpu.destroy();
