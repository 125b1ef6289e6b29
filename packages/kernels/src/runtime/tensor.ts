/**
 * A float32 array on the device as the kernels see it: a buffer, a row-major (C-order) shape, and an element
 * offset into the buffer. Kernels take and return these; callers may bring their own buffers.
 */
export type DType = 'float32' | 'int32' | 'uint32';

export interface GpuTensor {
  readonly buffer: GPUBuffer;
  /** Element type; float32 when omitted. Kernels check it. */
  readonly dtype?: DType;
  readonly shape: readonly number[];
  /** Offset in elements (float32) from the start of the buffer. Default 0. */
  readonly offset?: number;
}

export function numel(shape: readonly number[]): number {
  let count = 1;
  for (const size of shape) count *= size;
  return count;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The four sizes of a rank-4 shape ([N, C, H, W], or a weight's [C_out, C_in, k_h, k_w]) as a tuple; an error otherwise. */
export function dims4(shape: readonly number[], what = 'shape'): [number, number, number, number] {
  if (shape.length !== 4) throw new Error(`${what}: expects 4 dimensions, got ${formatShape(shape)}`);
  return [shape[0]!, shape[1]!, shape[2]!, shape[3]!];
}

/** Row-major strides in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis] ?? 1;
  }
  return strides;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, axis) => size === b[axis]);
}
