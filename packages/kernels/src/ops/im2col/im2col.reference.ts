import { convGeometry, type Conv2dOptions } from '../conv2d/conv2d-geometry.js';

/**
 * float64 reference of im2col: x [N, C, H, W] -> cols [N, C·KH·KW, OH·OW],
 * cols[n, (c KH + kh) KW + kw, oh OW + ow] = x[n, c, oh sh + kh dh - pt, ow sw + kw dw - pl] (0 outside).
 */
export function im2colReference(
  x: ArrayLike<number>,
  xShape: readonly number[],
  kernel: readonly [number, number],
  options: Conv2dOptions = {},
): Float64Array {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const g = convGeometry('im2colReference', xShape, [1, C, kernel[0], kernel[1]], { ...options, groups: 1 });
  const rows = C * g.KH * g.KW;
  const P = g.OH * g.OW;
  const cols = new Float64Array(N * rows * P);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < g.KH; kh++) {
        for (let kw = 0; kw < g.KW; kw++) {
          const row = n * rows + (c * g.KH + kh) * g.KW + kw;
          for (let oh = 0; oh < g.OH; oh++) {
            const ih = oh * g.sh + kh * g.dh - g.pt;
            for (let ow = 0; ow < g.OW; ow++) {
              const iw = ow * g.sw + kw * g.dw - g.pl;
              const inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
              cols[row * P + oh * g.OW + ow] = inside ? x[((n * C + c) * H + ih) * W + iw]! : 0;
            }
          }
        }
      }
    }
  }
  return cols;
}
