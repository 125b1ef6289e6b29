/**
 * The two tensor ops of squeeze-and-excitation (Hu et al., https://arxiv.org/abs/1709.01507) that are not
 * convolutions: the global average pool ("squeeze") and the channel-wise scale ("excitation"), with backwards.
 * Per-(n, c) values ([N, C]) may also be given as [N, C, 1, 1], the shape the SE 1x1 convolutions act on.
 */
import { KernelArgumentError } from '../../device/errors.js';
import { dispatchFlat, rowsVariant, type FlatVariant } from '../../runtime/flat.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { reduce } from '../reduce/reduce.js';
import { dims4, formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import {
  CHANNEL_SCALE_GRAD_WGSL,
  CHANNEL_SCALE_WGSL,
  GLOBAL_AVG_POOL_BACKWARD_WGSL,
  GLOBAL_AVG_POOL_WGSL,
  SE_ROW_PARAMS,
  SE_SCALE_PARAMS,
} from './squeeze-excitation.wgsl.js';

const ROW_WORKGROUP = 64;
const FLAT_WORKGROUP = 256;

export const GLOBAL_AVG_POOL_KERNEL: KernelSource = { name: 'globalAvgPool2d', code: GLOBAL_AVG_POOL_WGSL, constants: { WORKGROUP_SIZE: ROW_WORKGROUP } };
export const GLOBAL_AVG_POOL_BACKWARD_KERNEL: KernelSource = {
  name: 'globalAvgPool2dBackward',
  code: GLOBAL_AVG_POOL_BACKWARD_WGSL,
  constants: { WORKGROUP_SIZE: FLAT_WORKGROUP },
};
export const CHANNEL_SCALE_KERNEL: KernelSource = { name: 'channelScale', code: CHANNEL_SCALE_WGSL, constants: { WORKGROUP_SIZE: FLAT_WORKGROUP } };
export const CHANNEL_SCALE_GRAD_KERNEL: KernelSource = {
  name: 'channelScaleBackward',
  code: CHANNEL_SCALE_GRAD_WGSL,
  constants: { WORKGROUP_SIZE: ROW_WORKGROUP },
};

function checkInput(kernel: string, name: string, shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4) throw new KernelArgumentError(`${kernel}: ${name} must be [N, C, H, W], got ${formatShape(shape)}`);
  return dims4(shape);
}

/** Accepts [N, C] or [N, C, 1, 1] for a per-(n, c) tensor. */
function checkPerChannel(kernel: string, name: string, shape: readonly number[], n: number, c: number): void {
  if (!sameShape(shape, [n, c]) && !sameShape(shape, [n, c, 1, 1])) {
    throw new KernelArgumentError(`${kernel}: ${name} of shape ${formatShape(shape)} should be [${n}, ${c}] or [${n}, ${c}, 1, 1]`);
  }
}

function distinct(kernel: string, output: GpuTensor, inputs: readonly GpuTensor[]): void {
  if (inputs.some((input) => input.buffer === output.buffer)) throw new KernelArgumentError(`${kernel}: output must not alias an input buffer`);
}

/** How a per-row sum is reduced: a 64-lane tree per row (GPUs), or one invocation per row (the CPU adapters). */
export type RowReduction = 'workgroup' | 'lane';

/**
 * 'lane' where the device profile asks for lane reductions (lavapipe, SwiftShader: a barrier switches coroutines) for rows of at most 65536 values (a
 * 256² map), else 'workgroup'; `requested` overrides.
 */
export function rowReduction(gpu: Gpu, hw: number, requested?: RowReduction): RowReduction {
  if (requested) return requested;
  return gpu.deviceProfile.reduction === 'lane' && hw <= 65536 ? 'lane' : 'workgroup';
}

/** out[row] = Σ over the row's hw values of the kernel's per-value term, / divisor (pool, channelScale's ds). */
export function rowSum(gpu: Gpu, kernel: KernelSource, inputs: GpuTensor[], out: GpuTensor, rows: number, hw: number, divisor: number, reduction?: RowReduction): void {
  const lane = rowReduction(gpu, hw, reduction) === 'lane';
  gpu.dispatch({
    kernel: lane ? { ...kernel, entryPoint: 'lane_rows' } : kernel,
    uniforms: SE_ROW_PARAMS.write({ rows, hw, divisor }),
    tensors: [...inputs, out],
    workgroups: flatGrid(rows, lane ? ROW_WORKGROUP : 1, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** out[n, c] = mean over (h, w) of x[n, c, h, w]. `out` is [N, C] (default) or [N, C, 1, 1]. */
export function globalAvgPool2d(gpu: Gpu, x: GpuTensor, out?: GpuTensor, options: { reduction?: RowReduction } = {}): GpuTensor {
  const name = GLOBAL_AVG_POOL_KERNEL.name;
  const [n, c, h, w] = checkInput(name, 'x', x.shape);
  const y = out ?? gpu.empty([n, c], name);
  checkPerChannel(name, 'output', y.shape, n, c);
  distinct(name, y, [x]);
  if (h * w === 0) throw new KernelArgumentError(`${name}: x ${formatShape(x.shape)} has no pixels to average`);
  if (rowReduction(gpu, h * w, options.reduction) === 'lane') {
    // One lane per (n, c) plane with vec4 loads where H·W divides by 4 (reduce's plane layout).
    reduce(gpu, 'mean', x, { axes: [2, 3], keepDims: y.shape.length === 4, out: y, layout: 'plane' });
    return y;
  }
  rowSum(gpu, GLOBAL_AVG_POOL_KERNEL, [x], y, n * c, h * w, h * w, options.reduction);
  return y;
}

/**
 * Backward of globalAvgPool2d.
 * d out[n, c] / d x[n, c, h, w] = 1/(H·W)  ⇒  dx[n, c, h, w] = dy[n, c] / (H·W).
 */
export function globalAvgPool2dBackward(
  gpu: Gpu,
  dy: GpuTensor,
  inputShape: readonly number[],
  out?: GpuTensor,
  layout: FlatVariant = 'auto',
): GpuTensor {
  const name = GLOBAL_AVG_POOL_BACKWARD_KERNEL.name;
  const [n, c, h, w] = checkInput(name, 'input shape', inputShape);
  checkPerChannel(name, 'dy', dy.shape, n, c);
  const dx = out ?? gpu.empty(inputShape, name);
  if (!sameShape(dx.shape, inputShape)) {
    throw new KernelArgumentError(`${name}: output shape ${formatShape(dx.shape)} differs from the input shape ${formatShape(inputShape)}`);
  }
  distinct(name, dx, [dy]);
  const count = numel(inputShape);
  dispatchFlat(gpu, {
    kernel: GLOBAL_AVG_POOL_BACKWARD_KERNEL,
    count,
    tensors: [dy, dx],
    uniforms: (start) => SE_SCALE_PARAMS.write({ count, hw: h * w, start }),
    workgroupSize: FLAT_WORKGROUP,
    variant: rowsVariant(h * w, layout),
  });
  return dx;
}

function scaleDispatch(gpu: Gpu, name: string, x: GpuTensor, s: GpuTensor, out: GpuTensor | undefined, layout: FlatVariant = 'auto'): GpuTensor {
  const [n, c, h, w] = checkInput(name, 'x', x.shape);
  checkPerChannel(name, 's', s.shape, n, c);
  const y = out ?? gpu.empty(x.shape, name);
  if (!sameShape(y.shape, x.shape)) {
    throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} differs from x ${formatShape(x.shape)}`);
  }
  distinct(name, y, [x, s]);
  const count = numel(x.shape);
  dispatchFlat(gpu, {
    kernel: CHANNEL_SCALE_KERNEL,
    count,
    tensors: [x, s, y],
    uniforms: (start) => SE_SCALE_PARAMS.write({ count, hw: Math.max(h * w, 1), start }),
    workgroupSize: FLAT_WORKGROUP,
    variant: rowsVariant(h * w, layout),
  });
  return y;
}

/**
 * y[n, c, h, w] = x[n, c, h, w]·s[n, c]; s is [N, C] or [N, C, 1, 1]. `layout` (tests, benchmarks): 'scalar' forces
 * one element a lane where H·W would allow 4 (runtime/flat rowsVariant).
 */
export function channelScale(gpu: Gpu, x: GpuTensor, s: GpuTensor, out?: GpuTensor, layout: FlatVariant = 'auto'): GpuTensor {
  return scaleDispatch(gpu, CHANNEL_SCALE_KERNEL.name, x, s, out, layout);
}

export interface ChannelScaleGradients {
  dx: GpuTensor;
  /** Same shape as s. */
  ds: GpuTensor;
}

/**
 * Backward of channelScale.
 * y = x·s[n, c]  ⇒  dx[n, c, h, w] = dy[n, c, h, w]·s[n, c],  ds[n, c] = Σ_hw dy[n, c, h, w]·x[n, c, h, w].
 */
export function channelScaleBackward(
  gpu: Gpu,
  dy: GpuTensor,
  x: GpuTensor,
  s: GpuTensor,
  out: { dx?: GpuTensor; ds?: GpuTensor; reduction?: RowReduction; layout?: FlatVariant } = {},
): ChannelScaleGradients {
  const name = CHANNEL_SCALE_GRAD_KERNEL.name;
  const [n, c, h, w] = checkInput(name, 'x', x.shape);
  if (!sameShape(dy.shape, x.shape)) throw new KernelArgumentError(`${name}: dy of shape ${formatShape(dy.shape)} differs from x ${formatShape(x.shape)}`);
  checkPerChannel(name, 's', s.shape, n, c);
  const ds = out.ds ?? gpu.empty(s.shape, `${name} ds`);
  if (!sameShape(ds.shape, s.shape)) {
    throw new KernelArgumentError(`${name}: ds of shape ${formatShape(ds.shape)} differs from s ${formatShape(s.shape)}`);
  }
  distinct(name, ds, [dy, x, s]);
  if (out.dx && (out.dx.buffer === ds.buffer || out.dx.buffer === x.buffer)) {
    throw new KernelArgumentError(`${name}: dx must not alias x or ds`);
  }
  const dx = scaleDispatch(gpu, name, dy, s, out.dx, out.layout);
  rowSum(gpu, CHANNEL_SCALE_GRAD_KERNEL, [dy, x], ds, n * c, h * w, 1, out.reduction);
  return { dx, ds };
}
