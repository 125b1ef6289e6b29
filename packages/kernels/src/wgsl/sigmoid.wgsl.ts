/**
 * The logistic function σ(v) = 1/(1 + e^−v) for every kernel that needs it (unary, gemm/conv epilogues,
 * squeeze-excitation, activation backward, loss), so forward and backward agree to the last bit.
 *
 * All forms go through e = e^−|v| (never overflows): σ(|v|) = 1/(1 + e), σ(−|v|) = e/(1 + e). e^−|v| is computed as
 * 2^−k·e^−r with |v| = k·ln2 + r, |r| ≤ ln2/2, ln2 split in a head with 15 significant bits (k·ln2_head is exact) and
 * a tail; the built-in exp(−|v|) alone is off by ~|v|·2^−24 relative (3.5e-6 at |v| = 60) because |v|·log2(e) is
 * rounded before exp2. σ(v) and σ(−v) then hold a few ulp each for any v (wgsl.cases.ts checks this against float64).
 */

/** f32 forms: exp_neg_abs(v) = e^−|v|, sigmoid(v) = σ(v), sigmoid_pair(v) = (σ(v), σ(−v)). */
export const SIGMOID_WGSL = /* wgsl */ `
fn exp_neg_abs(v: f32) -> f32 {
  let a = abs(v);
  let k = round(a * 1.4426950408889634);
  let r = (a - k * 0.693145751953125) - k * 1.4286068202862268e-6;
  return ldexp(exp(-r), -i32(k));
}

// σ(v)
fn sigmoid(v: f32) -> f32 {
  let e = exp_neg_abs(v);
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}

// (σ(v), σ(−v))
fn sigmoid_pair(v: f32) -> vec2<f32> {
  let e = exp_neg_abs(v);
  let big = 1.0 / (1.0 + e);
  let small = e / (1.0 + e);
  return select(vec2<f32>(big, small), vec2<f32>(small, big), v < 0.0);
}
`;

/** SIGMOID_WGSL's functions on each component of a vec4<f32>: exp_neg_abs4, sigmoid4, sigmoid_pair4. */
export const SIGMOID4_WGSL = /* wgsl */ `
fn exp_neg_abs4(v: vec4<f32>) -> vec4<f32> {
  let a = abs(v);
  let k = round(a * 1.4426950408889634);
  let r = (a - k * 0.693145751953125) - k * 1.4286068202862268e-6;
  return ldexp(exp(-r), -vec4<i32>(k));
}

// σ(v), each component
fn sigmoid4(v: vec4<f32>) -> vec4<f32> {
  let e = exp_neg_abs4(v);
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= vec4<f32>(0.0));
}

// (σ(v), σ(−v)), each component of v
fn sigmoid_pair4(v: vec4<f32>) -> array<vec4<f32>, 2> {
  let e = exp_neg_abs4(v);
  let big = 1.0 / (1.0 + e);
  let small = e / (1.0 + e);
  let negative = v < vec4<f32>(0.0);
  return array<vec4<f32>, 2>(select(big, small, negative), select(small, big, negative));
}
`;
