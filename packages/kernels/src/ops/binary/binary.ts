/** Element-wise binary ops with NumPy broadcasting: out = op(a, b). */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid, UniformWriter } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { BINARY_WGSL } from './binary.wgsl.js';
import { broadcastShapes, broadcastStrides } from './broadcast.js';

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

const WORKGROUP_SIZE = 256;
const MAX_RANK = 8;

export function binaryKernel(op: BinaryOp, broadcast: boolean): KernelSource {
  const code = BINARY_OPS.indexOf(op);
  if (code < 0) throw new KernelArgumentError(`binary: unknown op '${op}'. Known: ${BINARY_OPS.join(', ')}`);
  return { name: `binary.${op}`, code: BINARY_WGSL, constants: { OP: code, BROADCAST: broadcast, WORKGROUP_SIZE } };
}

/** out = op(a, b) with broadcasting; `out`, when given, must have the broadcast shape and its own buffer. */
export function binary(gpu: Gpu, op: BinaryOp, a: GpuTensor, b: GpuTensor, out?: GpuTensor): GpuTensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  if (shape.length > MAX_RANK) throw new KernelArgumentError(`${op}: rank ${shape.length} is over the supported ${MAX_RANK}`);
  const broadcast = !(sameShape(a.shape, shape) && sameShape(b.shape, shape));
  const kernel = binaryKernel(op, broadcast);
  const y = out ?? gpu.empty(shape, kernel.name);
  if (!sameShape(y.shape, shape)) {
    throw new KernelArgumentError(
      `${kernel.name}: output shape ${formatShape(y.shape)} is not the broadcast shape ${formatShape(shape)} of ` +
        `${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  if (y.buffer === a.buffer || y.buffer === b.buffer) {
    throw new KernelArgumentError(`${kernel.name}: output must not alias an input buffer`);
  }
  const count = numel(shape);
  const uniforms = new UniformWriter(4 * 4 + 3 * 32)
    .u32(count)
    .u32(shape.length)
    .align(16)
    .u32Array(shape, 2)
    .u32Array(broadcastStrides(a.shape, shape), 2)
    .u32Array(broadcastStrides(b.shape, shape), 2)
    .finish();
  gpu.dispatch({
    kernel,
    uniforms,
    tensors: [a, b, y],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return y;
}
