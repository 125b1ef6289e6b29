/**
 * Per-axis resampling tables, computed on the CPU in float64 exactly as PyTorch and Pillow compute them, so the
 * kernels only gather and accumulate. Every table is a Float32Array whose integers (indexes, fixed-point weights) are
 * below 2^24 and therefore exact in float32.
 */

/** PyTorch `F.interpolate(mode='bilinear', align_corners=False)` along one axis: y[o] = λ0 x[i0] + λ1 x[i1]. */
export interface LinearAxis {
  readonly inSize: number;
  readonly outSize: number;
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  /** float32 values. */
  readonly lambda0: Float32Array;
  readonly lambda1: Float32Array;
}

/**
 * scale = float32(in) / float32(out) (a float32 division); s = scale·(o + 0.5) − 0.5 in float64, clamped at 0;
 * i0 = min(⌊s⌋, in − 1), i1 = min(i0 + 1, in − 1), λ1 = float32(s − i0), λ0 = float32(1 − λ1).
 * (Measured against torch 1.13: within 1 ulp; all-float32 or exact-ratio coordinates are off by up to 2.7e-6.)
 */
export function linearAxis(inSize: number, outSize: number): LinearAxis {
  const scale = Math.fround(inSize / outSize);
  return linearAxisFrom(inSize, outSize, (o) => Math.max(scale * (o + 0.5) - 0.5, 0));
}

/**
 * The two-tap table of the source coordinates s(o), o < out: i0 = min(⌊s⌋, in − 1), i1 = min(i0 + 1, in − 1),
 * λ1 = float32(s − i0), λ0 = float32(1 − λ1).
 */
function linearAxisFrom(inSize: number, outSize: number, source: (o: number) => number): LinearAxis {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const lambda0 = new Float32Array(outSize);
  const lambda1 = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const s = source(o);
    const first = Math.min(Math.floor(s), inSize - 1);
    i0[o] = first;
    i1[o] = Math.min(first + 1, inSize - 1);
    lambda1[o] = s - first;
    lambda0[o] = 1 - lambda1[o]!;
  }
  return { inSize, outSize, i0, i1, lambda0, lambda1 };
}

/**
 * PyTorch `F.interpolate(mode='bilinear', align_corners=True)` along one axis: src = o·(in − 1)/(out − 1) in float64
 * (0 when out = 1), i0 = min(⌊src⌋, in − 1), i1 = min(i0 + 1, in − 1), λ1 = float32(src − i0), λ0 = float32(1 − λ1).
 * The ends map to the ends; 1 → n is a broadcast and n → n a copy (λ1 = 0).
 */
export function alignedLinearAxis(inSize: number, outSize: number): LinearAxis {
  return linearAxisFrom(inSize, outSize, (o) => (outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0));
}

/**
 * PyTorch `F.interpolate(mode='nearest')` along one axis (torch 1.13 `nearest_idx`): out = in is a copy, out = 2·in
 * takes o >> 1, otherwise src = min(⌊float32(o·scale)⌋, in − 1) with the float32 scale = 1/scale_factor when a scale
 * factor was given, in/out otherwise.
 */
export function torchNearestAxis(inSize: number, outSize: number, scaleFactor?: number): Int32Array {
  const index = new Int32Array(outSize);
  const scale = Math.fround(scaleFactor !== undefined && scaleFactor > 0 ? 1 / scaleFactor : inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) index[o] = o;
    else if (outSize === 2 * inSize) index[o] = o >> 1;
    else index[o] = Math.min(Math.floor(Math.fround(o * scale)), inSize - 1);
  }
  return index;
}

/** A gather by index as a linear axis (λ0 = 1 at the source, λ1 = 0), so its adjoint is linearAdjointTable's. */
export function gatherAxis(inSize: number, index: Int32Array): LinearAxis {
  const lambda0 = new Float32Array(index.length).fill(1);
  return { inSize, outSize: index.length, i0: index, i1: index, lambda0, lambda1: new Float32Array(index.length) };
}

/** Forward table: [i0, i1, λ0, λ1] per output index. */
export function linearForwardTable(axis: LinearAxis): Float32Array {
  const table = new Float32Array(axis.outSize * 4);
  for (let o = 0; o < axis.outSize; o++) table.set([axis.i0[o]!, axis.i1[o]!, axis.lambda0[o]!, axis.lambda1[o]!], o * 4);
  return table;
}

/**
 * Transposed (adjoint) table in CSR form, so the backward gathers instead of scattering:
 * dx[i] = Σ_{(o, w) ∈ list(i)} w · dy[o], list(i) = {(o, λ0[o]) : i0[o] = i} ∪ {(o, λ1[o]) : i1[o] = i}, zero weights
 * dropped. Layout: offsets[in + 1] (entry index where list(i) starts), then entries as (o, w) pairs.
 */
export function linearAdjointTable(axis: LinearAxis): Float32Array {
  const lists: number[][] = Array.from({ length: axis.inSize }, () => []);
  for (let o = 0; o < axis.outSize; o++) {
    if (axis.lambda0[o] !== 0) lists[axis.i0[o]!]!.push(o, axis.lambda0[o]!);
    if (axis.lambda1[o] !== 0) lists[axis.i1[o]!]!.push(o, axis.lambda1[o]!);
  }
  const entries = lists.reduce((total, list) => total + list.length / 2, 0);
  const table = new Float32Array(axis.inSize + 1 + 2 * entries);
  let entry = 0;
  let cursor = axis.inSize + 1;
  lists.forEach((list, i) => {
    table[i] = entry;
    table.set(list, cursor);
    cursor += list.length;
    entry += list.length / 2;
  });
  table[axis.inSize] = entry;
  return table;
}

export type PillowFilter = 'bilinear' | 'bicubic';

/** Fractional bits of Pillow's 8-bit fixed-point weights (PRECISION_BITS = 32 − 8 − 2). */
export const PILLOW_PRECISION_BITS = 22;

const PILLOW_SUPPORT: Record<PillowFilter, number> = { bilinear: 1, bicubic: 2 };

/** Triangle and Keys' cubic (a = −0.5), as Pillow's Resample.c evaluates them. */
function pillowWeight(filter: PillowFilter, value: number): number {
  const x = value < 0 ? -value : value;
  if (filter === 'bilinear') return x < 1 ? 1 - x : 0;
  const a = -0.5;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** One Pillow pass along an axis: y[o] = clip8((2^21 + Σ_{j<count[o]} x[start[o] + j] · weight[o][j]) >> 22). */
export interface PillowAxis {
  readonly inSize: number;
  readonly outSize: number;
  /** Taps per output (table row stride). */
  readonly ksize: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** Fixed-point weights, outSize × ksize, 22 fractional bits. */
  readonly weights: Int32Array;
}

/**
 * Pillow 9.4 `precompute_coeffs` + `normalize_coeffs_8bpc` over the box [0, in): scale = in/out, fs = max(scale, 1),
 * support = fs·(1 bilinear | 2 bicubic) (fs > 1 widens the kernel: antialiasing), centre = (o + 0.5)·scale,
 * start = max(trunc(centre − support + 0.5), 0), end = min(trunc(centre + support + 0.5), in),
 * w(x) = filter((x − centre + 0.5)/fs) normalised to Σ = 1 in float64, then round-half-away(w·2^22).
 */
export function pillowAxis(inSize: number, outSize: number, filter: PillowFilter): PillowAxis {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = PILLOW_SUPPORT[filter] * filterScale;
  const ksize = pillowKernelSize(inSize, outSize, filter);
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const inverse = 1 / filterScale;
  const one = 2 ** PILLOW_PRECISION_BITS;
  const row = new Float64Array(ksize);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const first = Math.max(Math.trunc(centre - support + 0.5), 0);
    const taps = Math.min(Math.trunc(centre + support + 0.5), inSize) - first;
    let total = 0;
    for (let j = 0; j < taps; j++) {
      row[j] = pillowWeight(filter, (j + first - centre + 0.5) * inverse);
      total += row[j]!;
    }
    for (let j = 0; j < taps; j++) {
      const w = total !== 0 ? row[j]! / total : row[j]!;
      weights[o * ksize + j] = w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
    }
    start[o] = first;
    count[o] = taps;
  }
  return { inSize, outSize, ksize, start, count, weights };
}

/** Table row stride of a Pillow pass: 2·⌈support⌉ + 1. */
export function pillowKernelSize(inSize: number, outSize: number, filter: PillowFilter): number {
  return Math.ceil(PILLOW_SUPPORT[filter] * Math.max(inSize / outSize, 1)) * 2 + 1;
}

/** Pillow pass table: [start, count] per output, then the weights (outSize × ksize). */
export function pillowTable(axis: PillowAxis): Float32Array {
  const table = new Float32Array(axis.outSize * (2 + axis.ksize));
  for (let o = 0; o < axis.outSize; o++) table.set([axis.start[o]!, axis.count[o]!], o * 2);
  table.set(axis.weights, axis.outSize * 2);
  return table;
}

/** Largest accumulator a pass can reach with 8-bit inputs: 2^21 + 255·Σ positive weights (must stay below 2^31). */
export function pillowAccumulatorBound(axis: PillowAxis): number {
  let worst = 0;
  for (let o = 0; o < axis.outSize; o++) {
    let positive = 0;
    for (let j = 0; j < axis.count[o]!; j++) positive += Math.max(axis.weights[o * axis.ksize + j]!, 0);
    worst = Math.max(worst, positive);
  }
  return 2 ** (PILLOW_PRECISION_BITS - 1) + 255 * worst;
}

/**
 * Pillow NEAREST (ImagingScaleAffine): x = a/2, then x += a per output, a = in/out in float64, source = trunc(x),
 * −1 where the source falls outside [0, in) (Pillow leaves 0 there; it does not happen for in, out ≥ 1).
 * This equals ⌊(o + 0.5)·in/out⌋ except where that product is an exact integer and the running sum lands 1 ulp below.
 */
export function nearestAxis(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize;
  const index = new Int32Array(outSize);
  let position = step * 0.5;
  for (let o = 0; o < outSize; o++) {
    const source = position < 0 ? -1 : Math.trunc(position);
    index[o] = source < inSize ? source : -1;
    position += step;
  }
  return index;
}
