/**
 * Squeeze-and-excitation in training, y = x·g, g = σ(W2·silu(W1·mean_hw(x) + b1) + b2) per image and channel
 * (Hu et al., https://arxiv.org/abs/1709.01507), with its backward, in few dispatches:
 *   forward:  pool, the excitation MLP (one workgroup per image), scale: 3 dispatches (the composition: pool, 1x1 conv,
 *             silu, 1x1 conv, sigmoid, scale); p and g are kept for the backward, u, h and a are recomputed there.
 *   backward: ds = Σ_hw dy·x; the MLP backward per image (dp, and h, du, da for the weights); the weights' gradients
 *             (sums over the images, one invocation per value); dx = dy·g + dp/(H·W): 4 dispatches (the composition:
 *             about 12 — scale, sigmoid, silu and pool backwards, two GEMMs and a bias sum per 1x1 conv, and the sum
 *             of x's two gradients).
 * Weights in PyTorch's layouts: w1 [R, C, 1, 1] (or [R, C]), b1 [R], w2 [C, R, 1, 1] (or [C, R]), b2 [C]; R ≤ 256.
 */
import { KernelArgumentError } from '../../device/errors.js';
import { dispatchFlat, rowsVariant, type FlatVariant } from '../../runtime/flat.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { dims4, formatShape, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { checkWeights, squeezeExcitationGate, type SqueezeExcitationWeights } from '../squeeze-excitation-fused/squeeze-excitation-fused.js';
import { SE_GATE_PARAMS } from '../squeeze-excitation-fused/squeeze-excitation-fused.wgsl.js';
import { CHANNEL_SCALE_GRAD_KERNEL, channelScale, globalAvgPool2d, rowSum } from '../squeeze-excitation/squeeze-excitation.js';
import { SE_GATE_BACKWARD_WGSL, SE_INPUT_GRAD_PARAMS, SE_INPUT_GRAD_WGSL, SE_WEIGHT_GRAD_WGSL } from './squeeze-excitation-training.wgsl.js';

const WORKGROUP_SIZE = 64;
const FLAT_WORKGROUP = 256;
const GATE_BACKWARD_KERNEL: KernelSource = { name: 'squeezeExcitationBackward.gate', code: SE_GATE_BACKWARD_WGSL, constants: { WORKGROUP_SIZE } };
const WEIGHT_GRAD_KERNEL: KernelSource = { name: 'squeezeExcitationBackward.weights', code: SE_WEIGHT_GRAD_WGSL, constants: { WORKGROUP_SIZE } };
const INPUT_GRAD_KERNEL: KernelSource = { name: 'squeezeExcitationBackward', code: SE_INPUT_GRAD_WGSL, constants: { WORKGROUP_SIZE: FLAT_WORKGROUP } };

/** What the backward reads besides x and the weights: the pooled x and the gate, both [N, C]. */
export interface SqueezeExcitationSaved {
  pooled: GpuTensor;
  gate: GpuTensor;
}

function checkX(name: string, x: GpuTensor): [number, number, number, number] {
  if (x.shape.length !== 4) throw new KernelArgumentError(`${name}: x must be [N, C, H, W], got ${formatShape(x.shape)}`);
  const dims = dims4(x.shape);
  if (dims[2] * dims[3] === 0) throw new KernelArgumentError(`${name}: x ${formatShape(x.shape)} has no pixels to average`);
  return dims;
}

/** y = x·g and the saved (pooled, gate) of the training forward. */
export function squeezeExcitationTraining(gpu: Gpu, x: GpuTensor, weights: SqueezeExcitationWeights, out?: GpuTensor): { y: GpuTensor } & SqueezeExcitationSaved {
  const name = 'squeezeExcitationTraining';
  const [, channels] = checkX(name, x);
  checkWeights(name, channels, weights);
  if (out && out.buffer === x.buffer) throw new KernelArgumentError(`${name}: y must not alias x`);
  const pooled = globalAvgPool2d(gpu, x);
  const gate = squeezeExcitationGate(gpu, pooled, weights);
  const y = channelScale(gpu, x, gate, out);
  return { y, pooled, gate };
}

export interface SqueezeExcitationGradients {
  dx: GpuTensor;
  /** Shapes of the weights given. */
  dReduceWeight: GpuTensor;
  dReduceBias: GpuTensor;
  dExpandWeight: GpuTensor;
  dExpandBias: GpuTensor;
}

/** Gradients of y = x·g (see the file comment) from dy, x, the weights and the forward's saved (pooled, gate). */
export function squeezeExcitationBackward(
  gpu: Gpu,
  dy: GpuTensor,
  x: GpuTensor,
  weights: SqueezeExcitationWeights,
  saved: SqueezeExcitationSaved,
  out: Partial<SqueezeExcitationGradients> & { layout?: FlatVariant } = {},
): SqueezeExcitationGradients {
  const name = INPUT_GRAD_KERNEL.name;
  const [images, channels, h, w] = checkX(name, x);
  const reduced = checkWeights(name, channels, weights);
  if (!sameShape(dy.shape, x.shape)) throw new KernelArgumentError(`${name}: dy of shape ${formatShape(dy.shape)} differs from x ${formatShape(x.shape)}`);
  for (const [label, tensor] of [['pooled', saved.pooled], ['gate', saved.gate]] as const) {
    if (!sameShape(tensor.shape, [images, channels]) && !sameShape(tensor.shape, [images, channels, 1, 1])) {
      throw new KernelArgumentError(`${name}: ${label} of shape ${formatShape(tensor.shape)} should be [${images}, ${channels}]`);
    }
  }
  const dx = out.dx ?? gpu.empty(x.shape, `${name} dx`);
  const dReduceWeight = out.dReduceWeight ?? gpu.empty(weights.reduceWeight.shape, `${name} dReduceWeight`);
  const dReduceBias = out.dReduceBias ?? gpu.empty([reduced], `${name} dReduceBias`);
  const dExpandWeight = out.dExpandWeight ?? gpu.empty(weights.expandWeight.shape, `${name} dExpandWeight`);
  const dExpandBias = out.dExpandBias ?? gpu.empty([channels], `${name} dExpandBias`);
  const outputs = { dx, dReduceWeight, dReduceBias, dExpandWeight, dExpandBias };
  const reads = new Set([dy, x, saved.pooled, saved.gate, ...Object.values(weights)].map((tensor) => tensor.buffer));
  for (const [label, tensor] of Object.entries(outputs)) {
    if (reads.has(tensor.buffer)) throw new KernelArgumentError(`${name}: ${label} must not alias an input or another output`);
    reads.add(tensor.buffer);
  }
  if (!sameShape(dx.shape, x.shape)) throw new KernelArgumentError(`${name}: dx of shape ${formatShape(dx.shape)} differs from x ${formatShape(x.shape)}`);
  for (const [label, tensor, want] of [
    ['dReduceWeight', dReduceWeight, weights.reduceWeight.shape],
    ['dReduceBias', dReduceBias, [reduced]],
    ['dExpandWeight', dExpandWeight, weights.expandWeight.shape],
    ['dExpandBias', dExpandBias, [channels]],
  ] as const) {
    if (!sameShape(tensor.shape, want)) throw new KernelArgumentError(`${name}: ${label} of shape ${formatShape(tensor.shape)} should be ${formatShape(want)}`);
  }

  const hw = h * w;
  const ds = gpu.empty([images, channels], `${name} ds`);
  rowSum(gpu, CHANNEL_SCALE_GRAD_KERNEL, [dy, x], ds, images * channels, hw, 1);
  const scratch = gpu.empty([images, 2 * reduced + channels], `${name} scratch`);
  const dpooled = gpu.empty([images, channels], `${name} dpooled`);
  const sizes = SE_GATE_PARAMS.write({ images, channels, reduced });
  gpu.dispatch({
    kernel: GATE_BACKWARD_KERNEL,
    uniforms: sizes,
    tensors: [saved.pooled, ds, weights.reduceWeight, weights.reduceBias, weights.expandWeight, weights.expandBias, scratch, dpooled],
    workgroups: flatGrid(images, 1, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  gpu.dispatch({
    kernel: WEIGHT_GRAD_KERNEL,
    uniforms: sizes,
    tensors: [saved.pooled, scratch, dReduceWeight, dReduceBias, dExpandWeight, dExpandBias],
    workgroups: flatGrid(2 * reduced * channels + reduced + channels, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  gpu.release(scratch);
  gpu.release(ds);
  const count = images * channels * hw;
  dispatchFlat(gpu, {
    kernel: INPUT_GRAD_KERNEL,
    count,
    tensors: [dy, saved.gate, dpooled, dx],
    uniforms: (start) => SE_INPUT_GRAD_PARAMS.write({ count, hw, inv_hw: 1 / hw, start }),
    workgroupSize: FLAT_WORKGROUP,
    variant: rowsVariant(hw, out.layout ?? 'auto'),
  });
  gpu.release(dpooled);
  return outputs;
}
