import type { Conv2dOptions } from '../conv2d/conv2d-geometry.js';
import { forEachIm2colTap } from '../im2col/im2col.reference.js';

/**
 * float64 reference of col2im, the adjoint of im2col: cols [N, C·KH·KW, OH·OW] -> x [N, C, H, W], each cols element
 * cols[n, (c KH + kh) KW + kw, oh OW + ow] added into x[n, c, oh sh + kh dh - pt, ow sw + kw dw - pl] when inside.
 */
export function col2imReference(
  cols: ArrayLike<number>,
  xShape: readonly number[],
  kernel: readonly [number, number],
  options: Conv2dOptions = {},
): Float64Array {
  const x = new Float64Array(xShape.reduce((product, size) => product * size, 1));
  forEachIm2colTap('col2imReference', xShape, kernel, options, (colsIndex, xIndex) => {
    if (xIndex >= 0) x[xIndex] = x[xIndex]! + cols[colsIndex]!;
  });
  return x;
}
