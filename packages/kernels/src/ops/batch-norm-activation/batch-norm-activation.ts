/**
 * Training-mode BatchNorm2d followed by an activation, forward in one element-wise pass and backward in one, for
 * x: [N, C, H, W]:  y = f(z),  z = x̂·γ + β,  x̂ = (x − mean)·invstd  (f: none, relu, sigmoid, silu).
 * What the backward allows: the batch statistics depend on the whole convolution output, so BN cannot move into the
 * convolution's epilogue in training (the eval fold does); it is the separate activation pass and its backward pass
 * that go. z is never stored: the backward recomputes it from x and the saved (mean, invstd), so the saved tensors
 * are those of BN alone.
 *   forward:  statistics (batch-norm's two dispatches, running update and num_batches_tracked += 1 included),
 *             then y = f(z): 3 dispatches (BN then f: 4, and the counter's own).
 *   backward: g = dy·f'(z);  dβ = Σ g,  dγ = Σ g·x̂,  dx = (g − dβ/n − x̂·dγ/n)·invstd·γ  (n = N·H·W): the partial
 *             sums per (chunk, channel), their sum per channel (which also writes the two-vec4 channel table the
 *             dx pass reads), then dx: 3 dispatches (f' then BN's backward: 4).
 * https://arxiv.org/abs/1502.03167
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, type FlatVariant } from '../../runtime/flat.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { activationCode, type Activation } from '../gemm/tiles.js';
import {
  batchNormLayout,
  batchNormReduction,
  batchNormShape,
  batchNormTrainingStatistics,
  checkDistinct,
  CHUNK,
  PER_THREAD,
  RUN,
  WORKGROUP_SIZE,
  type BatchNormParameters,
  type BatchNormReduction,
  type BatchNormSaved,
  type BatchNormTrainingOptions,
} from '../batch-norm/batch-norm.js';
import {
  BATCH_NORM_ACTIVATION_INPUT_WGSL,
  BATCH_NORM_ACTIVATION_PARAMS_WGSL,
  BATCH_NORM_ACTIVATION_PARTIAL_WGSL,
  BATCH_NORM_ACTIVATION_WGSL,
  BATCH_NORM_ACTIVATION_ELEMENT_PARAMS,
  BATCH_NORM_ACTIVATION_SUM_PARAMS,
} from './batch-norm-activation.wgsl.js';
import { BATCH_NORM_CHANNEL_PARAMS } from '../batch-norm/batch-norm-channels.wgsl.js';

const CHANNEL_WORKGROUP = 64;

interface Kernels {
  forward: KernelSource;
  partial: KernelSource;
  partialLane: KernelSource;
  params: KernelSource;
  paramsLane: KernelSource;
  input: KernelSource;
}

/** One set of kernel objects per activation code, so their pipeline keys are built once. */
const kernelsByCode = new Map<number, Kernels>();

function kernels(code: number): Kernels {
  let found = kernelsByCode.get(code);
  if (!found) {
    const partial: KernelSource = { name: 'batchNorm2dActivationBackward.partial', code: BATCH_NORM_ACTIVATION_PARTIAL_WGSL, constants: { WORKGROUP_SIZE, PER_THREAD, ACTIVATION: code } };
    const params: KernelSource = { name: 'batchNorm2dActivationBackward.params', code: BATCH_NORM_ACTIVATION_PARAMS_WGSL, constants: { WORKGROUP_SIZE: CHANNEL_WORKGROUP } };
    found = {
      forward: { name: 'batchNorm2dActivation', code: BATCH_NORM_ACTIVATION_WGSL, constants: { WORKGROUP_SIZE, ACTIVATION: code } },
      partial,
      partialLane: { ...partial, entryPoint: 'lane_runs', constants: { WORKGROUP_SIZE: CHANNEL_WORKGROUP, RUN, ACTIVATION: code } },
      params,
      paramsLane: { ...params, entryPoint: 'lane_channels' },
      input: { name: 'batchNorm2dActivationBackward', code: BATCH_NORM_ACTIVATION_INPUT_WGSL, constants: { WORKGROUP_SIZE, ACTIVATION: code } },
    };
    kernelsByCode.set(code, found);
  }
  return found;
}

export interface BatchNormActivationOptions extends BatchNormTrainingOptions {
  /** f after the normalisation (default 'none'). */
  activation?: Activation;
}

/** y = f(BN(x)) in training mode, and the batch statistics the backward needs; running statistics updated in place. */
export function batchNorm2dActivationTraining(
  gpu: Gpu,
  x: GpuTensor,
  parameters: BatchNormParameters,
  options: BatchNormActivationOptions = {},
): { y: GpuTensor } & BatchNormSaved {
  const name = 'batchNorm2dActivationTraining';
  const code = activationCode(name, options.activation);
  const { y, mean, invstd, shape } = batchNormTrainingStatistics(gpu, name, x, parameters, options);
  dispatchFlat(gpu, {
    kernel: kernels(code).forward,
    count: shape.count,
    tensors: [x, mean, invstd, parameters.weight, parameters.bias, y],
    uniforms: (start) => BATCH_NORM_ACTIVATION_ELEMENT_PARAMS.write({ count: shape.count, hw: Math.max(shape.hw, 1), channels: shape.channels, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant: batchNormLayout(shape.hw, options.layout),
  });
  return { y, mean, invstd };
}

export interface BatchNormActivationGradients {
  dx: GpuTensor;
  /** dγ: [C] */
  dweight: GpuTensor;
  /** dβ: [C] */
  dbias: GpuTensor;
}

/** dx, dγ, dβ of y = f(BN(x)) (training mode) from dy, x, γ, β and the statistics the forward saved. */
export function batchNorm2dActivationBackward(
  gpu: Gpu,
  dy: GpuTensor,
  x: GpuTensor,
  parameters: { weight: GpuTensor; bias: GpuTensor },
  saved: BatchNormSaved,
  options: Partial<BatchNormActivationGradients> & { activation?: Activation; reduction?: BatchNormReduction; layout?: FlatVariant } = {},
): BatchNormActivationGradients {
  const name = 'batchNorm2dActivationBackward';
  const { weight, bias } = parameters;
  const code = activationCode(name, options.activation);
  const shape = batchNormShape(gpu, name, x, { weight, bias, mean: saved.mean, invstd: saved.invstd });
  if (!sameShape(dy.shape, x.shape)) throw new KernelArgumentError(`${name}: dy of shape ${formatShape(dy.shape)} differs from x ${formatShape(x.shape)}`);
  const dx = options.dx ?? gpu.empty(x.shape, `${name} dx`);
  const dweight = options.dweight ?? gpu.empty([shape.channels], `${name} dweight`);
  const dbias = options.dbias ?? gpu.empty([shape.channels], `${name} dbias`);
  if (!sameShape(dx.shape, x.shape)) throw new KernelArgumentError(`${name}: dx of shape ${formatShape(dx.shape)} differs from x ${formatShape(x.shape)}`);
  batchNormShape(gpu, name, x, { dweight, dbias });
  checkDistinct(name, { dx, dweight, dbias }, [dy, x, weight, bias, saved.mean, saved.invstd]);

  const set = kernels(code);
  const lane = batchNormReduction(gpu, shape.n, options.reduction) === 'lane';
  const chunks = Math.ceil(shape.n / (lane ? RUN : CHUNK));
  const partial = gpu.empty([shape.channels, chunks, 2], `${name} partial`);
  const table = gpu.empty([shape.channels, 2, 4], `${name} table`);
  gpu.dispatch({
    kernel: lane ? set.partialLane : set.partial,
    uniforms: BATCH_NORM_CHANNEL_PARAMS.write({ channels: shape.channels, hw: shape.hw, count: shape.n, chunks }),
    tensors: [dy, x, saved.mean, saved.invstd, weight, bias, partial],
    workgroups: lane ? flatGrid(shape.channels * chunks, CHANNEL_WORKGROUP, gpu.limits.maxComputeWorkgroupsPerDimension) : [chunks, shape.channels],
  });
  gpu.dispatch({
    kernel: lane ? set.paramsLane : set.params,
    uniforms: BATCH_NORM_ACTIVATION_SUM_PARAMS.write({ chunks, channels: shape.channels, n: shape.n }),
    tensors: [partial, saved.mean, saved.invstd, weight, bias, dweight, dbias, table],
    workgroups: lane ? [Math.ceil(shape.channels / CHANNEL_WORKGROUP)] : [shape.channels],
  });
  gpu.release(partial);
  dispatchFlat(gpu, {
    kernel: set.input,
    count: shape.count,
    tensors: [dy, x, table, dx],
    uniforms: (start) => BATCH_NORM_ACTIVATION_ELEMENT_PARAMS.write({ count: shape.count, hw: Math.max(shape.hw, 1), channels: shape.channels, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant: batchNormLayout(shape.hw, options.layout),
  });
  gpu.release(table);
  return { dx, dweight, dbias };
}
