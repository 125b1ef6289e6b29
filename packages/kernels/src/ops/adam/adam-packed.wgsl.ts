import { d } from 'typegpu';
import { paramsStruct } from '../../runtime/params.js';
import { ADAM_STEP_FIELDS, ADAM_STEP_WGSL } from './adam.wgsl.js';

/** Most tensors one packed dispatch takes (the `counts` array below holds 8). */
export const ADAM_PACKED_MAX_SLOTS = 8;

export const ADAM_PACKED_PARAMS = paramsStruct('Params', {
  ...ADAM_STEP_FIELDS,
  /** Elements of slot s at counts[s / 4][s % 4]. */
  counts: d.arrayOf(d.vec4u, ADAM_PACKED_MAX_SLOTS / 4),
});

/**
 * The packed Adam kernel for `slots` tensors: slot s binds p_s, g_s, m_s, v_s (each [counts[s]]) at bindings
 * 4s + 1 .. 4s + 4. The same step as ADAM_WGSL (ADAM_STEP_WGSL), for many small tensors in one dispatch: workgroup
 * row y = slot s (uniform over the workgroup), lane x walks i = x, x + X, … with X = the dispatch's lanes along x.
 * main4: i indexes vec4 groups (i < counts[s] / 4) through vec4 views; every slot's count a multiple of 4.
 * main:  i indexes elements (i < counts[s]), one a lane through adam_step's x component.
 */
export function adamPackedWgsl(slots: number): string {
  if (!Number.isInteger(slots) || slots < 1 || slots > ADAM_PACKED_MAX_SLOTS) {
    throw new Error(`adamPackedWgsl: slots must be an integer in [1, ${ADAM_PACKED_MAX_SLOTS}], got ${slots}`);
  }
  const indices = Array.from({ length: slots }, (_, s) => s);
  const bindings = (suffix: string, element: string): string =>
    indices
      .map(
        (s) => `@group(0) @binding(${4 * s + 1}) var<storage, read_write> p${suffix}${s}: array<${element}>;
@group(0) @binding(${4 * s + 2}) var<storage, read> g${suffix}${s}: array<${element}>;
@group(0) @binding(${4 * s + 3}) var<storage, read_write> m${suffix}${s}: array<${element}>;
@group(0) @binding(${4 * s + 4}) var<storage, read_write> v${suffix}${s}: array<${element}>;`,
      )
      .join('\n');
  const cases = indices
    .map(
      (s) => `    case ${s}u: {
      let next = adam_step(vec4<f32>(p${s}[i]), vec4<f32>(g${s}[i]), vec4<f32>(m${s}[i]), vec4<f32>(v${s}[i]));
      p${s}[i] = next[0].x;
      m${s}[i] = next[1].x;
      v${s}[i] = next[2].x;
    }`,
    )
    .join('\n');
  const cases4 = indices
    .map(
      (s) => `    case ${s}u: {
      let next = adam_step(p4_${s}[i], g4_${s}[i], m4_${s}[i], v4_${s}[i]);
      p4_${s}[i] = next[0];
      m4_${s}[i] = next[1];
      v4_${s}[i] = next[2];
    }`,
    )
    .join('\n');
  return /* wgsl */ `
// Adam step t in place on ${slots} tensors at once (PyTorch 1.13's single-tensor formula, see ADAM_WGSL):
//   g' = g + wd·p (WEIGHT_DECAY only); m = β1·m + (1 − β1)·g'; v = β2·v + ((1 − β2)·g')·g';
//   p = p + ((−lr / (1 − β1^t))·m) / (sqrt(v) / sqrt(1 − β2^t) + eps)
// Slot s = workgroup_id.y holds p_s, g_s, m_s, v_s: [counts[s]] (p4_s, …: their vec4 views); lane x takes items
// x, x + X, … (X lanes along x): vec4 groups in main4, elements in main.
override WORKGROUP_SIZE: u32 = 256u;
override WEIGHT_DECAY: bool = false;

${ADAM_PACKED_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
${bindings('', 'f32')}
${bindings('4_', 'vec4<f32>')}
${ADAM_STEP_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) group: vec3<u32>,
         @builtin(num_workgroups) groups: vec3<u32>) {
  let slot = group.y;
  let count = params.counts[slot / 4u][slot % 4u] / 4u;
  let stride = groups.x * WORKGROUP_SIZE;
  for (var i = gid.x; i < count; i += stride) {
    switch slot {
${cases4}
      default: {}
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let slot = group.y;
  let count = params.counts[slot / 4u][slot % 4u];
  let stride = groups.x * WORKGROUP_SIZE;
  for (var i = gid.x; i < count; i += stride) {
    switch slot {
${cases}
      default: {}
    }
  }
}
`;
}
