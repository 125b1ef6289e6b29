/** Element-wise unary ops: y = op(x) over any shape. */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, FLAT_PARAMS, type FlatVariant } from '../../runtime/flat.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { UNARY_WGSL } from './unary.wgsl.js';

export const UNARY_OPS = ['relu', 'sigmoid', 'silu', 'exp', 'log', 'neg', 'sqrt', 'abs', 'square', 'reciprocal', 'tanh'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

const WORKGROUP_SIZE = 256;

/** Entry points `main4` (4 elements a lane) and `main` (one element a lane, from `start`): runtime/flat. */
export function unaryKernel(op: UnaryOp): KernelSource {
  const code = UNARY_OPS.indexOf(op);
  if (code < 0) throw new KernelArgumentError(`unary: unknown op '${op}'. Known: ${UNARY_OPS.join(', ')}`);
  return { name: `unary.${op}`, code: UNARY_WGSL, constants: { OP: code, WORKGROUP_SIZE } };
}

/**
 * y = op(x). Writes into `out` when given (same shape as x, a different buffer), else into a new pool tensor.
 * `variant` (tests, benchmarks) forces the vec4 or the scalar layout (runtime/flat).
 */
export function unary(gpu: Gpu, op: UnaryOp, x: GpuTensor, out?: GpuTensor, variant: FlatVariant = 'auto'): GpuTensor {
  const kernel = unaryKernel(op);
  const y = out ?? gpu.empty(x.shape, kernel.name);
  if (!sameShape(y.shape, x.shape)) {
    throw new KernelArgumentError(`${kernel.name}: output shape ${formatShape(y.shape)} differs from input ${formatShape(x.shape)}`);
  }
  if (y.buffer === x.buffer) throw new KernelArgumentError(`${kernel.name}: output must not alias the input buffer`);
  const count = numel(x.shape);
  dispatchFlat(gpu, {
    kernel,
    count,
    tensors: [x, y],
    uniforms: (start) => FLAT_PARAMS.write({ count, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant,
  });
  return y;
}
