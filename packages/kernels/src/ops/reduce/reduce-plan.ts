/** How a reduction over `axes` views its input: kept axes (outputs) and reduced axes, with their strides. */
import { KernelArgumentError } from '../../device/errors.js';
import { contiguousStrides, formatShape, numel } from '../../runtime/tensor.js';

export const REDUCE_OPS = ['sum', 'mean', 'max'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export interface ReductionPlan {
  keptAxes: number[];
  keptShape: number[];
  keptStrides: number[];
  reducedShape: number[];
  reducedStrides: number[];
  /** Output shape (kept axes, or all axes with 1 for reduced ones when keepDims). */
  outShape: number[];
  outer: number;
  inner: number;
}

/** `axes` undefined reduces everything; negative axes count from the end. */
export function reductionPlan(
  op: ReduceOp,
  shape: readonly number[],
  axes: readonly number[] | undefined,
  keepDims: boolean,
): ReductionPlan {
  const rank = shape.length;
  const normalised = (axes ?? shape.map((_, axis) => axis)).map((axis) => {
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
      throw new KernelArgumentError(`${op}: axis ${axis} is out of range for shape ${formatShape(shape)}`);
    }
    return axis < 0 ? axis + rank : axis;
  });
  if (new Set(normalised).size !== normalised.length) {
    throw new KernelArgumentError(`${op}: axes [${axes?.join(', ')}] repeat an axis`);
  }
  const reduced = new Set(normalised);
  const strides = contiguousStrides(shape);
  const keptAxes = shape.map((_, axis) => axis).filter((axis) => !reduced.has(axis));
  const reducedAxes = shape.map((_, axis) => axis).filter((axis) => reduced.has(axis));
  const plan: ReductionPlan = {
    keptAxes,
    keptShape: keptAxes.map((axis) => shape[axis]!),
    keptStrides: keptAxes.map((axis) => strides[axis]!),
    reducedShape: reducedAxes.map((axis) => shape[axis]!),
    reducedStrides: reducedAxes.map((axis) => strides[axis]!),
    outShape: keepDims ? shape.map((size, axis) => (reduced.has(axis) ? 1 : size)) : keptAxes.map((axis) => shape[axis]!),
    outer: numel(keptAxes.map((axis) => shape[axis]!)),
    inner: numel(reducedAxes.map((axis) => shape[axis]!)),
  };
  if (plan.inner === 0) throw new KernelArgumentError(`${op}: reducing over an empty axis of shape ${formatShape(shape)}`);
  return plan;
}
