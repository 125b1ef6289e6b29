/**
 * Float64 references of the two-input convolution: conv2d's references (../conv2d) on the concatenation
 * x = cat([xa, xb], 1), and the input gradient narrowed back into the two parts.
 */
import { concatShape } from '../concat/concat.js';
import { concatReference, narrowReference } from '../concat/concat.reference.js';
import type { Conv2dOptions } from '../conv2d/conv2d-geometry.js';
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dReference,
  type Conv2dReferenceOptions,
} from '../conv2d/conv2d.reference.js';

type Parts = readonly [ArrayLike<number>, ArrayLike<number>];
type Shapes = readonly [readonly number[], readonly number[]];

export function conv2dConcatReference(xs: Parts, shapes: Shapes, w: ArrayLike<number>, wShape: readonly number[], options: Conv2dReferenceOptions = {}): Float64Array {
  return conv2dReference(concatReference(xs, shapes, 1), concatShape('reference', shapes, 1), w, wShape, options).data;
}

/** [dL/dxa, dL/dxb]: the input gradient of the concatenation, split at C1. */
export function conv2dConcatBackwardInputReference(dy: ArrayLike<number>, w: ArrayLike<number>, shapes: Shapes, wShape: readonly number[], options: Conv2dOptions = {}): [Float64Array, Float64Array] {
  const whole = concatShape('reference', shapes, 1);
  const dx = conv2dBackwardInputReference(dy, w, whole, wShape, options);
  return [Float64Array.from(narrowReference(dx, whole, 1, 0, shapes[0][1]!)), Float64Array.from(narrowReference(dx, whole, 1, shapes[0][1]!, shapes[1][1]!))];
}

export function conv2dConcatBackwardWeightReference(xs: Parts, shapes: Shapes, dy: ArrayLike<number>, wShape: readonly number[], options: Conv2dOptions = {}): Float64Array {
  return conv2dBackwardWeightReference(concatReference(xs, shapes, 1), concatShape('reference', shapes, 1), dy, wShape, options);
}
