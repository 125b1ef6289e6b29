/**
 * Drop-connect (stochastic depth, Huang et al., https://arxiv.org/abs/1603.09382) as EfficientNet's MBConv applies it
 * to the residual branch in training: per sample n, keep with probability 1 − p and scale survivors by 1/(1 − p):
 *   y[n, ...] = x[n, ...]·mask[n] / (1 − p),  mask[n] ∈ {0, 1}.
 * The mask comes from a counter-based hash of (seed, n) on the GPU (see KEEP_WGSL), so forward and backward agree
 * given the same seed and nothing is stored. The caller picks a fresh u32 seed per step and block.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, type FlatVariant } from '../../runtime/flat.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { DROP_CONNECT_ADD_WGSL, DROP_CONNECT_MASK_PARAMS, DROP_CONNECT_MASK_WGSL, DROP_CONNECT_PARAMS, DROP_CONNECT_WGSL } from './drop-connect.wgsl.js';

const WORKGROUP_SIZE = 256;

export const DROP_CONNECT_KERNEL: KernelSource = { name: 'dropConnect', code: DROP_CONNECT_WGSL, constants: { WORKGROUP_SIZE } };
export const DROP_CONNECT_ADD_KERNEL: KernelSource = { name: 'dropConnectAdd', code: DROP_CONNECT_ADD_WGSL, constants: { WORKGROUP_SIZE } };
export const DROP_CONNECT_MASK_KERNEL: KernelSource = { name: 'dropConnectMask', code: DROP_CONNECT_MASK_WGSL, constants: { WORKGROUP_SIZE } };

/** Sample n is kept when the top 24 bits of its hash are ≥ round(p·2^24): probability 1 − p to within 2^-25. */
export function dropConnectThreshold(p: number): number {
  return Math.round(p * 2 ** 24);
}

function check(kernel: string, p: number, seed: number): void {
  if (!(p >= 0 && p < 1)) throw new KernelArgumentError(`${kernel}: drop probability p must lie in [0, 1), got ${p}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new KernelArgumentError(`${kernel}: seed must be an integer in [0, 2^32), got ${seed}`);
  }
}

function apply(
  gpu: Gpu,
  name: string,
  x: GpuTensor,
  residual: GpuTensor | undefined,
  p: number,
  seed: number,
  out: GpuTensor | undefined,
  variant: FlatVariant,
): GpuTensor {
  check(name, p, seed);
  if (x.shape.length < 1) throw new KernelArgumentError(`${name}: x must have a batch axis, got shape ${formatShape(x.shape)}`);
  if (residual && !sameShape(residual.shape, x.shape)) {
    throw new KernelArgumentError(`${name}: residual of shape ${formatShape(residual.shape)} differs from x ${formatShape(x.shape)}`);
  }
  const y = out ?? gpu.empty(x.shape, name);
  if (!sameShape(y.shape, x.shape)) throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} differs from ${formatShape(x.shape)}`);
  if (y.buffer === x.buffer || y.buffer === residual?.buffer) throw new KernelArgumentError(`${name}: output must not alias an input buffer`);
  const count = numel(x.shape);
  const perSample = Math.max(count / x.shape[0]!, 1);
  dispatchFlat(gpu, {
    kernel: residual ? DROP_CONNECT_ADD_KERNEL : DROP_CONNECT_KERNEL,
    count,
    tensors: residual ? [x, residual, y] : [x, y],
    uniforms: (start) =>
      DROP_CONNECT_PARAMS.write({ count, per_sample: perSample, seed, threshold: dropConnectThreshold(p), keep_probability: 1 - p, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant,
  });
  return y;
}

/**
 * y[n, ...] = x[n, ...]·mask[n]/(1 − p) with mask[n] = keep(seed, n). `variant` (tests, benchmarks) forces the vec4
 * or the scalar layout (runtime/flat).
 */
export function dropConnect(gpu: Gpu, x: GpuTensor, p: number, seed: number, out?: GpuTensor, variant: FlatVariant = 'auto'): GpuTensor {
  return apply(gpu, 'dropConnect', x, undefined, p, seed, out, variant);
}

/**
 * z = dropConnect(x) + residual in one pass (an MBConv block's output in training: the dropped branch plus the
 * block's input). Its backward: d residual = dz, dx = dropConnectBackward(dz).
 */
export function dropConnectAdd(
  gpu: Gpu,
  x: GpuTensor,
  residual: GpuTensor,
  p: number,
  seed: number,
  out?: GpuTensor,
  variant: FlatVariant = 'auto',
): GpuTensor {
  return apply(gpu, 'dropConnectAdd', x, residual, p, seed, out, variant);
}

/**
 * Backward of dropConnect with the same p and seed.
 * y = x·mask[n]/(1 − p) is linear in x  ⇒  dx[n, ...] = dy[n, ...]·mask[n]/(1 − p).
 */
export function dropConnectBackward(gpu: Gpu, dy: GpuTensor, p: number, seed: number, out?: GpuTensor, variant: FlatVariant = 'auto'): GpuTensor {
  return apply(gpu, 'dropConnectBackward', dy, undefined, p, seed, out, variant);
}

/** mask[n] ∈ {0, 1} for n < batch: the keep decisions dropConnect makes for this p and seed. */
export function dropConnectMask(gpu: Gpu, batch: number, p: number, seed: number, out?: GpuTensor): GpuTensor {
  const name = DROP_CONNECT_MASK_KERNEL.name;
  check(name, p, seed);
  const mask = out ?? gpu.empty([batch], name);
  if (!sameShape(mask.shape, [batch])) throw new KernelArgumentError(`${name}: output shape ${formatShape(mask.shape)} should be [${batch}]`);
  gpu.dispatch({
    kernel: DROP_CONNECT_MASK_KERNEL,
    uniforms: DROP_CONNECT_MASK_PARAMS.write({ count: batch, seed, threshold: dropConnectThreshold(p) }),
    tensors: [mask],
    workgroups: flatGrid(batch, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return mask;
}
