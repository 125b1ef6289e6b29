/** σ(v) = 1/(1 + e^−v) in float64, through e^−|v| so that no exponent overflows (the kernels' reference). */
export function sigmoidReference(v: number): number {
  const e = Math.exp(-Math.abs(v));
  return v >= 0 ? 1 / (1 + e) : e / (1 + e);
}
