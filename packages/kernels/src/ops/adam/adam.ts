/**
 * Adam (Kingma & Ba, https://arxiv.org/abs/1412.6980) as PyTorch 1.13 steps it (`torch.optim.Adam`, single-tensor
 * path, amsgrad off), in place on the device.
 *
 * Layout: a group is four same-shaped tensors (parameter, gradient, first and second moment): one parameter tensor,
 * or one flat segment that holds many parameters back to back (gaps of zeros are harmless: g = m = v = 0 leaves p
 * unchanged). The step scalars are the same for every group of a step. Two kernels:
 * - separate (runtime/flat): one dispatch per group (two when a vec4 layout leaves a scalar tail), vec4 loads;
 * - packed (adam-packed.wgsl.ts): up to ⌊maxStorageBuffersPerShaderStage / 4⌋ groups (at most 8) per dispatch, vec4
 *   when every count of the dispatch is a multiple of 4, else one element a lane. A network's many small tensors (batch-norm scales and shifts, biases, depthwise and SE weights)
 *   cost a dispatch each in the separate layout, where the dispatch, not the arithmetic, is the price.
 * `auto` packs the groups up to ADAM_PACKED_MAX_ELEMENTS(_VEC4) elements and runs the others separately.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, type FlatVariant } from '../../runtime/flat.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { ADAM_PACKED_MAX_SLOTS, ADAM_PACKED_PARAMS, adamPackedWgsl } from './adam-packed.wgsl.js';
import { ADAM_PARAMS, ADAM_WGSL } from './adam.wgsl.js';

const WORKGROUP_SIZE = 256;

/**
 * Largest group `auto` sends to the packed kernel (4 workgroups of the separate vec4 kernel): vec4 when the count is
 * a multiple of 4 (ADAM_PACKED_MAX_ELEMENTS_VEC4), one element a lane otherwise (ADAM_PACKED_MAX_ELEMENTS). Packing
 * the vec4 tensors up to 65536 gave Linknet-B6 17% fewer dispatches but no less CPU time in an A/B at load 28
 * (bench/RESULTS.md, branch speed; the compiled code was not read: the slot switch, uniform per workgroup but not
 * known to be so by lavapipe, may cost every lane the other slots' masked branches), so only small tensors pack.
 */
export const ADAM_PACKED_MAX_ELEMENTS = 4096;
export const ADAM_PACKED_MAX_ELEMENTS_VEC4 = 4096;

/** Workgroups along x of a packed dispatch at most; lanes loop over longer tensors. */
const PACKED_MAX_GROUPS_X = 256;

/**
 * `auto`: packed for small groups, separate (flat `auto`) for the rest. `separate`: every group its own dispatch,
 * flat `auto` (the layout before the packed kernel). `vec4`, `scalar`: separate with that flat layout. `packed`:
 * every group through the packed kernel.
 */
export type AdamVariant = FlatVariant | 'separate' | 'packed';

export interface AdamOptions {
  /** Learning rate of this step (after any schedule). */
  learningRate: number;
  /** (β1, β2); default (0.9, 0.999). */
  betas?: readonly [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (`g + wd·p`, torch's `weight_decay`); default 0. */
  weightDecay?: number;
}

/** One parameter (or flat segment of parameters) with its gradient and Adam's moment buffers, all the same shape. */
export interface AdamGroup {
  param: GpuTensor;
  grad: GpuTensor;
  /** First moment (torch's `exp_avg`); zeros before step 1. */
  m: GpuTensor;
  /** Second moment (torch's `exp_avg_sq`); zeros before step 1. */
  v: GpuTensor;
}

/** The scalars of step t as torch forms them: float64 on the host, rounded to float32 where they meet tensors. */
export interface AdamScalars {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** sqrt(1 − β2^t), float64. */
  biasCorrection2Sqrt: number;
  /** −lr / (1 − β1^t), float64 (torch's `-step_size`). */
  negStepSize: number;
  eps: number;
  weightDecay: number;
}

export function adamScalars(step: number, options: AdamOptions): AdamScalars {
  const [beta1, beta2] = options.betas ?? [0.9, 0.999];
  const eps = options.eps ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0;
  if (!Number.isInteger(step) || step < 1) throw new KernelArgumentError(`adam: step must be an integer >= 1, got ${step}`);
  if (!(options.learningRate >= 0)) throw new KernelArgumentError(`adam: learning rate must be >= 0, got ${options.learningRate}`);
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
    throw new KernelArgumentError(`adam: betas must lie in [0, 1), got (${beta1}, ${beta2})`);
  }
  if (!(eps >= 0)) throw new KernelArgumentError(`adam: eps must be >= 0, got ${eps}`);
  if (!(weightDecay >= 0)) throw new KernelArgumentError(`adam: weight decay must be >= 0, got ${weightDecay}`);
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  return {
    beta1,
    oneMinusBeta1: 1 - beta1,
    beta2,
    oneMinusBeta2: 1 - beta2,
    biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
    negStepSize: -(options.learningRate / biasCorrection1),
    eps,
    weightDecay,
  };
}

export function adamKernel(weightDecay: boolean): KernelSource {
  return { name: 'adam', code: ADAM_WGSL, constants: { WORKGROUP_SIZE, WEIGHT_DECAY: weightDecay } };
}

const packedKernels = new Map<string, KernelSource>();

/**
 * The packed kernel for `slots` groups at entry point `main4` (vec4, every count a multiple of 4) or `main`, one
 * object per (slots, weight decay, entry point) so its pipeline key is built once.
 */
export function adamPackedKernel(slots: number, weightDecay: boolean, entryPoint: 'main4' | 'main' = 'main'): KernelSource {
  const key = `${slots}|${weightDecay}|${entryPoint}`;
  let kernel = packedKernels.get(key);
  if (!kernel) {
    kernel = { name: 'adam.packed', code: adamPackedWgsl(slots), entryPoint, constants: { WORKGROUP_SIZE, WEIGHT_DECAY: weightDecay } };
    packedKernels.set(key, kernel);
  }
  return kernel;
}

/** Groups per packed dispatch on this device: four storage bindings each. */
export function adamPackedSlots(gpu: Gpu): number {
  return Math.max(1, Math.min(ADAM_PACKED_MAX_SLOTS, Math.floor(gpu.limits.maxStorageBuffersPerShaderStage / 4)));
}

/**
 * Applies Adam step `step` (1 for the first) to every group, updating param, m and v in place. `variant` (tests,
 * benchmarks) forces a layout (AdamVariant).
 */
export function adam(
  gpu: Gpu,
  groups: AdamGroup | readonly AdamGroup[],
  step: number,
  options: AdamOptions,
  variant: AdamVariant = 'auto',
): void {
  const list = Array.isArray(groups) ? (groups as readonly AdamGroup[]) : [groups as AdamGroup];
  const scalars = adamScalars(step, options);
  const kernel = adamKernel(scalars.weightDecay !== 0);
  const stepScalars = {
    beta1: scalars.beta1,
    one_minus_beta1: scalars.oneMinusBeta1,
    beta2: scalars.beta2,
    one_minus_beta2: scalars.oneMinusBeta2,
    bias_correction2_sqrt: scalars.biasCorrection2Sqrt,
    eps: scalars.eps,
    neg_step_size: scalars.negStepSize,
    weight_decay: scalars.weightDecay,
  };
  list.forEach((group, index) => validateGroup(group, index));
  const flatVariant: FlatVariant = variant === 'vec4' || variant === 'scalar' ? variant : 'auto';
  const packed: AdamGroup[] = [];
  for (const group of list) {
    const count = numel(group.param.shape);
    const small = count % 4 === 0 ? count <= ADAM_PACKED_MAX_ELEMENTS_VEC4 : count <= ADAM_PACKED_MAX_ELEMENTS;
    if (variant === 'packed' || (variant === 'auto' && small)) {
      if (count > 0) packed.push(group);
      continue;
    }
    dispatchFlat(gpu, {
      kernel,
      count,
      tensors: [group.param, group.grad, group.m, group.v],
      uniforms: (start) => ADAM_PARAMS.write(Object.assign({ count, start }, stepScalars)),
      workgroupSize: WORKGROUP_SIZE,
      variant: flatVariant,
    });
  }
  // vec4 chunks (every count a multiple of 4) and scalar ones; similar sizes share a dispatch, so few lanes idle.
  const slots = adamPackedSlots(gpu);
  for (const vec4 of [true, false]) {
    const layout = packed.filter((group) => (numel(group.param.shape) % 4 === 0) === vec4);
    layout.sort((a, b) => numel(b.param.shape) - numel(a.param.shape));
    for (let first = 0; first < layout.length; first += slots) {
      const chunk = layout.slice(first, first + slots);
      const counts = chunk.map((group) => numel(group.param.shape));
      gpu.dispatch({
        kernel: adamPackedKernel(chunk.length, scalars.weightDecay !== 0, vec4 ? 'main4' : 'main'),
        uniforms: ADAM_PACKED_PARAMS.write(Object.assign({ counts }, stepScalars)),
        tensors: chunk.flatMap((group) => [group.param, group.grad, group.m, group.v]),
        workgroups: [Math.min(PACKED_MAX_GROUPS_X, Math.ceil(counts[0]! / (vec4 ? 4 : 1) / WORKGROUP_SIZE)), chunk.length],
      });
    }
  }
}

function validateGroup(group: AdamGroup, index: number): void {
  const { param, grad, m, v } = group;
  for (const [name, tensor] of [['grad', grad], ['m', m], ['v', v]] as const) {
    if (!sameShape(tensor.shape, param.shape)) {
      throw new KernelArgumentError(
        `adam: group ${index}: ${name} of shape ${formatShape(tensor.shape)} differs from param ${formatShape(param.shape)}`,
      );
    }
  }
  const buffers = [param.buffer, grad.buffer, m.buffer, v.buffer];
  if (new Set(buffers).size !== buffers.length) {
    throw new KernelArgumentError(`adam: group ${index} (param ${formatShape(param.shape)}): param, grad, m and v must not alias one buffer`);
  }
}
