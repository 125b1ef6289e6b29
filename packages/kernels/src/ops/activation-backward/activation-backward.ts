/** Backward of the element-wise activations of ops/unary: dx = dy·f'(x), from the forward's input x. */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, FLAT_PARAMS, type FlatVariant } from '../../runtime/flat.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { ACTIVATION_BACKWARD_WGSL } from './activation-backward.wgsl.js';

export const ACTIVATION_BACKWARD_OPS = ['relu', 'sigmoid', 'silu'] as const;
export type ActivationBackwardOp = (typeof ACTIVATION_BACKWARD_OPS)[number];

const WORKGROUP_SIZE = 256;

export function activationBackwardKernel(op: ActivationBackwardOp): KernelSource {
  const code = ACTIVATION_BACKWARD_OPS.indexOf(op);
  if (code < 0) {
    throw new KernelArgumentError(`activationBackward: unknown op '${op}'. Known: ${ACTIVATION_BACKWARD_OPS.join(', ')}`);
  }
  return { name: `${op}Backward`, code: ACTIVATION_BACKWARD_WGSL, constants: { OP: code, WORKGROUP_SIZE } };
}

/**
 * dx = dy·f'(x), where x is the forward's input:
 *   relu:    f = max(x, 0),  f' = [x > 0]                     (0 at x = 0, as PyTorch's threshold_backward)
 *   sigmoid: f = σ(x),       f' = σ(x)·(1 − σ(x))
 *   silu:    f = x·σ(x),     f' = σ(x)·(1 + x·(1 − σ(x)))
 * Writes into `out` when given (shape of x, its own buffer). `variant` (tests, benchmarks) forces the vec4 or the
 * scalar layout (runtime/flat).
 */
export function activationBackward(
  gpu: Gpu,
  op: ActivationBackwardOp,
  x: GpuTensor,
  dy: GpuTensor,
  out?: GpuTensor,
  variant: FlatVariant = 'auto',
): GpuTensor {
  const kernel = activationBackwardKernel(op);
  if (!sameShape(dy.shape, x.shape)) {
    throw new KernelArgumentError(`${kernel.name}: dy of shape ${formatShape(dy.shape)} differs from x ${formatShape(x.shape)}`);
  }
  const dx = out ?? gpu.empty(x.shape, kernel.name);
  if (!sameShape(dx.shape, x.shape)) {
    throw new KernelArgumentError(`${kernel.name}: output shape ${formatShape(dx.shape)} differs from x ${formatShape(x.shape)}`);
  }
  if (dx.buffer === x.buffer || dx.buffer === dy.buffer) {
    throw new KernelArgumentError(`${kernel.name}: output must not alias x or dy`);
  }
  const count = numel(x.shape);
  dispatchFlat(gpu, {
    kernel,
    count,
    tensors: [x, dy, dx],
    uniforms: (start) => FLAT_PARAMS.write({ count, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant,
  });
  return dx;
}
