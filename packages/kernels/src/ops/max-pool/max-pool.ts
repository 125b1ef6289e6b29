/**
 * Max pooling with indices, PyTorch `F.max_pool2d(x, kernel_size, stride, padding, return_indices=True)` with
 * dilation 1 and floor mode, and its backward (the gradient goes to the winner of each window).
 * x [N, C, H, W] → y, index [N, C, OH, OW] with OH = ⌊(H + 2·PH − KH)/SH⌋ + 1 (likewise OW); index holds the flat
 * position iy·W + ix of each window's maximum within its plane (PyTorch's `indices`, as float32).
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { MAX_POOL_PARAMS, MAX_POOL_WGSL } from './max-pool.wgsl.js';

const WORKGROUP_SIZE = 256;
/** Largest plane: indices stay exact in float32. */
const MAX_PLANE = 2 ** 24;

const kernel = (entryPoint: 'forward' | 'backward'): KernelSource => ({
  name: `maxPool2d.${entryPoint}`,
  code: MAX_POOL_WGSL,
  entryPoint,
  constants: { WORKGROUP_SIZE },
});

export type Pair = number | readonly [number, number];

export interface MaxPool2dOptions {
  /** Default: the kernel size (PyTorch's default). */
  stride?: Pair;
  /** Implicit −∞ padding on each side, at most half the kernel. Default 0. */
  padding?: Pair;
}

/** Resolved pooling geometry. */
export interface PoolGeometry {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly outputShape: readonly [number, number, number, number];
}

const pair = (value: Pair): [number, number] => (typeof value === 'number' ? [value, value] : [value[0], value[1]]);

/** Checks x [N, C, H, W] and the options the way PyTorch does; returns the geometry. */
export function maxPoolGeometry(name: string, inputShape: readonly number[], kernelSize: Pair, options: MaxPool2dOptions = {}): PoolGeometry {
  const [n, c, h, w] = inputShape as [number, number, number, number];
  if (inputShape.length !== 4 || !inputShape.every((size) => Number.isInteger(size) && size >= 1) || h * w > MAX_PLANE) {
    throw new KernelArgumentError(`${name}: expects x of shape [N, C, H, W] with every size >= 1 and H·W <= 2^24, got ${formatShape(inputShape)}`);
  }
  const k = pair(kernelSize);
  const s = pair(options.stride ?? kernelSize);
  const p = pair(options.padding ?? 0);
  const positive = (values: number[]): boolean => values.every((v) => Number.isInteger(v) && v >= 1);
  if (!positive(k) || !positive(s) || !p.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new KernelArgumentError(`${name}: kernel size [${k}] and stride [${s}] must be positive integers and padding [${p}] non-negative integers`);
  }
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
    throw new KernelArgumentError(`${name}: padding [${p}] should be at most half of the kernel size [${k}]`);
  }
  const oh = Math.floor((h + 2 * p[0] - k[0]) / s[0]) + 1;
  const ow = Math.floor((w + 2 * p[1] - k[1]) / s[1]) + 1;
  if (oh < 1 || ow < 1) {
    throw new KernelArgumentError(`${name}: input ${formatShape(inputShape)} is too small for kernel [${k}], stride [${s}], padding [${p}] (output ${oh}x${ow})`);
  }
  return { kernel: k, stride: s, padding: p, outputShape: [n, c, oh, ow] };
}

function uniforms(count: number, inputShape: readonly number[], geometry: PoolGeometry): ArrayBuffer {
  const [, , oh, ow] = geometry.outputShape;
  const { kernel, stride, padding } = geometry;
  return MAX_POOL_PARAMS.write({
    count,
    in_h: inputShape[2]!,
    in_w: inputShape[3]!,
    out_h: oh,
    out_w: ow,
    kernel_h: kernel[0],
    kernel_w: kernel[1],
    stride_h: stride[0],
    stride_w: stride[1],
    pad_h: padding[0],
    pad_w: padding[1],
  });
}

function checkOutput(name: string, t: GpuTensor, shape: readonly number[], label: string, inputs: readonly GpuTensor[]): void {
  if (!sameShape(t.shape, shape)) throw new KernelArgumentError(`${name}: ${label} shape ${formatShape(t.shape)} should be ${formatShape(shape)}`);
  if (inputs.some((input) => input.buffer === t.buffer)) throw new KernelArgumentError(`${name}: ${label} must not alias an input buffer`);
}

export interface MaxPool2dResult {
  readonly y: GpuTensor;
  readonly indices: GpuTensor;
}

/** y, indices = max_pool2d(x, kernelSize, stride, padding, return_indices=True). */
export function maxPool2d(
  gpu: Gpu,
  x: GpuTensor,
  kernelSize: Pair,
  options: MaxPool2dOptions = {},
  out: { y?: GpuTensor; indices?: GpuTensor } = {},
): MaxPool2dResult {
  const name = 'maxPool2d';
  const geometry = maxPoolGeometry(name, x.shape, kernelSize, options);
  const y = out.y ?? gpu.empty(geometry.outputShape, name);
  const indices = out.indices ?? gpu.empty(geometry.outputShape, `${name} indices`);
  checkOutput(name, y, geometry.outputShape, 'output', [x]);
  checkOutput(name, indices, geometry.outputShape, 'indices', [x, y]);
  const count = numel(geometry.outputShape);
  gpu.dispatch({
    kernel: kernel('forward'),
    uniforms: uniforms(count, x.shape, geometry),
    tensors: [x, y, indices],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return { y, indices };
}

/** dx [N, C, H, W] of `inputShape` from dy and the forward's indices: each dy element added at its window's winner. */
export function maxPool2dBackward(
  gpu: Gpu,
  dy: GpuTensor,
  indices: GpuTensor,
  inputShape: readonly number[],
  kernelSize: Pair,
  options: MaxPool2dOptions = {},
  out?: GpuTensor,
): GpuTensor {
  const name = 'maxPool2dBackward';
  const geometry = maxPoolGeometry(name, inputShape, kernelSize, options);
  if (!sameShape(dy.shape, geometry.outputShape) || !sameShape(indices.shape, geometry.outputShape)) {
    throw new KernelArgumentError(
      `${name}: dy ${formatShape(dy.shape)} and indices ${formatShape(indices.shape)} should both be ${formatShape(geometry.outputShape)} for input ${formatShape(inputShape)}`,
    );
  }
  const dx = out ?? gpu.empty(inputShape, name);
  checkOutput(name, dx, inputShape, 'output', [dy, indices]);
  const count = numel(inputShape);
  gpu.dispatch({
    kernel: kernel('backward'),
    uniforms: uniforms(count, inputShape, geometry),
    tensors: [dy, indices, dx],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return dx;
}
