/** float64 reference of GroupNorm and of its backward (the formulas of group-norm.wgsl.ts). */

export interface GroupNormReference {
  readonly y: Float64Array;
  readonly mean: Float64Array;
  readonly rstd: Float64Array;
}

function layout(shape: readonly number[], groups: number): { n: number; c: number; hw: number; size: number } {
  const [n, c] = shape as [number, number];
  const hw = shape.slice(2).reduce((product, s) => product * s, 1);
  return { n, c, hw, size: (c / groups) * hw };
}

export function groupNormReference(
  x: ArrayLike<number>,
  shape: readonly number[],
  groups: number,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  eps: number,
): GroupNormReference {
  const { n, c, hw, size } = layout(shape, groups);
  const y = new Float64Array(x.length);
  const mean = new Float64Array(n * groups);
  const rstd = new Float64Array(n * groups);
  for (let s = 0; s < n * groups; s++) {
    let total = 0;
    for (let j = 0; j < size; j++) total += x[s * size + j]!;
    const mu = total / size;
    let squares = 0;
    for (let j = 0; j < size; j++) squares += (x[s * size + j]! - mu) ** 2;
    const r = 1 / Math.sqrt(squares / size + eps);
    [mean[s], rstd[s]] = [mu, r];
    for (let j = 0; j < size; j++) {
      const i = s * size + j;
      const channel = Math.floor(i / hw) % c;
      y[i] = (x[i]! - mu) * r * weight[channel]! + bias[channel]!;
    }
  }
  return { y, mean, rstd };
}

export interface GroupNormGradientsReference {
  readonly dx: Float64Array;
  readonly dweight: Float64Array;
  readonly dbias: Float64Array;
}

/** dx = r·(dy·γ − mean_group(dy·γ) − x̂·mean_group(dy·γ·x̂)), dγ = Σ dy·x̂, dβ = Σ dy. */
export function groupNormBackwardReference(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  shape: readonly number[],
  groups: number,
  weight: ArrayLike<number>,
  eps: number,
): GroupNormGradientsReference {
  const { n, c, hw, size } = layout(shape, groups);
  const { mean, rstd } = groupNormReference(x, shape, groups, weight, new Float64Array(c), eps);
  const dx = new Float64Array(x.length);
  const dweight = new Float64Array(c);
  const dbias = new Float64Array(c);
  for (let s = 0; s < n * groups; s++) {
    let a = 0;
    let b = 0;
    const normalized = (i: number): number => (x[i]! - mean[s]!) * rstd[s]!;
    const channel = (i: number): number => Math.floor(i / hw) % c;
    for (let j = 0; j < size; j++) {
      const i = s * size + j;
      const g = dy[i]! * weight[channel(i)]!;
      a += g;
      b += g * normalized(i);
      dweight[channel(i)]! += dy[i]! * normalized(i);
      dbias[channel(i)]! += dy[i]!;
    }
    for (let j = 0; j < size; j++) {
      const i = s * size + j;
      dx[i] = rstd[s]! * (dy[i]! * weight[channel(i)]! - a / size - (normalized(i) * b) / size);
    }
  }
  return { dx, dweight, dbias };
}
