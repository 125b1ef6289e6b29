/** Element-wise binary ops with NumPy broadcasting: out = op(a, b). */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, type FlatVariant } from '../../runtime/flat.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { BINARY_PARAMS, BINARY_WGSL } from './binary.wgsl.js';
import { broadcastShapes, broadcastStrides, coalesceAxes, type CoalescedAxes } from './broadcast.js';

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

const WORKGROUP_SIZE = 256;
const MAX_RANK = 8;

export function binaryKernel(op: BinaryOp, broadcast: boolean): KernelSource {
  const code = BINARY_OPS.indexOf(op);
  if (code < 0) throw new KernelArgumentError(`binary: unknown op '${op}'. Known: ${BINARY_OPS.join(', ')}`);
  return { name: `binary.${op}`, code: BINARY_WGSL, constants: { OP: code, BROADCAST: broadcast, WORKGROUP_SIZE } };
}

/**
 * The coalesced axes of a broadcast and its vec4 entry point: `main4_vv` / `main4_vs` / `main4_sv` by which operands
 * step along the last axis (v) or are broadcast along it (s), or null (scalar layout only) when that axis has a
 * size that is not a multiple of 4 and is not the only axis.
 */
export function binaryLayout(aShape: readonly number[], bShape: readonly number[], shape: readonly number[]): { axes: CoalescedAxes; vectorEntryPoint: string | null } {
  const axes = coalesceAxes(shape, broadcastStrides(aShape, shape), broadcastStrides(bShape, shape));
  const last = axes.shape.length - 1;
  const aVector = axes.aStrides[last] === 1;
  const bVector = axes.bStrides[last] === 1;
  if (!(last === 0 || axes.shape[last]! % 4 === 0) || !(aVector || bVector)) return { axes, vectorEntryPoint: null };
  return { axes, vectorEntryPoint: aVector && bVector ? 'main4_vv' : aVector ? 'main4_vs' : 'main4_sv' };
}

/**
 * out = op(a, b) with broadcasting; `out`, when given, must have the broadcast shape and its own buffer.
 * `variant` (tests, benchmarks) forces the vec4 or the scalar layout (runtime/flat); vec4 applies where the
 * coalesced last axis has a multiple of 4 elements or is the only axis, else the scalar layout runs.
 */
export function binary(gpu: Gpu, op: BinaryOp, a: GpuTensor, b: GpuTensor, out?: GpuTensor, variant: FlatVariant = 'auto'): GpuTensor {
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
  const { axes, vectorEntryPoint } = binaryLayout(a.shape, b.shape, shape);
  dispatchFlat(gpu, {
    kernel,
    count,
    tensors: [a, b, y],
    uniforms: (start) =>
      BINARY_PARAMS.write({ count, rank: axes.shape.length, start, shape: axes.shape, a_strides: axes.aStrides, b_strides: axes.bStrides }),
    workgroupSize: WORKGROUP_SIZE,
    variant: vectorEntryPoint ? variant : 'scalar',
    vectorEntryPoint: vectorEntryPoint ?? undefined,
  });
  return y;
}
