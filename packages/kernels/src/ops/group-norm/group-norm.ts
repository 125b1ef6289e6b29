/**
 * GroupNorm forward and backward (see group-norm.wgsl.ts for the math): FPN's GroupNorm(32, 128), eps 1e-5, affine.
 * GroupNorm keeps no running statistics, so training and evaluation compute the same thing.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import {
  GROUP_NORM_AFFINE_GRAD_WGSL,
  GROUP_NORM_BACKWARD_INPUT_WGSL,
  GROUP_NORM_BACKWARD_STATS_WGSL,
  GROUP_NORM_NORMALIZE_WGSL,
  GROUP_NORM_STATS_WGSL,
  GROUP_NORM_PARAMS,
} from './group-norm.wgsl.js';

const FLAT_WORKGROUP = 256;
const STATS_KERNEL: KernelSource = { name: 'groupNorm.stats', code: GROUP_NORM_STATS_WGSL };
const NORMALIZE_KERNEL: KernelSource = { name: 'groupNorm.normalize', code: GROUP_NORM_NORMALIZE_WGSL, constants: { WORKGROUP_SIZE: FLAT_WORKGROUP } };
const BACKWARD_STATS_KERNEL: KernelSource = { name: 'groupNorm.backward_stats', code: GROUP_NORM_BACKWARD_STATS_WGSL };
const BACKWARD_INPUT_KERNEL: KernelSource = { name: 'groupNorm.backward_input', code: GROUP_NORM_BACKWARD_INPUT_WGSL, constants: { WORKGROUP_SIZE: FLAT_WORKGROUP } };
const AFFINE_GRAD_KERNEL: KernelSource = { name: 'groupNorm.affine_grad', code: GROUP_NORM_AFFINE_GRAD_WGSL };

interface Layout {
  readonly n: number;
  readonly c: number;
  readonly groups: number;
  readonly hw: number;
}

/** x [N, C, ...] with C divisible by `groups`; weight and bias [C]. */
function layoutOf(name: string, shape: readonly number[], groups: number, weight: GpuTensor, bias?: GpuTensor): Layout {
  if (shape.length < 2 || !shape.every((size) => Number.isInteger(size) && size >= 1)) {
    throw new KernelArgumentError(`${name}: expects x of shape [N, C, ...] with every size >= 1, got ${formatShape(shape)}`);
  }
  const [n, c] = shape as [number, number];
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0) {
    throw new KernelArgumentError(`${name}: ${groups} groups must divide the ${c} channels of x ${formatShape(shape)}`);
  }
  for (const [label, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && !sameShape(t.shape, [c])) throw new KernelArgumentError(`${name}: ${label} of shape ${formatShape(t.shape)} should be [${c}]`);
  }
  return { n, c, groups, hw: numel(shape.slice(2)) };
}

function params(layout: Layout, count: number, eps: number): ArrayBuffer {
  const groupSize = (layout.c / layout.groups) * layout.hw;
  return GROUP_NORM_PARAMS.write({ count, channels: layout.c, groups: layout.groups, hw: layout.hw, group_size: groupSize, batch: layout.n, eps });
}

const perGroup = (gpu: Gpu, count: number): [number, number] => flatGrid(count, 1, gpu.limits.maxComputeWorkgroupsPerDimension);
const perElement = (gpu: Gpu, count: number): [number, number] => flatGrid(count, FLAT_WORKGROUP, gpu.limits.maxComputeWorkgroupsPerDimension);

export interface GroupNormResult {
  readonly y: GpuTensor;
  /** [N·G, 2]: each group's mean and 1/√(variance + eps), for the backward. */
  readonly stats: GpuTensor;
}

/** y = group_norm(x, groups, weight, bias, eps). */
export function groupNorm(gpu: Gpu, x: GpuTensor, groups: number, weight: GpuTensor, bias: GpuTensor, eps = 1e-5, out?: GpuTensor): GroupNormResult {
  const name = 'groupNorm';
  const layout = layoutOf(name, x.shape, groups, weight, bias);
  if (!(eps > 0)) throw new KernelArgumentError(`${name}: eps must be positive, got ${eps}`);
  const y = out ?? gpu.empty(x.shape, name);
  if (!sameShape(y.shape, x.shape)) throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} differs from x ${formatShape(x.shape)}`);
  if ([x, weight, bias].some((t) => t.buffer === y.buffer)) throw new KernelArgumentError(`${name}: output must not alias an input buffer`);
  const rows = layout.n * groups;
  const stats = gpu.empty([rows, 2], `${name} stats`);
  gpu.dispatch({ kernel: STATS_KERNEL, uniforms: params(layout, rows, eps), tensors: [x, stats], workgroups: perGroup(gpu, rows) });
  const count = numel(x.shape);
  gpu.dispatch({ kernel: NORMALIZE_KERNEL, uniforms: params(layout, count, eps), tensors: [x, stats, weight, bias, y], workgroups: perElement(gpu, count) });
  return { y, stats };
}

export interface GroupNormGradients {
  readonly dx: GpuTensor;
  readonly dweight: GpuTensor;
  readonly dbias: GpuTensor;
}

/** dx, dγ, dβ of y = group_norm(x, groups, γ, β) for dy, given the forward's stats. */
export function groupNormBackward(
  gpu: Gpu,
  dy: GpuTensor,
  x: GpuTensor,
  groups: number,
  weight: GpuTensor,
  stats: GpuTensor,
  out: Partial<GroupNormGradients> = {},
): GroupNormGradients {
  const name = 'groupNormBackward';
  const layout = layoutOf(name, x.shape, groups, weight);
  const rows = layout.n * groups;
  if (!sameShape(dy.shape, x.shape) || !sameShape(stats.shape, [rows, 2])) {
    throw new KernelArgumentError(`${name}: dy ${formatShape(dy.shape)} should be x's ${formatShape(x.shape)} and stats ${formatShape(stats.shape)} [${rows}, 2]`);
  }
  const sums = gpu.empty([rows, 2], `${name} sums`);
  gpu.dispatch({ kernel: BACKWARD_STATS_KERNEL, uniforms: params(layout, rows, 0), tensors: [dy, x, stats, weight, sums], workgroups: perGroup(gpu, rows) });
  const count = numel(x.shape);
  const dx = out.dx ?? gpu.empty(x.shape, `${name} dx`);
  const dweight = out.dweight ?? gpu.empty([layout.c], `${name} dweight`);
  const dbias = out.dbias ?? gpu.empty([layout.c], `${name} dbias`);
  for (const [label, t, shape] of [['dx', dx, x.shape], ['dweight', dweight, [layout.c]], ['dbias', dbias, [layout.c]]] as const) {
    if (!sameShape(t.shape, shape)) throw new KernelArgumentError(`${name}: ${label} shape ${formatShape(t.shape)} should be ${formatShape(shape)}`);
    if ([dy, x, weight, stats].some((input) => input.buffer === t.buffer)) throw new KernelArgumentError(`${name}: ${label} must not alias an input buffer`);
  }
  gpu.dispatch({ kernel: BACKWARD_INPUT_KERNEL, uniforms: params(layout, count, 0), tensors: [dy, x, stats, weight, sums, dx], workgroups: perElement(gpu, count) });
  gpu.release(sums);
  gpu.dispatch({ kernel: AFFINE_GRAD_KERNEL, uniforms: params(layout, layout.c, 0), tensors: [dy, x, stats, dweight, dbias], workgroups: perGroup(gpu, layout.c) });
  return { dx, dweight, dbias };
}
