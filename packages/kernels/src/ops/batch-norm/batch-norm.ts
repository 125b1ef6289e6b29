/**
 * BatchNorm2d (Ioffe & Szegedy, https://arxiv.org/abs/1502.03167) with PyTorch's semantics, x: [N, C, H, W].
 * Training: per-channel batch mean and biased variance over n = N·H·W normalise; the running statistics move by
 *   running_mean = (1 − m)·running_mean + m·mean,  running_var = (1 − m)·running_var + m·var·n/(n − 1).
 * The statistics are two-pass per chunk (mean, then Σ(x − mean)²) merged across chunks with Chan's rule, so they stay
 * exact to float32 rounding for any n and any offset of the data. Three dispatches: moments per (chunk, channel),
 * merge per channel (+ running update), normalise. Two ways to reduce (`BatchNormReduction`): 'workgroup' — a chunk
 * of 4096 values per 256-lane workgroup with tree sums; 'lane' — a run of 256 values per invocation and one
 * invocation per channel merging, no barrier, for short channels on the CPU adapters, where a barrier switches
 * coroutines and a 256-lane workgroup over a 64-value channel mostly idles.
 * `num_batches_tracked` is the caller's counter (+1 per training forward): with a momentum set it does not enter
 * the update, so the kernels never see it.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, rowsVariant, type FlatVariant } from '../../runtime/flat.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { dims4, formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { BATCH_NORM_CHANNEL_PARAMS } from './batch-norm-channels.wgsl.js';
import {
  BATCH_NORM_FOLD_PARAMS,
  BATCH_NORM_FOLD_WGSL,
  BATCH_NORM_MOMENTS_WGSL,
  BATCH_NORM_NORMALIZE_PARAMS,
  BATCH_NORM_NORMALIZE_WGSL,
  BATCH_NORM_STATS_PARAMS,
  BATCH_NORM_STATS_WGSL,
} from './batch-norm.wgsl.js';

export const WORKGROUP_SIZE = 256;
export const PER_THREAD = 16;
/** Values of one channel per reducing workgroup. */
export const CHUNK = WORKGROUP_SIZE * PER_THREAD;
const CHANNEL_WORKGROUP = 64;
/** Values of one channel per invocation in the lane-serial reduction. */
export const RUN = 256;

/** How the per-channel sums are reduced: tree sums in 256-lane workgroups, or serial runs per invocation. */
export type BatchNormReduction = 'workgroup' | 'lane';

/** Most values per channel the default reduces with 'lane': 64 runs of RUN merged serially. */
export const LANE_MAX_VALUES = 64 * RUN;

/**
 * 'lane' where the device profile asks for lane reductions (the CPU adapters) for channels of at most LANE_MAX_VALUES
 * values (a 64² batch of 4: the maps where a 256-lane workgroup's tree sums cost more than the data, each barrier a
 * coroutine switch on the CPU adapters), else 'workgroup'; `requested` overrides. On longer channels the serial sums
 * and merge lose float32 digits (relative L2 1.3e-6 on y at 131072 values).
 */
export function batchNormReduction(gpu: Gpu, valuesPerChannel: number, requested?: BatchNormReduction): BatchNormReduction {
  if (requested) return requested;
  return gpu.deviceProfile.reduction === 'lane' && valuesPerChannel <= LANE_MAX_VALUES ? 'lane' : 'workgroup';
}

const MOMENTS_KERNEL: KernelSource = { name: 'batchNorm2d.moments', code: BATCH_NORM_MOMENTS_WGSL, constants: { WORKGROUP_SIZE, PER_THREAD } };
const FOLD_KERNEL: KernelSource = { name: 'foldBatchNorm2d', code: BATCH_NORM_FOLD_WGSL, constants: { WORKGROUP_SIZE: CHANNEL_WORKGROUP } };

export interface BatchNormParameters {
  /** γ: [C] */
  weight: GpuTensor;
  /** β: [C] */
  bias: GpuTensor;
  /** [C]; updated in place by a training forward; required for inference. */
  runningMean?: GpuTensor;
  /** [C]; updated in place by a training forward; required for inference. */
  runningVar?: GpuTensor;
}

export interface BatchNormTrainingOptions {
  /** Default 0.1 (PyTorch); EfficientNet's encoder uses 0.01. */
  momentum?: number;
  /** Default 1e-5 (PyTorch); EfficientNet's encoder uses 1e-3. */
  eps?: number;
  out?: GpuTensor;
  /** Output for the batch mean, [C]. */
  mean?: GpuTensor;
  /** Output for 1/sqrt(var + eps), [C]. */
  invstd?: GpuTensor;
  /** Default: chosen for the adapter (batchNormReduction). */
  reduction?: BatchNormReduction;
  /** Layout of the element-wise pass (tests, benchmarks): see batchNormLayout. */
  layout?: FlatVariant;
  /** num_batches_tracked (one float32), incremented in place by the statistics pass (no dispatch of its own). */
  numBatchesTracked?: GpuTensor;
}

/**
 * The element-wise passes (normalise, dx) take 4 elements a lane when H·W is a multiple of 4 (the 4 share a channel
 * and count is a multiple of 4: no tail), else one; `requested` 'scalar' forces one.
 */
export function batchNormLayout(hw: number, requested: FlatVariant = 'auto'): FlatVariant {
  return rowsVariant(hw, requested);
}

/** What the backward needs from the forward (PyTorch's save_mean, save_invstd). */
export interface BatchNormSaved {
  mean: GpuTensor;
  invstd: GpuTensor;
}

export interface BatchNormShape {
  n: number;
  channels: number;
  hw: number;
  count: number;
}

/** Validates x: [N, C, H, W] against per-channel tensors of shape [C]; returns the sizes the kernels use. */
export function batchNormShape(gpu: Gpu, kernel: string, x: GpuTensor, perChannel: Record<string, GpuTensor | undefined>): BatchNormShape {
  if (x.shape.length !== 4) throw new KernelArgumentError(`${kernel}: x must be [N, C, H, W], got ${formatShape(x.shape)}`);
  const [batch, channels, h, w] = dims4(x.shape);
  for (const [name, tensor] of Object.entries(perChannel)) {
    if (tensor && !sameShape(tensor.shape, [channels])) {
      throw new KernelArgumentError(`${kernel}: ${name} of shape ${formatShape(tensor.shape)} should be [${channels}] for x ${formatShape(x.shape)}`);
    }
  }
  const n = batch * h * w;
  if (n > 2 ** 24) throw new KernelArgumentError(`${kernel}: ${n} values per channel of x ${formatShape(x.shape)} is over 2^24`);
  if (channels > gpu.limits.maxComputeWorkgroupsPerDimension) {
    throw new KernelArgumentError(`${kernel}: ${channels} channels of x ${formatShape(x.shape)} is over maxComputeWorkgroupsPerDimension`);
  }
  return { n, channels, hw: h * w, count: numel(x.shape) };
}

/** Throws unless `outputs` (named) use buffers distinct from each other and from every input. */
export function checkDistinct(kernel: string, outputs: Record<string, GpuTensor>, inputs: readonly (GpuTensor | undefined)[]): void {
  const seen = new Set(inputs.filter((input): input is GpuTensor => input !== undefined).map((input) => input.buffer));
  for (const [name, tensor] of Object.entries(outputs)) {
    if (seen.has(tensor.buffer)) throw new KernelArgumentError(`${kernel}: ${name} must not alias an input or another output`);
    seen.add(tensor.buffer);
  }
}

function normalize(
  gpu: Gpu,
  x: GpuTensor,
  mean: GpuTensor,
  stat: GpuTensor,
  parameters: BatchNormParameters,
  y: GpuTensor,
  shape: BatchNormShape,
  inference: boolean,
  eps: number,
  layout: FlatVariant | undefined,
): void {
  const kernelName = inference ? 'batchNorm2dInference' : 'batchNorm2d.normalize';
  dispatchFlat(gpu, {
    kernel: { name: kernelName, code: BATCH_NORM_NORMALIZE_WGSL, constants: { WORKGROUP_SIZE, EVAL: inference } },
    count: shape.count,
    tensors: [x, mean, stat, parameters.weight, parameters.bias, y],
    uniforms: (start) => BATCH_NORM_NORMALIZE_PARAMS.write({ count: shape.count, hw: Math.max(shape.hw, 1), channels: shape.channels, eps, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant: batchNormLayout(shape.hw, layout),
  });
}

/**
 * The first two dispatches of a training forward: per-channel batch mean and invstd = 1/sqrt(var + eps) written to
 * `outputs`, and the running statistics (when given) moved by `momentum`. Arguments validated by the caller.
 */
export function batchNormStatistics(
  gpu: Gpu,
  x: GpuTensor,
  shape: BatchNormShape,
  outputs: { mean: GpuTensor; invstd: GpuTensor; runningMean: GpuTensor | undefined; runningVar: GpuTensor | undefined; numBatchesTracked?: GpuTensor | undefined },
  options: { momentum: number; eps: number; reduction: BatchNormReduction | undefined },
): void {
  const { mean, invstd, runningMean, runningVar, numBatchesTracked } = outputs;
  const { momentum, eps } = options;
  const name = 'batchNorm2dTraining';
  const lane = batchNormReduction(gpu, shape.n, options.reduction) === 'lane';
  const chunkSize = lane ? RUN : CHUNK;
  const chunks = Math.ceil(shape.n / chunkSize);
  const moments = gpu.empty([shape.channels, chunks, 2], `${name} moments`);
  const sizes = BATCH_NORM_CHANNEL_PARAMS.write({ channels: shape.channels, hw: shape.hw, count: shape.n, chunks });
  if (lane) {
    gpu.dispatch({
      kernel: { ...MOMENTS_KERNEL, entryPoint: 'lane_runs', constants: { WORKGROUP_SIZE: CHANNEL_WORKGROUP, RUN } },
      uniforms: sizes,
      tensors: [x, moments],
      workgroups: flatGrid(shape.channels * chunks, CHANNEL_WORKGROUP, gpu.limits.maxComputeWorkgroupsPerDimension),
    });
  } else {
    gpu.dispatch({ kernel: MOMENTS_KERNEL, uniforms: sizes, tensors: [x, moments], workgroups: [chunks, shape.channels] });
  }
  if (numBatchesTracked && numel(numBatchesTracked.shape) !== 1) {
    throw new KernelArgumentError(`${name}: numBatchesTracked of shape ${formatShape(numBatchesTracked.shape)} should hold one value`);
  }
  // Without running statistics (or the counter) their unused bindings get scratch buffers.
  const unused = runningMean && runningVar ? [] : [gpu.empty([1], `${name} unused`), gpu.empty([1], `${name} unused`)];
  const update = unused.length === 0;
  const counter = numBatchesTracked ?? gpu.empty([1], `${name} unused`);
  gpu.dispatch({
    kernel: {
      name: 'batchNorm2d.stats',
      code: BATCH_NORM_STATS_WGSL,
      entryPoint: lane ? 'lane_channels' : 'main',
      constants: { WORKGROUP_SIZE: CHANNEL_WORKGROUP, UPDATE_RUNNING: update, COUNT_BATCH: numBatchesTracked !== undefined },
    },
    uniforms: BATCH_NORM_STATS_PARAMS.write({ chunks, count: shape.n, chunk_size: chunkSize, eps, momentum, channels: shape.channels }),
    tensors: [moments, mean, invstd, runningMean ?? unused[0]!, runningVar ?? unused[1]!, counter],
    workgroups: lane ? [Math.ceil(shape.channels / CHANNEL_WORKGROUP)] : [shape.channels],
  });
  gpu.release(moments);
  for (const tensor of unused) gpu.release(tensor);
  if (!numBatchesTracked) gpu.release(counter);
}

/**
 * What the training-mode forwards (BatchNorm alone, and BatchNorm + activation) share before their element-wise
 * pass: the arguments checked, y / mean / invstd allocated where not given, and the statistics pass run (batch mean
 * and invstd written, running statistics and num_batches_tracked updated in place).
 */
export function batchNormTrainingStatistics(
  gpu: Gpu,
  name: string,
  x: GpuTensor,
  parameters: BatchNormParameters,
  options: BatchNormTrainingOptions,
): { y: GpuTensor; shape: BatchNormShape; eps: number } & BatchNormSaved {
  const { weight, bias, runningMean, runningVar } = parameters;
  const shape = batchNormShape(gpu, name, x, { weight, bias, runningMean, runningVar });
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if ((runningMean === undefined) !== (runningVar === undefined)) {
    throw new KernelArgumentError(`${name}: give both runningMean and runningVar, or neither`);
  }
  if (shape.n < 2) throw new KernelArgumentError(`${name}: x ${formatShape(x.shape)} has ${shape.n} value per channel; training needs more than 1`);
  if (!(momentum >= 0 && momentum <= 1)) throw new KernelArgumentError(`${name}: momentum must lie in [0, 1], got ${momentum}`);
  if (!(eps >= 0)) throw new KernelArgumentError(`${name}: eps must be >= 0, got ${eps}`);
  const y = options.out ?? gpu.empty(x.shape, name);
  const mean = options.mean ?? gpu.empty([shape.channels], `${name} mean`);
  const invstd = options.invstd ?? gpu.empty([shape.channels], `${name} invstd`);
  if (!sameShape(y.shape, x.shape)) throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} differs from x ${formatShape(x.shape)}`);
  batchNormShape(gpu, name, x, { mean, invstd });
  const counter = options.numBatchesTracked;
  checkDistinct(name, { y, mean, invstd, ...(runningMean && runningVar ? { runningMean, runningVar } : {}), ...(counter ? { numBatchesTracked: counter } : {}) }, [x, weight, bias]);

  batchNormStatistics(gpu, x, shape, { mean, invstd, runningMean, runningVar, numBatchesTracked: counter }, { momentum, eps, reduction: options.reduction });
  return { y, mean, invstd, shape, eps };
}

/** Training-mode forward: y, and the batch statistics saved for the backward; running statistics updated in place. */
export function batchNorm2dTraining(
  gpu: Gpu,
  x: GpuTensor,
  parameters: BatchNormParameters,
  options: BatchNormTrainingOptions = {},
): { y: GpuTensor } & BatchNormSaved {
  const { y, mean, invstd, shape, eps } = batchNormTrainingStatistics(gpu, 'batchNorm2dTraining', x, parameters, options);
  normalize(gpu, x, mean, invstd, parameters, y, shape, false, eps, options.layout);
  return { y, mean, invstd };
}

/** Inference-mode forward: y = (x − running_mean)·γ/sqrt(running_var + eps) + β. */
export function batchNorm2dInference(
  gpu: Gpu,
  x: GpuTensor,
  parameters: BatchNormParameters,
  options: { eps?: number; out?: GpuTensor; layout?: FlatVariant } = {},
): GpuTensor {
  const name = 'batchNorm2dInference';
  const { weight, bias, runningMean, runningVar } = parameters;
  if (!runningMean || !runningVar) throw new KernelArgumentError(`${name}: needs runningMean and runningVar`);
  const shape = batchNormShape(gpu, name, x, { weight, bias, runningMean, runningVar });
  const y = options.out ?? gpu.empty(x.shape, name);
  if (!sameShape(y.shape, x.shape)) throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} differs from x ${formatShape(x.shape)}`);
  checkDistinct(name, { y }, [x, weight, bias, runningMean, runningVar]);
  normalize(gpu, x, runningMean, runningVar, parameters, y, shape, true, options.eps ?? 1e-5, options.layout);
  return y;
}

/**
 * Folds inference-mode BatchNorm into a per-channel affine map for a convolution epilogue:
 * BN(x) = x·scale + shift with scale = γ/sqrt(running_var + eps), shift = β − running_mean·scale.
 */
export function foldBatchNorm2d(
  gpu: Gpu,
  parameters: BatchNormParameters,
  options: { eps?: number; scale?: GpuTensor; shift?: GpuTensor } = {},
): { scale: GpuTensor; shift: GpuTensor } {
  const name = FOLD_KERNEL.name;
  const { weight, bias, runningMean, runningVar } = parameters;
  if (!runningMean || !runningVar) throw new KernelArgumentError(`${name}: needs runningMean and runningVar`);
  if (weight.shape.length !== 1) throw new KernelArgumentError(`${name}: weight must be [C], got ${formatShape(weight.shape)}`);
  const channels = weight.shape[0]!;
  const scale = options.scale ?? gpu.empty([channels], `${name} scale`);
  const shift = options.shift ?? gpu.empty([channels], `${name} shift`);
  for (const [label, tensor] of Object.entries({ bias, runningMean, runningVar, scale, shift })) {
    if (!sameShape(tensor.shape, [channels])) {
      throw new KernelArgumentError(`${name}: ${label} of shape ${formatShape(tensor.shape)} should be [${channels}] like weight`);
    }
  }
  checkDistinct(name, { scale, shift }, [weight, bias, runningMean, runningVar]);
  gpu.dispatch({
    kernel: FOLD_KERNEL,
    uniforms: BATCH_NORM_FOLD_PARAMS.write({ channels, eps: options.eps ?? 1e-5 }),
    tensors: [runningMean, runningVar, weight, bias, scale, shift],
    workgroups: [Math.ceil(channels / CHANNEL_WORKGROUP)],
  });
  return { scale, shift };
}

export interface BatchNorm2dOptions extends BatchNormTrainingOptions {
  /** Batch statistics (and running update) when true; running statistics when false. */
  training: boolean;
  /** [C]; required when not training. */
  runningMean?: GpuTensor;
  /** [C]; required when not training. */
  runningVar?: GpuTensor;
}

/**
 * `F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)` for x: [N, C, H, W]: the
 * training forward returns y and the statistics the backward needs; the inference forward returns y only.
 */
export function batchNorm2d(gpu: Gpu, x: GpuTensor, weight: GpuTensor, bias: GpuTensor, options: BatchNorm2dOptions & { training: true }): { y: GpuTensor } & BatchNormSaved;
export function batchNorm2d(gpu: Gpu, x: GpuTensor, weight: GpuTensor, bias: GpuTensor, options: BatchNorm2dOptions): { y: GpuTensor } & Partial<BatchNormSaved>;
export function batchNorm2d(gpu: Gpu, x: GpuTensor, weight: GpuTensor, bias: GpuTensor, options: BatchNorm2dOptions): { y: GpuTensor } & Partial<BatchNormSaved> {
  const { training, runningMean, runningVar, ...rest } = options;
  const parameters: BatchNormParameters = { weight, bias, runningMean, runningVar };
  if (training) return batchNorm2dTraining(gpu, x, parameters, rest);
  return { y: batchNorm2dInference(gpu, x, parameters, { eps: rest.eps, out: rest.out }) };
}
