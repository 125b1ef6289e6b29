import { d } from 'typegpu';
import { SIGMOID_WGSL } from '../../wgsl/sigmoid.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';

export const SE_GATE_PARAMS = paramsStruct('Params', { images: d.u32, channels: d.u32, reduced: d.u32 });

/**
 * The excitation MLP of squeeze-and-excitation for one image per workgroup, in one dispatch (inference):
 *   pooled: [N, C]; w1: [R, C]; b1: [R]; w2: [C, R]; b2: [C]  →  gate: [N, C]
 *   h[n, r]    = silu(b1[r] + Σ_c w1[r, c]·pooled[n, c])          (lanes over r; h kept in workgroup memory)
 *   gate[n, c] = σ(b2[c] + Σ_r w2[c, r]·h[n, r])                  (lanes over c)
 * Workgroup (x, y) of a folded grid takes image n = x + y·groups.x. R ≤ MAX_REDUCED.
 */
export const MAX_REDUCED = 256;

export const SE_GATE_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 64u;
const MAX_REDUCED: u32 = ${MAX_REDUCED}u;

${SE_GATE_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> w1: array<f32>;
@group(0) @binding(3) var<storage, read> b1: array<f32>;
@group(0) @binding(4) var<storage, read> w2: array<f32>;
@group(0) @binding(5) var<storage, read> b2: array<f32>;
@group(0) @binding(6) var<storage, read_write> gate: array<f32>;

var<workgroup> hidden: array<f32, MAX_REDUCED>;

${SIGMOID_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let n = group.x + group.y * groups.x;
  // n is uniform over the workgroup, so the early return keeps the barrier in uniform control flow.
  if (n >= params.images) { return; }
  let C = params.channels;
  let R = params.reduced;
  let row = n * C;
  for (var r = lane; r < R; r += WORKGROUP_SIZE) {
    var acc = b1[r];
    for (var c = 0u; c < C; c++) {
      acc = fma(w1[r * C + c], pooled[row + c], acc);
    }
    hidden[r] = acc * sigmoid(acc);
  }
  workgroupBarrier();
  for (var c = lane; c < C; c += WORKGROUP_SIZE) {
    var acc = b2[c];
    for (var r = 0u; r < R; r++) {
      acc = fma(w2[c * R + r], hidden[r], acc);
    }
    gate[row + c] = sigmoid(acc);
  }
}
`;
