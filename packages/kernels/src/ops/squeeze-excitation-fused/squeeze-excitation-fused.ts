/**
 * Fused squeeze-and-excitation for inference: y = x · σ(W2·silu(W1·mean_hw(x) + b1) + b2), per image and channel.
 * Three dispatches (pool over H·W, the excitation MLP of one image per workgroup, channel scale) instead of the six of
 * the composition (pool, 1x1 conv, silu, 1x1 conv, sigmoid, scale) whose 1x1 convolutions are GEMMs with one
 * output column. No backward: training runs the composition (the test oracle of this kernel).
 * Weights in PyTorch's layouts: w1 [R, C, 1, 1] (or [R, C]), b1 [R], w2 [C, R, 1, 1] (or [C, R]), b2 [C].
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid, UniformWriter } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { conv2d } from '../conv2d/conv2d.js';
import { channelScale, globalAvgPool2d } from '../squeeze-excitation/squeeze-excitation.js';
import { unary } from '../unary/unary.js';
import { MAX_REDUCED, SE_GATE_WGSL } from './squeeze-excitation-fused.wgsl.js';

const WORKGROUP_SIZE = 64;

export const SE_GATE_KERNEL: KernelSource = { name: 'squeezeExcitationGate', code: SE_GATE_WGSL, constants: { WORKGROUP_SIZE } };

export interface SqueezeExcitationWeights {
  /** [R, C, 1, 1] or [R, C]: the reducing 1x1 convolution (`_se_reduce.weight`). */
  reduceWeight: GpuTensor;
  /** [R] */
  reduceBias: GpuTensor;
  /** [C, R, 1, 1] or [C, R]: the expanding 1x1 convolution (`_se_expand.weight`). */
  expandWeight: GpuTensor;
  /** [C] */
  expandBias: GpuTensor;
}

function matrix(name: string, what: string, shape: readonly number[], rows: number, cols: number): void {
  if (!sameShape(shape, [rows, cols]) && !sameShape(shape, [rows, cols, 1, 1])) {
    throw new KernelArgumentError(`${name}: ${what} of shape ${formatShape(shape)} should be [${rows}, ${cols}, 1, 1] or [${rows}, ${cols}]`);
  }
}

/** Validates the SE weights against C channels; returns R, the squeezed channel count (1..MAX_REDUCED). */
export function checkWeights(name: string, channels: number, weights: SqueezeExcitationWeights): number {
  const reduced = weights.reduceWeight.shape[0] ?? 0;
  if (reduced < 1 || reduced > MAX_REDUCED) {
    throw new KernelArgumentError(`${name}: ${reduced} squeezed channels; the fused kernel takes 1..${MAX_REDUCED} (use the composition)`);
  }
  matrix(name, 'reduceWeight', weights.reduceWeight.shape, reduced, channels);
  matrix(name, 'expandWeight', weights.expandWeight.shape, channels, reduced);
  if (!sameShape(weights.reduceBias.shape, [reduced])) throw new KernelArgumentError(`${name}: reduceBias of shape ${formatShape(weights.reduceBias.shape)} should be [${reduced}]`);
  if (!sameShape(weights.expandBias.shape, [channels])) throw new KernelArgumentError(`${name}: expandBias of shape ${formatShape(weights.expandBias.shape)} should be [${channels}]`);
  return reduced;
}

/** gate[n, c] = σ(b2[c] + Σ_r w2[c, r]·silu(b1[r] + Σ_c' w1[r, c']·pooled[n, c'])); pooled is [N, C] or [N, C, 1, 1]. */
export function squeezeExcitationGate(gpu: Gpu, pooled: GpuTensor, weights: SqueezeExcitationWeights, out?: GpuTensor): GpuTensor {
  const name = SE_GATE_KERNEL.name;
  const [images = 0, channels = 0] = pooled.shape;
  if (!sameShape(pooled.shape, [images, channels]) && !sameShape(pooled.shape, [images, channels, 1, 1])) {
    throw new KernelArgumentError(`${name}: pooled must be [N, C] or [N, C, 1, 1], got ${formatShape(pooled.shape)}`);
  }
  const reduced = checkWeights(name, channels, weights);
  const gate = out ?? gpu.empty([images, channels], name);
  if (numel(gate.shape) !== images * channels || (gate.shape[0] !== images || gate.shape[1] !== channels)) {
    throw new KernelArgumentError(`${name}: output of shape ${formatShape(gate.shape)} should be [${images}, ${channels}]`);
  }
  const inputs = [pooled, weights.reduceWeight, weights.reduceBias, weights.expandWeight, weights.expandBias];
  if (inputs.some((input) => input.buffer === gate.buffer)) throw new KernelArgumentError(`${name}: output must not alias an input buffer`);
  gpu.dispatch({
    kernel: SE_GATE_KERNEL,
    uniforms: new UniformWriter(12).u32(images).u32(channels).u32(reduced).finish(),
    tensors: [...inputs, gate],
    workgroups: flatGrid(images, 1, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return gate;
}

/** y[n, c, h, w] = x[n, c, h, w]·gate[n, c] with the gate of the pooled x (see squeezeExcitationGate). x: [N, C, H, W]. */
export function squeezeExcitation(gpu: Gpu, x: GpuTensor, weights: SqueezeExcitationWeights, out?: GpuTensor): GpuTensor {
  const name = 'squeezeExcitation';
  if (x.shape.length !== 4) throw new KernelArgumentError(`${name}: x must be [N, C, H, W], got ${formatShape(x.shape)}`);
  checkWeights(name, x.shape[1]!, weights);
  const pooled = globalAvgPool2d(gpu, x);
  const gate = squeezeExcitationGate(gpu, pooled, weights);
  gpu.release(pooled);
  const y = channelScale(gpu, x, gate, out);
  gpu.release(gate);
  return y;
}

/**
 * The same SE as the composition of single-purpose kernels (pool, 1x1 conv + bias, silu, 1x1 conv + bias, sigmoid,
 * scale): what training records on the tape, the oracle of the fused kernel, and its benchmark baseline.
 */
export function squeezeExcitationComposed(gpu: Gpu, x: GpuTensor, weights: SqueezeExcitationWeights, out?: GpuTensor): GpuTensor {
  const [n = 0, c = 0] = x.shape;
  const reduced = weights.reduceWeight.shape[0] ?? 0;
  const as4d = (t: GpuTensor, rows: number, cols: number): GpuTensor => ({ buffer: t.buffer, shape: [rows, cols, 1, 1] });
  const pooled = globalAvgPool2d(gpu, x, gpu.empty([n, c, 1, 1], 'se pooled'));
  const hiddenLinear = conv2d(gpu, pooled, as4d(weights.reduceWeight, reduced, c), { bias: weights.reduceBias });
  const hidden = unary(gpu, 'silu', hiddenLinear);
  const gateLinear = conv2d(gpu, hidden, as4d(weights.expandWeight, c, reduced), { bias: weights.expandBias });
  const gate = unary(gpu, 'sigmoid', gateLinear);
  const y = channelScale(gpu, x, gate, out);
  for (const t of [pooled, hiddenLinear, hidden, gateLinear, gate]) gpu.release(t);
  return y;
}
