/**
 * Adaptive average pooling, PyTorch `F.adaptive_avg_pool2d(x, (OH, OW))`, and its backward: x [N, C, H, W] →
 * y [N, C, OH, OW], window k of an n-long axis pooled to o covering [⌊k·n/o⌋, ⌈(k+1)·n/o⌉). PSPNet pools to 1, 2, 3
 * and 6 (overlapping windows when they do not divide the map).
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { ADAPTIVE_POOL_PARAMS, ADAPTIVE_POOL_WGSL } from './adaptive-pool.wgsl.js';

const WORKGROUP_SIZE = 256;
/** Keeps k·n and (i + 1)·o within u32. */
const MAX_AXIS = 2 ** 15;

const kernel = (entryPoint: 'forward' | 'backward'): KernelSource => ({
  name: `adaptiveAvgPool2d.${entryPoint}`,
  code: ADAPTIVE_POOL_WGSL,
  entryPoint,
  constants: { WORKGROUP_SIZE },
});

const validAxis = (size: number | undefined): boolean => Number.isInteger(size) && size! >= 1 && size! <= MAX_AXIS;

function checkShapes(name: string, inputShape: readonly number[], outputSize: readonly number[]): number[] {
  if (inputShape.length !== 4 || !inputShape.every((size) => Number.isInteger(size) && size >= 1) || !validAxis(inputShape[2]) || !validAxis(inputShape[3])) {
    throw new KernelArgumentError(`${name}: expects x of shape [N, C, H, W] with every size >= 1 (H, W <= ${MAX_AXIS}), got ${formatShape(inputShape)}`);
  }
  if (outputSize.length !== 2 || !validAxis(outputSize[0]) || !validAxis(outputSize[1])) {
    throw new KernelArgumentError(`${name}: output size must be [height, width] of positive integers, got [${outputSize.join(', ')}]`);
  }
  return [inputShape[0]!, inputShape[1]!, outputSize[0]!, outputSize[1]!];
}

function run(gpu: Gpu, entryPoint: 'forward' | 'backward', source: GpuTensor, dest: GpuTensor, inputShape: readonly number[], outputShape: readonly number[]): void {
  const count = numel(dest.shape);
  gpu.dispatch({
    kernel: kernel(entryPoint),
    uniforms: ADAPTIVE_POOL_PARAMS.write({ count, in_h: inputShape[2]!, in_w: inputShape[3]!, out_h: outputShape[2]!, out_w: outputShape[3]! }),
    tensors: [source, dest],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
}

function output(gpu: Gpu, name: string, shape: readonly number[], input: GpuTensor, out: GpuTensor | undefined): GpuTensor {
  const y = out ?? gpu.empty(shape, name);
  if (!sameShape(y.shape, shape)) throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} should be ${formatShape(shape)}`);
  if (y.buffer === input.buffer) throw new KernelArgumentError(`${name}: output must not alias the input buffer`);
  return y;
}

/** y = adaptive_avg_pool2d(x, [OH, OW]). */
export function adaptiveAvgPool2d(gpu: Gpu, x: GpuTensor, outputSize: readonly [number, number], out?: GpuTensor): GpuTensor {
  const name = 'adaptiveAvgPool2d';
  const shape = checkShapes(name, x.shape, outputSize);
  const y = output(gpu, name, shape, x, out);
  run(gpu, 'forward', x, y, x.shape, shape);
  return y;
}

/** dx of `inputShape` for dy [N, C, OH, OW]: every window's gradient spread evenly over the window. */
export function adaptiveAvgPool2dBackward(gpu: Gpu, dy: GpuTensor, inputShape: readonly number[], out?: GpuTensor): GpuTensor {
  const name = 'adaptiveAvgPool2dBackward';
  const shape = checkShapes(name, inputShape, dy.shape.slice(2));
  if (dy.shape.length !== 4 || dy.shape[0] !== inputShape[0] || dy.shape[1] !== inputShape[1]) {
    throw new KernelArgumentError(`${name}: dy ${formatShape(dy.shape)} does not match an input of shape ${formatShape(inputShape)}`);
  }
  const dx = output(gpu, name, inputShape, dy, out);
  run(gpu, 'backward', dy, dx, inputShape, shape);
  return dx;
}
