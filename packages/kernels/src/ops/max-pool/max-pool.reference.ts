/** float64 reference of max pooling with indices and of its backward, PyTorch's semantics (see max-pool.ts). */
import { maxPoolGeometry, type MaxPool2dOptions, type Pair } from './max-pool.js';

export interface MaxPoolReference {
  readonly y: Float64Array;
  readonly indices: Float64Array;
}

/** Each window scanned row-major; out-of-plane positions skipped (−∞); the first maximum wins. */
export function maxPool2dReference(x: ArrayLike<number>, shape: readonly number[], kernelSize: Pair, options: MaxPool2dOptions = {}): MaxPoolReference {
  const { kernel, stride, padding, outputShape } = maxPoolGeometry('maxPool2dReference', shape, kernelSize, options);
  const [n, c, oh, ow] = outputShape;
  const [h, w] = [shape[2]!, shape[3]!];
  const y = new Float64Array(n * c * oh * ow);
  const indices = new Float64Array(y.length);
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity;
        let at = -1;
        for (let ky = 0; ky < kernel[0]; ky++) {
          for (let kx = 0; kx < kernel[1]; kx++) {
            const iy = oy * stride[0] - padding[0] + ky;
            const ix = ox * stride[1] - padding[1] + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const v = x[p * h * w + iy * w + ix]!;
            if (at < 0 || v > best) [best, at] = [v, iy * w + ix];
          }
        }
        y[(p * oh + oy) * ow + ox] = best;
        indices[(p * oh + oy) * ow + ox] = at;
      }
    }
  }
  return { y, indices };
}

/** dx[p, index[p, o]] += dy[p, o]: the scatter form of the gradient. */
export function maxPool2dBackwardReference(dy: ArrayLike<number>, indices: ArrayLike<number>, inputShape: readonly number[], outputPlane: number): Float64Array {
  const [n, c, h, w] = inputShape as [number, number, number, number];
  const dx = new Float64Array(n * c * h * w);
  for (let i = 0; i < dy.length; i++) dx[Math.floor(i / outputPlane) * h * w + indices[i]!]! += dy[i]!;
  return dx;
}
