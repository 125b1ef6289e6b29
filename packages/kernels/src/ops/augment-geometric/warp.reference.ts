/**
 * CPU reference of the geometric kernel: the same Q10 source positions (f32 products emulated with Math.fround,
 * round half to even), so nearest sampling and every tap position are bit-exact; interpolation in float64.
 */
import { borderIndex, q10, type BatchShape } from '../augment/augment-common.js';

/** Q10 source position [sx, sy] of output pixel (x, y), from the sample's table row. */
export type SourceField = (row: Float32Array, x: number, y: number, shape: BatchShape) => readonly [number, number];

/** Affine field: each product rounded to f32, then to Q10, then summed. */
export const affineSource: SourceField = (row, x, y) => [
  q10(Math.fround(row[8]! * x)) + q10(Math.fround(row[9]! * y)) + q10(row[10]!),
  q10(Math.fround(row[11]! * x)) + q10(Math.fround(row[12]! * y)) + q10(row[13]!),
];

/** OpenCV cubic convolution weights (A = −0.75) of taps −1, 0, 1, 2. */
export function cubicWeights(f: number): [number, number, number, number] {
  const a = -0.75;
  const w0 = ((a * (f + 1) - 5 * a) * (f + 1) + 8 * a) * (f + 1) - 4 * a;
  const w1 = ((a + 2) * f - (a + 3)) * f * f + 1;
  const w2 = ((a + 2) * (1 - f) - (a + 3)) * (1 - f) * (1 - f) + 1;
  return [w0, w1, w2, 1 - w0 - w1 - w2];
}

/** Weights of taps i − 1 .. i + 2 (i = q >> 10) for Q10 position q: nearest, bilinear or bicubic. */
export function axisWeights(q: number, interpolation: number): [number, number, number, number] {
  const f = (q & 1023) / 1024;
  if (interpolation === 0) return (q & 1023) >= 512 ? [0, 0, 1, 0] : [0, 1, 0, 0];
  if (interpolation === 1) return [0, 1 - f, f, 0];
  return cubicWeights(f);
}

export interface WarpReferenceResult {
  readonly images: Float64Array;
  readonly masks: Float64Array;
  /** Q10 source positions per pixel (x, y interleaved), for tests that look at the field itself. */
  readonly sources: Int32Array;
}

/** The geometric kernel on the CPU for any coordinate field (table rows of `stride` values). */
export function warpReference(
  images: ArrayLike<number>,
  masks: ArrayLike<number>,
  shape: BatchShape,
  table: Float32Array,
  stride: number,
  source: SourceField = affineSource,
): WarpReferenceResult {
  const { batch, height, width } = shape;
  const size = height * width;
  const outImages = new Float64Array(batch * size);
  const outMasks = new Float64Array(batch * size);
  const sources = new Int32Array(batch * size * 2);
  for (let n = 0; n < batch; n++) {
    const row = table.subarray(n * stride, (n + 1) * stride);
    const plane = n * size;
    if (row[0] === 0) {
      for (let i = plane; i < plane + size; i++) {
        outImages[i] = images[i]!;
        outMasks[i] = masks[i]!;
      }
      continue;
    }
    const interpolation = row[1]!;
    const mode = row[2]!;
    const fill = row[3]!;
    const [x0, y0, x1, y1] = [row[4]!, row[5]!, row[6]!, row[7]!];
    const tap = (ix: number, iy: number): number => {
      const bx = borderIndex(ix - x0, x1 - x0, mode);
      const by = borderIndex(iy - y0, y1 - y0, mode);
      return bx < 0 || by < 0 ? fill : images[plane + (y0 + by) * width + x0 + bx]!;
    };
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = plane + y * width + x;
        const [sx, sy] = source(row, x, y, shape);
        sources[2 * i] = sx;
        sources[2 * i + 1] = sy;
        const nx = (sx + 512) >> 10;
        const ny = (sy + 512) >> 10;
        const inside = nx >= x0 && nx < x1 && ny >= y0 && ny < y1;
        outMasks[i] = inside ? masks[plane + ny * width + nx]! : 0;
        const wx = axisWeights(sx, interpolation);
        const wy = axisWeights(sy, interpolation);
        const ix = sx >> 10;
        const iy = sy >> 10;
        let total = 0;
        for (let j = 0; j < 4; j++) {
          let line = 0;
          for (let k = 0; k < 4; k++) line += wx[k]! * tap(ix - 1 + k, iy - 1 + j);
          total += wy[j]! * line;
        }
        outImages[i] = interpolation === 2 ? Math.min(Math.max(total, 0), 255) : total;
      }
    }
  }
  return { images: outImages, masks: outMasks, sources };
}
