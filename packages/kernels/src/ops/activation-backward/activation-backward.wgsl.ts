import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';

/**
 * σ(v) and σ(−v) to a few ulp each, for any v: e^−|v| = 2^−k·e^−r with |v| = k·ln2 + r, |r| ≤ ln2/2 (ln2 split in a
 * head with 15 significant bits, so k·ln2_head is exact, and a tail). The built-in exp(−|v|) alone is off by
 * ~|v|·2^−24 relative (3.5e-6 at |v| = 60) because |v|·log2(e) is rounded before exp2.
 */
export const SIGMOID_PAIR_WGSL = /* wgsl */ `
fn exp_neg_abs(v: f32) -> f32 {
  let a = abs(v);
  let k = round(a * 1.4426950408889634);
  let r = (a - k * 0.693145751953125) - k * 1.4286068202862268e-6;
  return ldexp(exp(-r), -i32(k));
}

// (σ(v), σ(−v))
fn sigmoid_pair(v: f32) -> vec2<f32> {
  let e = exp_neg_abs(v);
  let big = 1.0 / (1.0 + e);
  let small = e / (1.0 + e);
  return select(vec2<f32>(big, small), vec2<f32>(small, big), v < 0.0);
}
`;

/** SIGMOID_PAIR_WGSL's functions on each component of a vec4<f32>. */
export const SIGMOID_PAIR4_WGSL = /* wgsl */ `
fn exp_neg_abs4(v: vec4<f32>) -> vec4<f32> {
  let a = abs(v);
  let k = round(a * 1.4426950408889634);
  let r = (a - k * 0.693145751953125) - k * 1.4286068202862268e-6;
  return ldexp(exp(-r), -vec4<i32>(k));
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

/** Op codes of the `OP` override, in the order of ACTIVATION_BACKWARD_OPS. */
export const ACTIVATION_BACKWARD_WGSL = /* wgsl */ `
// x, dy: [count] -> dx: [count], dx[i] = dy[i]·f'(x[i]) for the activation f selected by OP:
//   0 relu:    f' = [x > 0]
//   1 sigmoid: f' = σ(x)·(1 − σ(x)) = σ(x)·σ(−x)
//   2 silu:    f = x·σ(x),  f' = σ(x)·(1 + x·σ(−x))
// With e = e^−|x| (never overflows): σ(|x|) = 1/(1 + e), σ(−|x|) = e/(1 + e); σ(−x) replaces 1 − σ(x), which would
// cancel, so f' keeps its relative precision out to |x| = 87.
// main4: lane v takes elements 4v .. 4v+3 through the vec4<f32> views x4, dy4, dx4, v < count / 4;
// main:  lane takes element i in [start, count) (the tail after main4, or the whole range).
override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

struct Params { count: u32, start: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> dy4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> dx4: array<vec4<f32>>;
${FLAT_INDEX_WGSL}${SIGMOID_PAIR4_WGSL}
fn derivative(v: vec4<f32>) -> vec4<f32> {
  switch OP {
    case 0u: { return select(vec4<f32>(0.0), vec4<f32>(1.0), v > vec4<f32>(0.0)); }
    case 1u: { let sigma = sigmoid_pair4(v); return sigma[0] * sigma[1]; }
    case 2u: { let sigma = sigmoid_pair4(v); return sigma[0] * (1.0 + v * sigma[1]); }
    default: { return vec4<f32>(0.0); }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let v = flat_index(gid, groups, WORKGROUP_SIZE);
  if (v >= params.count / 4u) { return; }
  dx4[v] = dy4[v] * derivative(x4[v]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = params.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  dx[i] = dy[i] * derivative(vec4<f32>(x[i])).x;
}
`;
