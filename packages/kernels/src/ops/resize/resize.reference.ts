/**
 * CPU references of the resampling kernels on [N, C, H, W] planes: float64 for bilinear (forward and adjoint), flips
 * and gray; exact integer arithmetic for Pillow and nearest.
 */
import { linearAxis, nearestAxis, pillowAxis, torchNearestAxis, PILLOW_PRECISION_BITS, type PillowAxis, type PillowFilter } from './resize-tables.js';

export interface Planes {
  /** N·C planes of H × W values. */
  readonly planes: number;
  readonly height: number;
  readonly width: number;
}

function planesOf(shape: readonly number[]): Planes {
  const [n = 1, c = 1, height = 1, width = 1] = shape;
  return { planes: n * c, height, width };
}

/** y[p, oy, ox] = Σ_{a,b ∈ {0,1}} λa(oy) λb(ox) x[p, ia(oy), ib(ox)] in float64, with PyTorch's float32 weights. */
export function bilinearReference(x: ArrayLike<number>, shape: readonly number[], outHeight: number, outWidth: number): Float64Array {
  const { planes, height, width } = planesOf(shape);
  const rows = linearAxis(height, outHeight);
  const cols = linearAxis(width, outWidth);
  const y = new Float64Array(planes * outHeight * outWidth);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const at = (iy: number, ix: number): number => x[(p * height + iy) * width + ix]!;
        const top = at(rows.i0[oy]!, cols.i0[ox]!) * cols.lambda0[ox]! + at(rows.i0[oy]!, cols.i1[ox]!) * cols.lambda1[ox]!;
        const bottom = at(rows.i1[oy]!, cols.i0[ox]!) * cols.lambda0[ox]! + at(rows.i1[oy]!, cols.i1[ox]!) * cols.lambda1[ox]!;
        y[(p * outHeight + oy) * outWidth + ox] = top * rows.lambda0[oy]! + bottom * rows.lambda1[oy]!;
      }
    }
  }
  return y;
}

/** dx = Bᵀ dy, the adjoint of bilinearReference: each dy[p, oy, ox] scattered with the same four weights. */
export function bilinearBackwardReference(dy: ArrayLike<number>, inShape: readonly number[], outHeight: number, outWidth: number): Float64Array {
  const { planes, height, width } = planesOf(inShape);
  const rows = linearAxis(height, outHeight);
  const cols = linearAxis(width, outWidth);
  const dx = new Float64Array(planes * height * width);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const g = dy[(p * outHeight + oy) * outWidth + ox]!;
        const add = (iy: number, ix: number, w: number): void => {
          dx[(p * height + iy) * width + ix]! += w * g;
        };
        add(rows.i0[oy]!, cols.i0[ox]!, rows.lambda0[oy]! * cols.lambda0[ox]!);
        add(rows.i0[oy]!, cols.i1[ox]!, rows.lambda0[oy]! * cols.lambda1[ox]!);
        add(rows.i1[oy]!, cols.i0[ox]!, rows.lambda1[oy]! * cols.lambda0[ox]!);
        add(rows.i1[oy]!, cols.i1[ox]!, rows.lambda1[oy]! * cols.lambda1[ox]!);
      }
    }
  }
  return dx;
}

/**
 * PyTorch bilinear with align_corners=True, all in float64: per axis src = o·(in − 1)/(out − 1) (0 when out = 1),
 * i0 = ⌊src⌋, i1 = min(i0 + 1, in − 1), λ = src − i0; y = (1−λy)·((1−λx)·x[i0,j0] + λx·x[i0,j1]) + λy·(…row i1…).
 */
export function alignedBilinearReference(x: ArrayLike<number>, shape: readonly number[], outHeight: number, outWidth: number): Float64Array {
  const { planes, height, width } = planesOf(shape);
  const axis = (inSize: number, outSize: number, o: number): [number, number, number] => {
    const src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
    const i0 = Math.min(Math.floor(src), inSize - 1);
    return [i0, Math.min(i0 + 1, inSize - 1), src - i0];
  };
  const y = new Float64Array(planes * outHeight * outWidth);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const [r0, r1, ly] = axis(height, outHeight, oy);
      for (let ox = 0; ox < outWidth; ox++) {
        const [c0, c1, lx] = axis(width, outWidth, ox);
        const at = (iy: number, ix: number): number => x[(p * height + iy) * width + ix]!;
        const top = (1 - lx) * at(r0, c0) + lx * at(r0, c1);
        const bottom = (1 - lx) * at(r1, c0) + lx * at(r1, c1);
        y[(p * outHeight + oy) * outWidth + ox] = (1 - ly) * top + ly * bottom;
      }
    }
  }
  return y;
}

/** PyTorch nearest: y[p, oy, ox] = x[p, ry(oy), rx(ox)] with torchNearestAxis's source indices. */
export function upsampleNearestReference(
  x: ArrayLike<number>,
  shape: readonly number[],
  outHeight: number,
  outWidth: number,
  scaleFactor?: readonly [number, number],
): Float64Array {
  const { planes, height, width } = planesOf(shape);
  const rows = torchNearestAxis(height, outHeight, scaleFactor?.[0]);
  const cols = torchNearestAxis(width, outWidth, scaleFactor?.[1]);
  const y = new Float64Array(planes * outHeight * outWidth);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) y[(p * outHeight + oy) * outWidth + ox] = x[(p * height + rows[oy]!) * width + cols[ox]!]!;
    }
  }
  return y;
}

/** dx[p, ry(oy), rx(ox)] += dy[p, oy, ox]: the scatter form of nearest's gradient. */
export function upsampleNearestBackwardReference(
  dy: ArrayLike<number>,
  inShape: readonly number[],
  outHeight: number,
  outWidth: number,
  scaleFactor?: readonly [number, number],
): Float64Array {
  const { planes, height, width } = planesOf(inShape);
  const rows = torchNearestAxis(height, outHeight, scaleFactor?.[0]);
  const cols = torchNearestAxis(width, outWidth, scaleFactor?.[1]);
  const dx = new Float64Array(planes * height * width);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) dx[(p * height + rows[oy]!) * width + cols[ox]!]! += dy[(p * outHeight + oy) * outWidth + ox]!;
    }
  }
  return dx;
}

const toByte = (v: number): number => Math.min(Math.max(Math.round(v), 0), 255);

function clip8(accumulator: number): number {
  return Math.min(Math.max(Math.floor(accumulator / 2 ** PILLOW_PRECISION_BITS), 0), 255);
}

/** One Pillow pass over `lines` lines of `axis.inSize` values spaced by `stride`, integer arithmetic. */
function pillowPass(
  source: ArrayLike<number>,
  axis: PillowAxis,
  line: (outer: number, index: number) => number,
  outer: number,
  target: (outer: number, o: number) => number,
  into: Float64Array,
): void {
  for (let u = 0; u < outer; u++) {
    for (let o = 0; o < axis.outSize; o++) {
      let accumulator = 2 ** (PILLOW_PRECISION_BITS - 1);
      for (let j = 0; j < axis.count[o]!; j++) {
        accumulator += toByte(source[line(u, axis.start[o]! + j)]!) * axis.weights[o * axis.ksize + j]!;
      }
      into[target(u, o)] = clip8(accumulator);
    }
  }
}

/**
 * Pillow 9.4 `Image.resize` of 8-bit planes: horizontal pass into a uint8 intermediate, then vertical; a pass is
 * skipped when its axis keeps its size (Pillow's need_horizontal / need_vertical), and
 * the same size is a copy. Inputs are rounded to 0..255 by the passes.
 */
export function pillowResizeReference(
  x: ArrayLike<number>,
  shape: readonly number[],
  outHeight: number,
  outWidth: number,
  filter: PillowFilter,
): Float64Array {
  const { planes, height, width } = planesOf(shape);
  if (outHeight === height && outWidth === width) return Float64Array.from(x);
  let current: ArrayLike<number> = Float64Array.from(x, toByte);
  if (outWidth !== width) {
    const axis = pillowAxis(width, outWidth, filter);
    const next = new Float64Array(planes * height * outWidth);
    pillowPass(current, axis, (row, i) => row * width + i, planes * height, (row, o) => row * outWidth + o, next);
    current = next;
  }
  if (outHeight !== height) {
    const axis = pillowAxis(height, outHeight, filter);
    const next = new Float64Array(planes * outHeight * outWidth);
    const column = (u: number): [number, number] => [Math.floor(u / outWidth), u % outWidth];
    pillowPass(
      current,
      axis,
      (u, i) => {
        const [p, col] = column(u);
        return (p * height + i) * outWidth + col;
      },
      planes * outWidth,
      (u, o) => {
        const [p, col] = column(u);
        return (p * outHeight + o) * outWidth + col;
      },
      next,
    );
    current = next;
  }
  return Float64Array.from(current);
}

/** Pillow NEAREST: y[p, oy, ox] = x[p, ry(oy), rx(ox)], 0 where a source index is −1. */
export function nearestReference(x: ArrayLike<number>, shape: readonly number[], outHeight: number, outWidth: number): Float64Array {
  const { planes, height, width } = planesOf(shape);
  const rows = nearestAxis(height, outHeight);
  const cols = nearestAxis(width, outWidth);
  const y = new Float64Array(planes * outHeight * outWidth);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const iy = rows[oy]!;
        const ix = cols[ox]!;
        y[(p * outHeight + oy) * outWidth + ox] = iy < 0 || ix < 0 ? 0 : x[(p * height + iy) * width + ix]!;
      }
    }
  }
  return y;
}

/** y[p, h, w] = x[p, h', w'] with h' = H − 1 − h when flipping vertically, w' = W − 1 − w when flipping horizontally. */
export function flipReference(x: ArrayLike<number>, shape: readonly number[], horizontal: boolean, vertical: boolean): Float64Array {
  const { planes, height, width } = planesOf(shape);
  const y = new Float64Array(planes * height * width);
  for (let p = 0; p < planes; p++) {
    for (let h = 0; h < height; h++) {
      for (let w = 0; w < width; w++) {
        const sh = vertical ? height - 1 - h : h;
        const sw = horizontal ? width - 1 - w : w;
        y[(p * height + h) * width + w] = x[(p * height + sh) * width + sw]!;
      }
    }
  }
  return y;
}

export const GRAY_WEIGHTS = [0.2989, 0.587, 0.114] as const;

/** [N, 3, H, W] → [N, 1, H, W]: 0.2989 R + 0.587 G + 0.114 B. */
export function grayReference(x: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const [n = 1, , height = 1, width = 1] = shape;
  const plane = height * width;
  const y = new Float64Array(n * plane);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < plane; i++) {
      const base = b * 3 * plane + i;
      y[b * plane + i] = GRAY_WEIGHTS[0] * x[base]! + GRAY_WEIGHTS[1] * x[base + plane]! + GRAY_WEIGHTS[2] * x[base + 2 * plane]!;
    }
  }
  return y;
}
