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

export interface CoalescedAxes {
  readonly shape: number[];
  readonly aStrides: number[];
  readonly bStrides: number[];
}

/**
 * The same element mapping on fewer axes: size-1 axes dropped, and axis k merged into k + 1 where both operands step
 * through them as one (stride[k] = stride[k+1]·size[k+1], broadcast axes included: 0 = 0·size). A same-shape pair
 * becomes one axis; [N, C, H, W] against [C, 1, 1] becomes [N, C, H·W]. Rank 0 becomes [1].
 */
export function coalesceAxes(shape: readonly number[], aStrides: readonly number[], bStrides: readonly number[]): CoalescedAxes {
  const out: CoalescedAxes = { shape: [], aStrides: [], bStrides: [] };
  shape.forEach((size, axis) => {
    if (size === 1) return;
    const top = out.shape.length - 1;
    const sa = aStrides[axis] ?? 0;
    const sb = bStrides[axis] ?? 0;
    if (top >= 0 && out.aStrides[top] === sa * size && out.bStrides[top] === sb * size) {
      out.shape[top] = out.shape[top]! * size;
      out.aStrides[top] = sa;
      out.bStrides[top] = sb;
      return;
    }
    out.shape.push(size);
    out.aStrides.push(sa);
    out.bStrides.push(sb);
  });
  if (out.shape.length === 0) return { shape: [1], aStrides: [0], bStrides: [0] };
  return out;
}
