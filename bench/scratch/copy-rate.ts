/* Scratch: the copy kernel (copyTensor, vec4<u32> per lane) against relu (vec4<f32> per lane) and the same copy with
 * f32 element type, 64 MiB each, round-robin with process CPU time; the "GFLOP" columns read as GB moved (read +
 * written). Asks whether the copy row's lower rate comes from its element type. Usage:
 *   bench/scratch/run.sh bench/scratch/copy-rate.ts. Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { unary } from '../../packages/kernels/src/ops/unary/unary.js';
import { copyTensor } from '../../packages/kernels/src/ops/fill/fill.js';
import { COPY_WGSL } from '../../packages/kernels/src/ops/fill/fill.wgsl.js';
import { dispatchFlat, FLAT_PARAMS } from '../../packages/kernels/src/runtime/flat.js';
import { roundRobin } from './harness.js';

const gpu = await createGpu({ adapter: 'lavapipe' });
const count = (64 * 2 ** 20) / 4;
const x = gpu.upload(new Float32Array(count).map(() => Math.random() - 0.5), [count]);
const y = gpu.empty([count]);
const f32Copy = { name: 'copy-f32', code: COPY_WGSL.replaceAll('array<u32>', 'array<f32>').replaceAll('vec4<u32>', 'vec4<f32>'), constants: { WORKGROUP_SIZE: 256 } };
const copyF32 = (): void =>
  dispatchFlat(gpu, { kernel: f32Copy, count, tensors: [x, y], uniforms: (start) => FLAT_PARAMS.write({ count, start }), workgroupSize: 256 });
await roundRobin(
  gpu,
  [
    { name: 'copyTensor vec4<u32> (GB moved)', flops: 8 * count, record: () => void copyTensor(gpu, x, y) },
    { name: 'copy vec4<f32> (GB moved)', flops: 8 * count, record: copyF32 },
    { name: 'relu vec4<f32> (GB moved)', flops: 8 * count, record: () => void unary(gpu, 'relu', x, y, 'vec4') },
    { name: 'copyBufferToBuffer (GB moved)', flops: 8 * count, record: () => gpu.copy(x, y) },
  ],
  Number(process.env.ROUNDS ?? 6),
);
gpu.destroy();
