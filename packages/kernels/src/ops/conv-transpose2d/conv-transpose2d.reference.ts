/** Float64 reference of ConvTranspose2d and its gradients, by direct scatter over the definition. */
import { convTransposeGeometry, type ConvTranspose2dOptions, type ConvTransposeGeometry } from './conv-transpose2d.js';

/** Calls visit(xIndex, wIndex, yIndex) for every multiply-add y[yIndex] += w[wIndex] x[xIndex] that lands in y. */
function forEachTap(g: ConvTransposeGeometry, KH: number, KW: number, visit: (xi: number, wi: number, yi: number) => void): void {
  for (let n = 0; n < g.N; n++) {
    for (let ci = 0; ci < g.Cin; ci++) {
      for (let ih = 0; ih < g.H; ih++) {
        for (let iw = 0; iw < g.W; iw++) {
          const xi = ((n * g.Cin + ci) * g.H + ih) * g.W + iw;
          for (let co = 0; co < g.Cout; co++) {
            for (let kh = 0; kh < KH; kh++) {
              const oh = ih * g.stride[0] - g.padding[0] + kh * g.dilation[0];
              if (oh < 0 || oh >= g.OH) continue;
              for (let kw = 0; kw < KW; kw++) {
                const ow = iw * g.stride[1] - g.padding[1] + kw * g.dilation[1];
                if (ow < 0 || ow >= g.OW) continue;
                visit(xi, ((ci * g.Cout + co) * KH + kh) * KW + kw, ((n * g.Cout + co) * g.OH + oh) * g.OW + ow);
              }
            }
          }
        }
      }
    }
  }
}

export function convTranspose2dReference(
  x: ArrayLike<number>,
  xShape: readonly number[],
  w: ArrayLike<number>,
  wShape: readonly number[],
  options: ConvTranspose2dOptions & { bias?: ArrayLike<number> } = {},
): { data: Float64Array; shape: number[] } {
  const g = convTransposeGeometry('convTranspose2dReference', xShape, wShape, options);
  const data = new Float64Array(g.N * g.Cout * g.OH * g.OW);
  forEachTap(g, wShape[2]!, wShape[3]!, (xi, wi, yi) => {
    data[yi] = data[yi]! + w[wi]! * x[xi]!;
  });
  if (options.bias) {
    for (let index = 0; index < data.length; index++) data[index] = data[index]! + options.bias[Math.floor(index / (g.OH * g.OW)) % g.Cout]!;
  }
  return { data, shape: [g.N, g.Cout, g.OH, g.OW] };
}

export function convTranspose2dBackwardInputReference(
  dy: ArrayLike<number>,
  w: ArrayLike<number>,
  xShape: readonly number[],
  wShape: readonly number[],
  options: ConvTranspose2dOptions = {},
): Float64Array {
  const g = convTransposeGeometry('convTranspose2dBackwardInputReference', xShape, wShape, options);
  const dx = new Float64Array(g.N * g.Cin * g.H * g.W);
  forEachTap(g, wShape[2]!, wShape[3]!, (xi, wi, yi) => {
    dx[xi] = dx[xi]! + w[wi]! * dy[yi]!;
  });
  return dx;
}

export function convTranspose2dBackwardWeightReference(
  x: ArrayLike<number>,
  xShape: readonly number[],
  dy: ArrayLike<number>,
  wShape: readonly number[],
  options: ConvTranspose2dOptions = {},
): Float64Array {
  const g = convTransposeGeometry('convTranspose2dBackwardWeightReference', xShape, wShape, options);
  const dw = new Float64Array(wShape.reduce((product, size) => product * size, 1));
  forEachTap(g, wShape[2]!, wShape[3]!, (xi, wi, yi) => {
    dw[wi] = dw[wi]! + x[xi]! * dy[yi]!;
  });
  return dw;
}
