/** float64 reference of transpose01: y[b, a, i] = x[a, b, i] for x [outer, middle, inner]. */
export function transpose01Reference(x: ArrayLike<number>, outer: number, middle: number, inner: number): Float64Array {
  const y = new Float64Array(outer * middle * inner);
  for (let a = 0; a < outer; a++) {
    for (let b = 0; b < middle; b++) {
      for (let i = 0; i < inner; i++) y[(b * outer + a) * inner + i] = x[(a * middle + b) * inner + i]!;
    }
  }
  return y;
}
