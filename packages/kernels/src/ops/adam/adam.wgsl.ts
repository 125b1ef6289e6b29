import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

/** The step's scalars, which adam_step reads: the flat and the packed kernels' Params both hold them. */
export const ADAM_STEP_FIELDS = {
  beta1: d.f32,
  one_minus_beta1: d.f32,
  beta2: d.f32,
  one_minus_beta2: d.f32,
  bias_correction2_sqrt: d.f32,
  eps: d.f32,
  neg_step_size: d.f32,
  weight_decay: d.f32,
};

export const ADAM_PARAMS = paramsStruct('Params', { count: d.u32, start: d.u32, ...ADAM_STEP_FIELDS });

/**
 * `adam_step(p, g, m, v) -> (p, m, v)` on four elements, the formula of ADAM_WGSL's header, reading the step scalars
 * from `params` (a struct with ADAM_PARAMS' scalar fields) and the WEIGHT_DECAY override: shared by the flat and the
 * packed kernels so that both round alike.
 */
export const ADAM_STEP_WGSL = /* wgsl */ `
// One step of each component: (p, m, v) from (p, g, m, v), as the formula in the kernel header.
fn adam_step(param: vec4<f32>, gradient: vec4<f32>, m_old: vec4<f32>, v_old: vec4<f32>) -> array<vec4<f32>, 3> {
  var grad = gradient;
  if (WEIGHT_DECAY) {
    grad = grad + params.weight_decay * param;
  }
  let m_next = params.beta1 * m_old + params.one_minus_beta1 * grad;
  let v_next = params.beta2 * v_old + (params.one_minus_beta2 * grad) * grad;
  let denom = sqrt(v_next) / params.bias_correction2_sqrt + params.eps;
  return array<vec4<f32>, 3>(param + (params.neg_step_size * m_next) / denom, m_next, v_next);
}
`;

export const ADAM_WGSL = /* wgsl */ `
// p, g, m, v: [count], one parameter tensor (or one flat segment holding several). Adam step t in place, PyTorch
// 1.13's single-tensor formula, every operation one float32 rounding in torch's order:
//   g' = g + wd·p                                  (WEIGHT_DECAY only)
//   m  = β1·m + (1 − β1)·g'
//   v  = β2·v + ((1 − β2)·g')·g'
//   denom = sqrt(v) / sqrt(1 − β2^t) + eps
//   p  = p + ((−lr / (1 − β1^t))·m) / denom
// The step scalars sqrt(1 − β2^t) and −lr/(1 − β1^t) are computed in float64 on the CPU and arrive rounded to f32.
// main4: lane j takes elements 4j .. 4j+3 through vec4<f32> views (p4, g4, m4, v4), j < count / 4 (runtime/flat);
// main:  lane takes element i in [start, count) (the tail after main4, or the whole range).
override WORKGROUP_SIZE: u32 = 256u;
override WEIGHT_DECAY: bool = false;

${ADAM_PARAMS.wgsl}

${bindingsWgsl([output('p', 'p4'), { name: 'g', view4: 'g4' }, output('m', 'm4'), output('v', 'v4')])}${FLAT_INDEX_WGSL}
${ADAM_STEP_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = flat_index(gid, groups, WORKGROUP_SIZE);
  if (j >= params.count / 4u) { return; }
  let next = adam_step(p4[j], g4[j], m4[j], v4[j]);
  p4[j] = next[0];
  m4[j] = next[1];
  v4[j] = next[2];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = params.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let next = adam_step(vec4<f32>(p[i]), vec4<f32>(g[i]), vec4<f32>(m[i]), vec4<f32>(v[i]));
  p[i] = next[0].x;
  m[i] = next[1].x;
  v[i] = next[2].x;
}
`;
