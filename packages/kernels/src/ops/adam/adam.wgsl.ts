import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';

export const ADAM_WGSL = /* wgsl */ `
// p, g, m, v: [count], one parameter tensor (or one flat segment holding several). Adam step t in place, PyTorch
// 1.13's single-tensor formula, every operation one float32 rounding in torch's order:
//   g' = g + wd·p                                  (WEIGHT_DECAY only)
//   m  = β1·m + (1 − β1)·g'
//   v  = β2·v + ((1 − β2)·g')·g'
//   denom = sqrt(v) / sqrt(1 − β2^t) + eps
//   p  = p + ((−lr / (1 − β1^t))·m) / denom
// The step scalars sqrt(1 − β2^t) and −lr/(1 − β1^t) are computed in float64 on the CPU and arrive rounded to f32.
override WORKGROUP_SIZE: u32 = 256u;
override WEIGHT_DECAY: bool = false;

struct Params {
  count: u32,
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  bias_correction2_sqrt: f32,
  eps: f32,
  neg_step_size: f32,
  weight_decay: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> p: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let param = p[i];
  var grad = g[i];
  if (WEIGHT_DECAY) {
    grad = grad + params.weight_decay * param;
  }
  let m_next = params.beta1 * m[i] + params.one_minus_beta1 * grad;
  let v_next = params.beta2 * v[i] + (params.one_minus_beta2 * grad) * grad;
  let denom = sqrt(v_next) / params.bias_correction2_sqrt + params.eps;
  m[i] = m_next;
  v[i] = v_next;
  p[i] = param + (params.neg_step_size * m_next) / denom;
}
`;
