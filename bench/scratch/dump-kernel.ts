/* Scratch: runs one kernel once on lavapipe so that GALLIVM_DEBUG=asm (with MESA_SHADER_CACHE_DISABLE=true) prints
 * what it compiles to; docs/CPU_ADAPTERS.md reads these dumps. Usage:
 *   MESA_SHADER_CACHE_DISABLE=true GALLIVM_DEBUG=asm bench/scratch/run.sh bench/scratch/dump-kernel.ts CASE > dump.txt 2>&1
 * CASE: matmul | matmul-tiled | conv3 | conv3-dx | conv3-dw | depthwise5 | relu | relu-scalar | sum-hw. Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { gemm } from '../../packages/kernels/src/ops/gemm/gemm.js';
import { conv2d } from '../../packages/kernels/src/ops/conv2d/conv2d.js';
import { conv2dBackwardInput, conv2dBackwardWeight } from '../../packages/kernels/src/ops/conv2d/conv2d-backward.js';
import { unary } from '../../packages/kernels/src/ops/unary/unary.js';
import { reduce } from '../../packages/kernels/src/ops/reduce/reduce.js';
import type { GemmVariant } from '../../packages/kernels/src/device/profile.js';

const gpu = await createGpu({ adapter: 'lavapipe' });
const rand = (shape: number[]) => gpu.upload(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5), shape);
const which = process.argv[2] ?? 'matmul';
const variant = process.argv[3] as GemmVariant | undefined;
console.error(`=== dump-kernel ${which} ${variant ?? ''} (kernels below run after this line)`);
switch (which) {
  case 'matmul': case 'matmul-tiled': {
    const A = rand([256, 256]), B = rand([256, 256]);
    gemm(gpu, A, B, { variant: which === 'matmul-tiled' ? 'tiled' : variant });
    break;
  }
  case 'conv3': case 'conv3-dx': case 'conv3-dw': {
    const x = rand([1, 64, 64, 64]), w = rand([64, 64, 3, 3]), dy = rand([1, 64, 64, 64]);
    if (which === 'conv3') conv2d(gpu, x, w, { padding: 1, variant });
    if (which === 'conv3-dx') conv2dBackwardInput(gpu, dy, w, x.shape, { padding: 1, variant });
    if (which === 'conv3-dw') conv2dBackwardWeight(gpu, x, dy, w.shape, { padding: 1, variant });
    break;
  }
  case 'depthwise5': {
    const x = rand([1, 144, 64, 64]), w = rand([144, 1, 5, 5]);
    conv2d(gpu, x, w, { padding: 2, groups: 144 });
    break;
  }
  case 'relu': case 'relu-scalar': {
    const x = rand([2, 16, 128, 128]);
    unary(gpu, 'relu', x, undefined, which === 'relu' ? 'auto' : 'scalar');
    break;
  }
  case 'sum-hw': {
    const x = rand([2, 16, 128, 128]);
    reduce(gpu, 'sum', x, { axes: [2, 3] });
    break;
  }
  default:
    throw new Error(`dump-kernel: unknown case '${which}'`);
}
await gpu.sync();
gpu.destroy();
