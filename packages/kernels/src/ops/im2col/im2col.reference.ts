import { convGeometry, type Conv2dOptions } from '../conv2d/conv2d-geometry.js';

/**
 * The im2col map in float64 terms: calls `tap(colsIndex, xIndex)` for every cols element
 * cols[n, (c KH + kh) KW + kw, oh OW + ow] with xIndex the flat index of x[n, c, oh sh + kh dh - pt, ow sw + kw dw - pl],
 * or -1 where that pixel lies in the padding. im2col reads along this map; col2im, its adjoint, adds back along it.
 */
export function forEachIm2colTap(
  name: string,
  xShape: readonly number[],
  kernel: readonly [number, number],
  options: Conv2dOptions,
  tap: (colsIndex: number, xIndex: number) => void,
): void {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const g = convGeometry(name, xShape, [1, C, kernel[0], kernel[1]], { ...options, groups: 1 });
  const rows = C * g.KH * g.KW;
  const P = g.OH * g.OW;
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
              tap(row * P + oh * g.OW + ow, inside ? ((n * C + c) * H + ih) * W + iw : -1);
            }
          }
        }
      }
    }
  }
}

/** Elements of cols [N, C·KH·KW, OH·OW] for x of `xShape`. */
function im2colSize(xShape: readonly number[], kernel: readonly [number, number], options: Conv2dOptions): number {
  const [N, C] = xShape as [number, number];
  const g = convGeometry('im2colReference', xShape, [1, C, kernel[0], kernel[1]], { ...options, groups: 1 });
  return N * C * g.KH * g.KW * g.OH * g.OW;
}

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
  const cols = new Float64Array(im2colSize(xShape, kernel, options));
  forEachIm2colTap('im2colReference', xShape, kernel, options, (colsIndex, xIndex) => {
    cols[colsIndex] = xIndex < 0 ? 0 : x[xIndex]!;
  });
  return cols;
}
