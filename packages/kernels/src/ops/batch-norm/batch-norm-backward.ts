/** Backward of training-mode BatchNorm2d: dx, dγ, dβ from dy, x and the statistics the forward saved. */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, type FlatVariant } from '../../runtime/flat.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import {
  BATCH_NORM_GRAD_INPUT_PARAMS,
  BATCH_NORM_GRAD_INPUT_WGSL,
  BATCH_NORM_GRAD_PARAMS_PARAMS,
  BATCH_NORM_GRAD_PARAMS_WGSL,
  BATCH_NORM_GRAD_PARTIAL_WGSL,
} from './batch-norm-backward.wgsl.js';
import { BATCH_NORM_CHANNEL_PARAMS } from './batch-norm-channels.wgsl.js';
import { batchNormLayout, batchNormReduction, batchNormShape, checkDistinct, CHUNK, PER_THREAD, RUN, WORKGROUP_SIZE, type BatchNormReduction, type BatchNormSaved } from './batch-norm.js';

const CHANNEL_WORKGROUP = 64;
const PARTIAL_KERNEL: KernelSource = { name: 'batchNorm2dBackward.partial', code: BATCH_NORM_GRAD_PARTIAL_WGSL, constants: { WORKGROUP_SIZE, PER_THREAD } };
const PARAMS_KERNEL: KernelSource = { name: 'batchNorm2dBackward.params', code: BATCH_NORM_GRAD_PARAMS_WGSL, constants: { WORKGROUP_SIZE: CHANNEL_WORKGROUP } };
const PARTIAL_SERIAL_KERNEL: KernelSource = { ...PARTIAL_KERNEL, entryPoint: 'lane_runs', constants: { WORKGROUP_SIZE: CHANNEL_WORKGROUP, RUN } };
const PARAMS_SERIAL_KERNEL: KernelSource = { ...PARAMS_KERNEL, entryPoint: 'lane_channels' };
const INPUT_KERNEL: KernelSource = { name: 'batchNorm2dBackward', code: BATCH_NORM_GRAD_INPUT_WGSL, constants: { WORKGROUP_SIZE } };

export interface BatchNormGradients {
  dx: GpuTensor;
  /** dγ: [C] */
  dweight: GpuTensor;
  /** dβ: [C] */
  dbias: GpuTensor;
}

/**
 * y = x̂·γ + β, x̂ = (x − mean)·invstd, with mean and invstd functions of the whole channel (n = N·H·W values):
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·invstd/n·(n·dy − dβ − x̂·dγ) = (dy − dβ/n − x̂·dγ/n)·invstd·γ.
 * Three dispatches: (Σ dy, Σ dy·x̂) per (chunk, channel), their sum per channel, then dx element-wise; the sums
 * reduce as the forward's statistics do (`reduction`, see batchNormReduction).
 */
export function batchNorm2dBackward(
  gpu: Gpu,
  dy: GpuTensor,
  x: GpuTensor,
  weight: GpuTensor,
  saved: BatchNormSaved,
  out: Partial<BatchNormGradients> & { reduction?: BatchNormReduction; layout?: FlatVariant } = {},
): BatchNormGradients {
  const name = INPUT_KERNEL.name;
  const shape = batchNormShape(gpu, name, x, { weight, mean: saved.mean, invstd: saved.invstd });
  if (!sameShape(dy.shape, x.shape)) throw new KernelArgumentError(`${name}: dy of shape ${formatShape(dy.shape)} differs from x ${formatShape(x.shape)}`);
  const dx = out.dx ?? gpu.empty(x.shape, `${name} dx`);
  const dweight = out.dweight ?? gpu.empty([shape.channels], `${name} dweight`);
  const dbias = out.dbias ?? gpu.empty([shape.channels], `${name} dbias`);
  if (!sameShape(dx.shape, x.shape)) throw new KernelArgumentError(`${name}: dx of shape ${formatShape(dx.shape)} differs from x ${formatShape(x.shape)}`);
  batchNormShape(gpu, name, x, { dweight, dbias });
  checkDistinct(name, { dx, dweight, dbias }, [dy, x, weight, saved.mean, saved.invstd]);

  const lane = batchNormReduction(gpu, shape.n, out.reduction) === 'lane';
  const chunks = Math.ceil(shape.n / (lane ? RUN : CHUNK));
  const partial = gpu.empty([shape.channels, chunks, 2], `${name} partial`);
  gpu.dispatch({
    kernel: lane ? PARTIAL_SERIAL_KERNEL : PARTIAL_KERNEL,
    uniforms: BATCH_NORM_CHANNEL_PARAMS.write({ channels: shape.channels, hw: shape.hw, count: shape.n, chunks }),
    tensors: [dy, x, saved.mean, saved.invstd, partial],
    workgroups: lane ? flatGrid(shape.channels * chunks, CHANNEL_WORKGROUP, gpu.limits.maxComputeWorkgroupsPerDimension) : [chunks, shape.channels],
  });
  gpu.dispatch({
    kernel: lane ? PARAMS_SERIAL_KERNEL : PARAMS_KERNEL,
    uniforms: BATCH_NORM_GRAD_PARAMS_PARAMS.write({ chunks, channels: shape.channels }),
    tensors: [partial, dweight, dbias],
    workgroups: lane ? [Math.ceil(shape.channels / CHANNEL_WORKGROUP)] : [shape.channels],
  });
  gpu.release(partial);
  dispatchFlat(gpu, {
    kernel: INPUT_KERNEL,
    count: shape.count,
    tensors: [dy, x, saved.mean, saved.invstd, weight, dweight, dbias, dx],
    uniforms: (start) => BATCH_NORM_GRAD_INPUT_PARAMS.write({ count: shape.count, hw: Math.max(shape.hw, 1), channels: shape.channels, n: shape.n, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant: batchNormLayout(shape.hw, out.layout),
  });
  return { dx, dweight, dbias };
}
