/** Float64 central finite differences, the oracle every backward is checked against. */

/** d f / d x[i] ~ (f(x + h e_i) - f(x - h e_i)) / 2h for every i (or the given indexes). */
export function numericalGradient(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  step = 1e-6,
  indexes?: readonly number[],
): Float64Array {
  const point = Float64Array.from(x);
  const gradient = new Float64Array(point.length);
  for (const index of indexes ?? point.keys()) {
    const original = point[index]!;
    point[index] = original + step;
    const plus = f(point);
    point[index] = original - step;
    const minus = f(point);
    point[index] = original;
    gradient[index] = (plus - minus) / (2 * step);
  }
  return gradient;
}

/** Σ_i w_i y_i: the scalar whose gradient with respect to y is w, used to turn a vector output into a loss. */
export function weightedSum(y: ArrayLike<number>, weights: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < y.length; index++) total += y[index]! * weights[index]!;
  return total;
}
