/** Float64 references of the depthwise kernels: conv2d's references with groups = C. */
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dReference,
  type Conv2dReferenceOptions,
} from '../conv2d/conv2d.reference.js';
import type { Conv2dOptions } from '../conv2d/conv2d-geometry.js';

export function depthwiseConv2dReference(
  x: ArrayLike<number>,
  xShape: readonly number[],
  w: ArrayLike<number>,
  wShape: readonly number[],
  options: Conv2dReferenceOptions = {},
): { data: Float64Array; shape: number[] } {
  return conv2dReference(x, xShape, w, wShape, { ...options, groups: xShape[1] });
}

export function depthwiseConv2dBackwardInputReference(
  dy: ArrayLike<number>,
  w: ArrayLike<number>,
  xShape: readonly number[],
  wShape: readonly number[],
  options: Conv2dOptions = {},
): Float64Array {
  return conv2dBackwardInputReference(dy, w, xShape, wShape, { ...options, groups: xShape[1] });
}

export function depthwiseConv2dBackwardWeightReference(
  x: ArrayLike<number>,
  xShape: readonly number[],
  dy: ArrayLike<number>,
  wShape: readonly number[],
  options: Conv2dOptions = {},
): Float64Array {
  return conv2dBackwardWeightReference(x, xShape, dy, wShape, { ...options, groups: xShape[1] });
}
