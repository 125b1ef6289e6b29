/**
 * sum / mean / max over any set of axes, as passes of a workgroup tree reduction: each pass turns every run of
 * CHUNK = 256 x 8 elements into one partial (Kahan-compensated per thread, then a 256-wide tree), until one value
 * per output is left. Error grows with log(inner), not with inner: exact to ~1e-7 relative for 1e7 elements.
 * Workgroup (c, o) of a pass reduces chunk c of output o.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid, UniformWriter } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { reductionPlan, REDUCE_OPS, type ReduceOp } from './reduce-plan.js';
import { REDUCE_WGSL } from './reduce.wgsl.js';

export { REDUCE_OPS, type ReduceOp };

const WORKGROUP_SIZE = 256;
const PER_THREAD = 8;
const CHUNK = WORKGROUP_SIZE * PER_THREAD;
const MAX_RANK = 8;

/**
 * One thread per output (Kahan-compensated) when outputs are short (the tree would idle most lanes) or so many
 * that they alone fill the device (more than one grid row of workgroups).
 */
const SERIAL_LIMIT = 64;

export function reduceKernel(op: ReduceOp, serial = false): KernelSource {
  return {
    name: `reduce.${op}`,
    code: REDUCE_WGSL,
    entryPoint: serial ? 'serial' : 'main',
    constants: serial ? { OP: op === 'max' ? 1 : 0, WORKGROUP_SIZE } : { OP: op === 'max' ? 1 : 0, WORKGROUP_SIZE, PER_THREAD },
  };
}

export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all when omitted. */
  axes?: readonly number[];
  keepDims?: boolean;
  out?: GpuTensor;
}

export function reduce(gpu: Gpu, op: ReduceOp, x: GpuTensor, options: ReduceOptions = {}): GpuTensor {
  if (!REDUCE_OPS.includes(op)) throw new KernelArgumentError(`reduce: unknown op '${op}'. Known: ${REDUCE_OPS.join(', ')}`);
  if (x.shape.length > MAX_RANK) throw new KernelArgumentError(`${op}: rank ${x.shape.length} is over the supported ${MAX_RANK}`);
  const plan = reductionPlan(op, x.shape, options.axes, options.keepDims ?? false);
  const kernel = reduceKernel(op);
  const out = options.out ?? gpu.empty(plan.outShape, kernel.name);
  if (!sameShape(out.shape, plan.outShape)) {
    throw new KernelArgumentError(
      `${kernel.name}: output shape ${formatShape(out.shape)} should be ${formatShape(plan.outShape)} for input ` +
        `${formatShape(x.shape)} reduced over [${options.axes?.join(', ') ?? 'all'}]`,
    );
  }
  if (out.buffer === x.buffer) throw new KernelArgumentError(`${kernel.name}: output must not alias the input buffer`);
  const maxGroups = gpu.limits.maxComputeWorkgroupsPerDimension;
  const kept = mergeAxes(plan.keptShape, plan.keptStrides);
  const reduced = mergeAxes(plan.reducedShape, plan.reducedStrides);
  const merged: ReductionView = { keptShape: kept.shape, keptStrides: kept.strides, reducedShape: reduced.shape, reducedStrides: reduced.strides };
  if (plan.inner <= SERIAL_LIMIT || plan.outer > maxGroups) {
    gpu.dispatch({
      kernel: reduceKernel(op, true),
      uniforms: reduceUniforms(plan.outer, plan.inner, 1, merged, op === 'mean' ? 1 / plan.inner : 1),
      tensors: [x, out],
      workgroups: flatGrid(plan.outer, WORKGROUP_SIZE, maxGroups),
    });
    return out;
  }
  let source = x;
  let view = merged;
  let inner = plan.inner;
  for (;;) {
    const chunks = Math.ceil(inner / CHUNK);
    if (chunks > maxGroups) {
      throw new KernelArgumentError(`${kernel.name}: ${inner} elements per output is over ${maxGroups * CHUNK}`);
    }
    const last = chunks === 1;
    const target = last ? out : gpu.empty([plan.outer, chunks], `${kernel.name} partial`);
    const uniforms = reduceUniforms(plan.outer, inner, chunks, view, last && op === 'mean' ? 1 / plan.inner : 1);
    gpu.dispatch({ kernel, uniforms, tensors: [source, target], workgroups: [chunks, plan.outer] });
    if (source !== x) gpu.release(source);
    if (last) return out;
    source = target;
    view = { keptShape: [plan.outer], keptStrides: [chunks], reducedShape: [chunks], reducedStrides: [1] };
    inner = chunks;
  }
}

/**
 * Adjacent axes a, a + 1 with stride[a] = shape[a + 1]·stride[a + 1] walk memory as one axis of their product: fewer
 * axes, fewer divisions per element in kept_offset / reduced_offset (NCHW summed over H, W is one axis of H·W).
 */
function mergeAxes(shape: readonly number[], strides: readonly number[]): { shape: number[]; strides: number[] } {
  const merged = { shape: [] as number[], strides: [] as number[] };
  shape.forEach((size, axis) => {
    const last = merged.shape.length - 1;
    if (last >= 0 && merged.strides[last] === size * strides[axis]!) {
      merged.shape[last] = merged.shape[last]! * size;
      merged.strides[last] = strides[axis]!;
    } else {
      merged.shape.push(size);
      merged.strides.push(strides[axis]!);
    }
  });
  return merged;
}

interface ReductionView {
  keptShape: readonly number[];
  keptStrides: readonly number[];
  reducedShape: readonly number[];
  reducedStrides: readonly number[];
}

function reduceUniforms(outer: number, inner: number, chunks: number, view: ReductionView, scale: number): ArrayBuffer {
  return new UniformWriter(24 + 8 + 4 * 32)
    .u32(outer)
    .u32(inner)
    .u32(chunks)
    .u32(view.keptShape.length)
    .u32(view.reducedShape.length)
    .f32(scale)
    .align(16)
    .u32Array(view.keptShape, 2)
    .u32Array(view.keptStrides, 2)
    .u32Array(view.reducedShape, 2)
    .u32Array(view.reducedStrides, 2)
    .finish();
}
