/** Float64 references of conv2d and its gradients, by direct summation over the definition (conv2d-geometry.ts). */
import { activationReference } from '../gemm/gemm.reference.js';
import type { Activation } from '../gemm/tiles.js';
import { convGeometry, outputShape, type Conv2dOptions, type ConvGeometry } from './conv2d-geometry.js';

export interface Conv2dReferenceOptions extends Conv2dOptions {
  bias?: ArrayLike<number>;
  scale?: ArrayLike<number>;
  activation?: Activation;
}

/** Calls visit(xIndex, wIndex, yIndex) for every multiply-add of the convolution (inputs in range only). */
export function forEachTap(g: ConvGeometry, visit: (xIndex: number, wIndex: number, yIndex: number) => void): void {
  for (let n = 0; n < g.N; n++) {
    for (let co = 0; co < g.Cout; co++) {
      const group = Math.floor(co / g.Cog);
      for (let oh = 0; oh < g.OH; oh++) {
        for (let ow = 0; ow < g.OW; ow++) {
          const yIndex = ((n * g.Cout + co) * g.OH + oh) * g.OW + ow;
          for (let ci = 0; ci < g.Cig; ci++) {
            const c = group * g.Cig + ci;
            for (let kh = 0; kh < g.KH; kh++) {
              const ih = oh * g.sh + kh * g.dh - g.pt;
              if (ih < 0 || ih >= g.H) continue;
              for (let kw = 0; kw < g.KW; kw++) {
                const iw = ow * g.sw + kw * g.dw - g.pl;
                if (iw < 0 || iw >= g.W) continue;
                visit(((n * g.C + c) * g.H + ih) * g.W + iw, ((co * g.Cig + ci) * g.KH + kh) * g.KW + kw, yIndex);
              }
            }
          }
        }
      }
    }
  }
}

export function conv2dReference(
  x: ArrayLike<number>,
  xShape: readonly number[],
  w: ArrayLike<number>,
  wShape: readonly number[],
  options: Conv2dReferenceOptions = {},
): { data: Float64Array; shape: number[] } {
  const g = convGeometry('conv2dReference', xShape, wShape, options);
  const shape = outputShape(g);
  const data = new Float64Array(g.N * g.Cout * g.OH * g.OW);
  forEachTap(g, (xi, wi, yi) => {
    data[yi] = data[yi]! + x[xi]! * w[wi]!;
  });
  const plane = g.OH * g.OW;
  for (let index = 0; index < data.length; index++) {
    const channel = Math.floor(index / plane) % g.Cout;
    let v = data[index]!;
    if (options.scale) v *= options.scale[channel]!;
    if (options.bias) v += options.bias[channel]!;
    data[index] = activationReference(options.activation, v);
  }
  return { data, shape };
}

/** dL/dx = sum over taps of w · dy. */
export function conv2dBackwardInputReference(
  dy: ArrayLike<number>,
  w: ArrayLike<number>,
  xShape: readonly number[],
  wShape: readonly number[],
  options: Conv2dOptions = {},
): Float64Array {
  const g = convGeometry('conv2dBackwardInputReference', xShape, wShape, options);
  const dx = new Float64Array(g.N * g.C * g.H * g.W);
  forEachTap(g, (xi, wi, yi) => {
    dx[xi] = dx[xi]! + w[wi]! * dy[yi]!;
  });
  return dx;
}

/** dL/dw = sum over taps of x · dy. */
export function conv2dBackwardWeightReference(
  x: ArrayLike<number>,
  xShape: readonly number[],
  dy: ArrayLike<number>,
  wShape: readonly number[],
  options: Conv2dOptions = {},
): Float64Array {
  const g = convGeometry('conv2dBackwardWeightReference', xShape, wShape, options);
  const dw = new Float64Array(wShape.reduce((product, size) => product * size, 1));
  forEachTap(g, (xi, wi, yi) => {
    dw[wi] = dw[wi]! + x[xi]! * dy[yi]!;
  });
  return dw;
}

/** dL/dbias[c] = sum over n, oh, ow of dy[n, c, oh, ow]. */
export function conv2dBackwardBiasReference(dy: ArrayLike<number>, dyShape: readonly number[]): Float64Array {
  const [N, C, OH, OW] = dyShape as [number, number, number, number];
  const db = new Float64Array(C);
  for (let index = 0; index < N * C * OH * OW; index++) {
    const c = Math.floor(index / (OH * OW)) % C;
    db[c] = db[c]! + dy[index]!;
  }
  return db;
}
