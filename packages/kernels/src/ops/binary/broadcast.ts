/** NumPy broadcasting: shapes align at the trailing axis; sizes must match or be 1. */
import { KernelArgumentError } from '../../device/errors.js';
import { contiguousStrides, formatShape } from '../../runtime/tensor.js';

export function broadcastShapes(name: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let axis = 0; axis < rank; axis++) {
    const sizeA = a[a.length - rank + axis] ?? 1;
    const sizeB = b[b.length - rank + axis] ?? 1;
    if (sizeA !== sizeB && sizeA !== 1 && sizeB !== 1) {
      throw new KernelArgumentError(
        `${name}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${axis - rank}: ${sizeA} vs ${sizeB})`,
      );
    }
    out[axis] = sizeA === 1 ? sizeB : sizeA;
  }
  return out;
}

/** Strides of `shape` read as `outShape`: 0 along broadcast axes. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = contiguousStrides(shape);
  return outShape.map((_, axis) => {
    const own = axis - (outShape.length - shape.length);
    return own < 0 || shape[own] === 1 ? 0 : (strides[own] ?? 0);
  });
}
