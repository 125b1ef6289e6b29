/** Float64 reference of sum / mean / max over a set of axes. */
import { contiguousStrides, numel } from '../../runtime/tensor.js';
import { reductionPlan, type ReduceOp } from './reduce-plan.js';

export function reduceReference(
  op: ReduceOp,
  x: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[] | undefined,
  keepDims = false,
): { data: Float64Array; shape: number[] } {
  const plan = reductionPlan(op, shape, axes, keepDims);
  const strides = contiguousStrides(shape);
  const outCount = numel(plan.keptShape);
  const data = new Float64Array(outCount).fill(op === 'max' ? -Infinity : 0);
  for (let index = 0; index < numel(shape); index++) {
    let outIndex = 0;
    for (const axis of plan.keptAxes) {
      outIndex = outIndex * shape[axis]! + (Math.floor(index / strides[axis]!) % shape[axis]!);
    }
    const v = x[index]!;
    data[outIndex] = op === 'max' ? Math.max(data[outIndex]!, v) : data[outIndex]! + v;
  }
  if (op === 'mean') for (let o = 0; o < outCount; o++) data[o] = data[o]! / plan.inner;
  return { data, shape: plan.outShape };
}
