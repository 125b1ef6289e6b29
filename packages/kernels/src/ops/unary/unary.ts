/** Element-wise unary ops: y = op(x) over any shape. */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid, UniformWriter } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { UNARY_WGSL } from './unary.wgsl.js';

export const UNARY_OPS = ['relu', 'sigmoid', 'silu', 'exp', 'log', 'neg', 'sqrt', 'abs', 'square', 'reciprocal', 'tanh'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

const WORKGROUP_SIZE = 256;

export function unaryKernel(op: UnaryOp): KernelSource {
  const code = UNARY_OPS.indexOf(op);
  if (code < 0) throw new KernelArgumentError(`unary: unknown op '${op}'. Known: ${UNARY_OPS.join(', ')}`);
  return { name: `unary.${op}`, code: UNARY_WGSL, constants: { OP: code, WORKGROUP_SIZE } };
}

/** y = op(x). Writes into `out` when given (same shape as x, a different buffer), else into a new pool tensor. */
export function unary(gpu: Gpu, op: UnaryOp, x: GpuTensor, out?: GpuTensor): GpuTensor {
  const kernel = unaryKernel(op);
  const y = out ?? gpu.empty(x.shape, kernel.name);
  if (!sameShape(y.shape, x.shape)) {
    throw new KernelArgumentError(`${kernel.name}: output shape ${formatShape(y.shape)} differs from input ${formatShape(x.shape)}`);
  }
  if (y.buffer === x.buffer) throw new KernelArgumentError(`${kernel.name}: output must not alias the input buffer`);
  const count = numel(x.shape);
  gpu.dispatch({
    kernel,
    uniforms: new UniformWriter(4).u32(count).finish(),
    tensors: [x, y],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return y;
}
