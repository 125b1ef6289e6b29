/** Float64 references of the broadcasting binary ops. */
import { contiguousStrides, numel } from '../../runtime/tensor.js';
import { broadcastShapes, broadcastStrides } from './broadcast.js';
import type { BinaryOp } from './binary.js';

export const BINARY_REFERENCE: Record<BinaryOp, (u: number, v: number) => number> = {
  add: (u, v) => u + v,
  sub: (u, v) => u - v,
  mul: (u, v) => u * v,
  div: (u, v) => u / v,
  maximum: Math.max,
  minimum: Math.min,
};

export function binaryReference(
  op: BinaryOp,
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): { data: Float64Array; shape: number[] } {
  const shape = broadcastShapes(op, aShape, bShape);
  const aStrides = broadcastStrides(aShape, shape);
  const bStrides = broadcastStrides(bShape, shape);
  const outStrides = contiguousStrides(shape);
  const data = new Float64Array(numel(shape));
  const f = BINARY_REFERENCE[op];
  for (let index = 0; index < data.length; index++) {
    let ia = 0;
    let ib = 0;
    for (let axis = 0; axis < shape.length; axis++) {
      const coordinate = Math.floor(index / outStrides[axis]!) % shape[axis]!;
      ia += coordinate * aStrides[axis]!;
      ib += coordinate * bStrides[axis]!;
    }
    data[index] = f(a[ia]!, b[ib]!);
  }
  return { data, shape };
}
