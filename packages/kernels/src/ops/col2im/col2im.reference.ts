import { convGeometry, type Conv2dOptions } from '../conv2d/conv2d-geometry.js';

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
  const [N, C, H, W] = xShape as [number, number, number, number];
  const g = convGeometry('col2imReference', xShape, [1, C, kernel[0], kernel[1]], { ...options, groups: 1 });
  const rows = C * g.KH * g.KW;
  const P = g.OH * g.OW;
  const x = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < g.KH; kh++) {
        for (let kw = 0; kw < g.KW; kw++) {
          const row = n * rows + (c * g.KH + kh) * g.KW + kw;
          for (let oh = 0; oh < g.OH; oh++) {
            const ih = oh * g.sh + kh * g.dh - g.pt;
            if (ih < 0 || ih >= H) continue;
            for (let ow = 0; ow < g.OW; ow++) {
              const iw = ow * g.sw + kw * g.dw - g.pl;
              if (iw < 0 || iw >= W) continue;
              const index = ((n * C + c) * H + ih) * W + iw;
              x[index] = x[index]! + cols[row * P + oh * g.OW + ow]!;
            }
          }
        }
      }
    }
  }
  return x;
}
