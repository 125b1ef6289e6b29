/**
 * sum / mean / max over any set of axes, as passes of a workgroup tree reduction: each pass turns every run of
 * CHUNK = 256 x 8 elements into one partial (Kahan-compensated per thread, then a 256-wide tree), until one value
 * per output is left. Error grows with log(inner), not with inner: exact to ~1e-7 relative for 1e7 elements.
 * Workgroup (c, o) of a pass reduces chunk c of output o.
 * Few elements per output or very many outputs take one lane per output instead (`serial`), and when the reduced
 * axes lead a contiguous input ([rows, count] summed over rows: split-K partials, [N, C, 1, 1] over N) one lane per
 * 4 consecutive outputs reading vec4 rows (`leading`), so a load fetches 4 elements (runtime/flat).
 * Where the device profile asks for lane reductions (the CPU adapters: a barrier is a coroutine switch, a per-lane
 * load a loop over the lanes) and the innermost reduced axis is contiguous (NCHW over H, W or over N, H, W), one lane
 * per (output, segment) reads its runs with vec4 loads and no barrier (`plane`), then a serial pass adds the segments.
 */
import { KernelArgumentError } from '../../device/errors.js';
import { dispatchFlat, rowsVariant } from '../../runtime/flat.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { reductionPlan, REDUCE_OPS, type ReduceOp } from './reduce-plan.js';
import { REDUCE_LEADING_PARAMS, REDUCE_LEADING_WGSL, REDUCE_PARAMS, REDUCE_PLANE_PARAMS, REDUCE_PLANE_WGSL, REDUCE_WGSL } from './reduce.wgsl.js';

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

/** Entry points `main4` (vec4 of outputs a lane) and `main` (one output a lane, from `start`) over a [rows, count] view. */
export function reduceLeadingKernel(op: ReduceOp): KernelSource {
  return { name: `reduce.${op}.leading`, code: REDUCE_LEADING_WGSL, constants: { OP: op === 'max' ? 1 : 0, WORKGROUP_SIZE } };
}

const PLANE_WORKGROUP = 64;
/** Elements a lane of the plane kernel reads at least before the outputs are split into more segments. */
const PLANE_MIN_SEGMENT = 4096;
/** Lanes per core the plane kernel's first pass aims for (whole planes a lane first, segments when outputs are few). */
const PLANE_LANES_PER_CORE = 256;

/** Entry points `plane4` (vec4 loads) and `plane` (f32 loads), one lane per (output, segment). */
export function reducePlaneKernel(op: ReduceOp, vec4: boolean): KernelSource {
  return {
    name: `reduce.${op}.plane`,
    code: REDUCE_PLANE_WGSL,
    entryPoint: vec4 ? 'plane4' : 'plane',
    constants: { OP: op === 'max' ? 1 : 0, WORKGROUP_SIZE: PLANE_WORKGROUP },
  };
}

/**
 * `auto`: the leading-axis kernel (vec4 when the outputs divide by 4) where the view allows it and the general
 * kernels would take one lane per output, then the plane kernel where the device profile asks for lane reductions
 * and the innermost reduced axis is contiguous, else the general kernels; `vec4` / `scalar`: the leading-axis kernel
 * in that layout (the reduced axes must lead a contiguous input; vec4 needs the outputs to divide by 4); `plane` /
 * `plane-scalar`: the plane kernel with vec4 loads where the runs and offsets divide by 4 / with f32 loads (the
 * innermost reduced axis must be contiguous); `strided`: the general kernels only (the previous ones, and the GPU
 * profile's, for tests and benchmarks).
 */
export const REDUCE_LAYOUTS = ['auto', 'vec4', 'scalar', 'plane', 'plane-scalar', 'strided'] as const;
export type ReduceLayout = (typeof REDUCE_LAYOUTS)[number];

export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all when omitted. */
  axes?: readonly number[];
  keepDims?: boolean;
  out?: GpuTensor;
  layout?: ReduceLayout;
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
  const layout = options.layout ?? 'auto';
  if (!REDUCE_LAYOUTS.includes(layout)) throw new KernelArgumentError(`${kernel.name}: unknown layout '${layout}'. Known: ${REDUCE_LAYOUTS.join(', ')}`);
  const oneLanePerOutput = plan.inner <= SERIAL_LIMIT || plan.outer > maxGroups;
  const leading = kept.shape.length === 1 && kept.strides[0] === 1 && reduced.shape.length === 1 && reduced.strides[0] === kept.shape[0];
  if (layout === 'vec4' || layout === 'scalar') {
    if (!leading) {
      throw new KernelArgumentError(
        `${kernel.name}: layout '${layout}' needs the reduced axes to lead the input; [${options.axes?.join(', ') ?? 'all'}] of ` +
          `${formatShape(x.shape)} do not`,
      );
    }
    if (layout === 'vec4' && plan.outer % 4 !== 0) {
      throw new KernelArgumentError(`${kernel.name}: layout 'vec4' needs the outputs to divide by 4, ${formatShape(plan.outShape)} has ${plan.outer}`);
    }
  }
  // The innermost reduced axis walks memory with stride 1 (after merging: a run of `run` contiguous elements).
  const planar = reduced.strides[reduced.strides.length - 1] === 1;
  if ((layout === 'plane' || layout === 'plane-scalar') && !planar) {
    throw new KernelArgumentError(
      `${kernel.name}: layout '${layout}' needs the innermost reduced axis to be contiguous; [${options.axes?.join(', ') ?? 'all'}] of ` +
        `${formatShape(x.shape)} reduce with stride ${reduced.strides[reduced.strides.length - 1]}`,
    );
  }
  const leadingRoute = layout === 'auto' && leading && oneLanePerOutput;
  if (layout === 'plane' || layout === 'plane-scalar' || (layout === 'auto' && !leadingRoute && planar && gpu.deviceProfile.reduction === 'lane')) {
    reducePlanes(gpu, op, x, out, merged, plan.outer, plan.inner, layout !== 'plane-scalar', op === 'mean' ? 1 / plan.inner : 1);
    return out;
  }
  if (layout === 'vec4' || layout === 'scalar' || leadingRoute) {
    const count = plan.outer;
    const rows = plan.inner;
    const scale = op === 'mean' ? 1 / rows : 1;
    dispatchFlat(gpu, {
      kernel: reduceLeadingKernel(op),
      count,
      tensors: [x, out],
      uniforms: (start) => REDUCE_LEADING_PARAMS.write({ count, start, rows, scale }),
      workgroupSize: WORKGROUP_SIZE,
      variant: layout === 'auto' ? rowsVariant(count) : layout,
    });
    return out;
  }
  if (oneLanePerOutput) {
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
 * The plane kernel: segments of `segment` reduced indices (a multiple of 4 for vec4 loads), as many per output as
 * bring the first pass to PLANE_LANES_PER_CORE lanes a core while each reads at least PLANE_MIN_SEGMENT elements; a
 * serial pass over [outer, splits] combines them when there is more than one.
 */
function reducePlanes(gpu: Gpu, op: ReduceOp, x: GpuTensor, out: GpuTensor, view: ReductionView, outer: number, inner: number, wantVec4: boolean, scale: number): void {
  const maxGroups = gpu.limits.maxComputeWorkgroupsPerDimension;
  const run = view.reducedShape[view.reducedShape.length - 1]!;
  const keptStrides = view.keptStrides.filter((_, axis) => view.keptShape[axis]! > 1);
  const vec4 = wantVec4 && [run, ...keptStrides, ...view.reducedStrides.slice(0, -1)].every((size) => size % 4 === 0);
  const width = vec4 ? 4 : 1;
  const wanted = Math.ceil((PLANE_LANES_PER_CORE * gpu.deviceProfile.cores) / outer);
  const most = Math.max(1, Math.floor(inner / PLANE_MIN_SEGMENT));
  const segment = Math.ceil(Math.ceil(inner / Math.max(1, Math.min(wanted, most))) / width) * width;
  const splits = Math.ceil(inner / segment);
  const kernel = reducePlaneKernel(op, vec4);
  const target = splits === 1 ? out : gpu.empty([outer, splits], `${kernel.name} partial`);
  gpu.dispatch({
    kernel,
    uniforms: REDUCE_PLANE_PARAMS.write({
      outer,
      inner,
      run,
      splits,
      segment,
      kept_rank: view.keptShape.length,
      reduced_rank: view.reducedShape.length,
      scale: splits === 1 ? scale : 1,
      kept_shape: view.keptShape,
      kept_strides: view.keptStrides,
      reduced_shape: view.reducedShape,
      reduced_strides: view.reducedStrides,
    }),
    tensors: [x, target],
    workgroups: flatGrid(outer * splits, PLANE_WORKGROUP, maxGroups),
  });
  if (splits === 1) return;
  const partials: ReductionView = { keptShape: [outer], keptStrides: [splits], reducedShape: [splits], reducedStrides: [1] };
  gpu.dispatch({
    kernel: reduceKernel(op, true),
    uniforms: reduceUniforms(outer, splits, 1, partials, scale),
    tensors: [target, out],
    workgroups: flatGrid(outer, WORKGROUP_SIZE, maxGroups),
  });
  gpu.release(target);
}

/**
 * Adjacent axes a, a + 1 with stride[a] = shape[a + 1]·stride[a + 1] walk memory as one axis of their product: fewer
 * axes, fewer divisions per element in kept_offset / reduced_offset (NCHW summed over H, W is one axis of H·W).
 * Axes of size 1 move nothing and are dropped ([N, C, 1, 1] over N, H, W is N over C); none left is one axis of 1.
 */
function mergeAxes(shape: readonly number[], strides: readonly number[]): { shape: number[]; strides: number[] } {
  const merged = { shape: [] as number[], strides: [] as number[] };
  shape.forEach((size, axis) => {
    if (size === 1) return;
    const last = merged.shape.length - 1;
    if (last >= 0 && merged.strides[last] === size * strides[axis]!) {
      merged.shape[last] = merged.shape[last]! * size;
      merged.strides[last] = strides[axis]!;
    } else {
      merged.shape.push(size);
      merged.strides.push(strides[axis]!);
    }
  });
  if (merged.shape.length === 0) return { shape: [1], strides: [1] };
  return merged;
}

interface ReductionView {
  keptShape: readonly number[];
  keptStrides: readonly number[];
  reducedShape: readonly number[];
  reducedStrides: readonly number[];
}

function reduceUniforms(outer: number, inner: number, chunks: number, view: ReductionView, scale: number): ArrayBuffer {
  return REDUCE_PARAMS.write({
    outer,
    inner,
    chunks,
    kept_rank: view.keptShape.length,
    reduced_rank: view.reducedShape.length,
    scale,
    kept_shape: view.keptShape,
    kept_strides: view.keptStrides,
    reduced_shape: view.reducedShape,
    reduced_strides: view.reducedStrides,
  });
}
