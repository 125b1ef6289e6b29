import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { SIGMOID_WGSL } from '../../wgsl/sigmoid.wgsl.js';
import { d } from 'typegpu';
import { paramsStruct } from '../../runtime/params.js';
import { SE_GATE_PARAMS, SE_MLP_BINDINGS, SE_MLP_WGSL, seImageEntryWgsl } from '../squeeze-excitation-fused/squeeze-excitation-fused.wgsl.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';

/** Input gradient: `count` values in planes of `hw` (inv_hw = 1/hw), from flat index `start`. */
export const SE_INPUT_GRAD_PARAMS = paramsStruct('Params', { count: d.u32, hw: d.u32, inv_hw: d.f32, start: d.u32 });

/**
 * Backward of squeeze-and-excitation y = x·g, g = σ(a), a = W2·h + b2, h = silu(u), u = W1·p + b1, p = mean_hw(x),
 * per image n (p, u, h, a, g of image n; W1 [R, C], W2 [C, R]). Given ds[n, c] = Σ_hw dy·x:
 *   da = ds·σ(a)·σ(−a);  dh[r] = Σ_c W2[c, r]·da[c];  du = dh·silu'(u) = dh·σ(u)·(1 + u·σ(−u));  dp[c] = Σ_r W1[r, c]·du[r]
 * σ'(a) is σ(a)·σ(−a) from the recomputed a, not g·(1 − g), which cancels where g is near 1.
 * One workgroup per image (folded grid): lanes over r recompute u, h; lanes over c recompute a and write da; lanes
 * over r sum dh and write du; lanes over c write dp. scratch[n] = [h (R), du (R), da (C)] feeds the weights' pass.
 */
export const SE_GATE_BACKWARD_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 64u;

${SE_GATE_PARAMS.wgsl}

${bindingsWgsl(['pooled', 'ds', ...SE_MLP_BINDINGS, output('scratch'), output('dpooled')])}${SE_MLP_WGSL}
var<workgroup> u_shared: array<f32, MAX_REDUCED>;
var<workgroup> du_shared: array<f32, MAX_REDUCED>;

${SIGMOID_WGSL}
${seImageEntryWgsl(/* wgsl */ `
  let base = n * (2u * R + C);
  for (var r = lane; r < R; r += WORKGROUP_SIZE) {
    let u = hidden_input(row, r);
    let h = u * sigmoid(u);
    u_shared[r] = u;
    hidden[r] = h;
    scratch[base + r] = h;
  }
  workgroupBarrier();
  for (var c = lane; c < C; c += WORKGROUP_SIZE) {
    let sigma = sigmoid_pair(gate_input(c));
    scratch[base + 2u * R + c] = ds[row + c] * sigma.x * sigma.y;
  }
  storageBarrier();
  workgroupBarrier();
  for (var r = lane; r < R; r += WORKGROUP_SIZE) {
    var dh = 0.0;
    for (var c = 0u; c < C; c++) {
      dh = fma(w2[c * R + r], scratch[base + 2u * R + c], dh);
    }
    let u = u_shared[r];
    let sigma = sigmoid_pair(u);
    let du = dh * sigma.x * (1.0 + u * sigma.y);
    scratch[base + R + r] = du;
    du_shared[r] = du;
  }
  workgroupBarrier();
  for (var c = lane; c < C; c += WORKGROUP_SIZE) {
    var acc = 0.0;
    for (var r = 0u; r < R; r++) {
      acc = fma(w1[r * C + c], du_shared[r], acc);
    }
    dpooled[row + c] = acc;
  }
`)}`;

/** The MLP's gradients dw1, db1, dw2, db2, bound in the order of its tensors. */
const SE_MLP_GRADIENTS = SE_MLP_BINDINGS.map((name) => output(`d${name}`));

/**
 * The SE weights' gradients, sums over the images n (h, du, da from the gate backward's scratch):
 *   dW1[r, c] = Σ_n du[n, r]·p[n, c],  db1[r] = Σ_n du[n, r],  dW2[c, r] = Σ_n da[n, c]·h[n, r],  db2[c] = Σ_n da[n, c]
 * One invocation per output value, i over [dW1 (R·C) | db1 (R) | dW2 (C·R) | db2 (C)].
 */
export const SE_WEIGHT_GRAD_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 64u;

${SE_GATE_PARAMS.wgsl}

${bindingsWgsl(['pooled', 'scratch', ...SE_MLP_GRADIENTS])}${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  let C = params.channels;
  let R = params.reduced;
  let N = params.images;
  let stride = 2u * R + C;
  if (i < R * C) {
    let r = i / C;
    let c = i - r * C;
    var acc = 0.0;
    for (var n = 0u; n < N; n++) { acc = fma(scratch[n * stride + R + r], pooled[n * C + c], acc); }
    dw1[i] = acc;
  } else if (i < R * C + R) {
    let r = i - R * C;
    var acc = 0.0;
    for (var n = 0u; n < N; n++) { acc += scratch[n * stride + R + r]; }
    db1[r] = acc;
  } else if (i < 2u * R * C + R) {
    let j = i - R * C - R;
    let c = j / R;
    let r = j - c * R;
    var acc = 0.0;
    for (var n = 0u; n < N; n++) { acc = fma(scratch[n * stride + 2u * R + c], scratch[n * stride + r], acc); }
    dw2[j] = acc;
  } else if (i < 2u * R * C + R + C) {
    let c = i - 2u * R * C - R;
    var acc = 0.0;
    for (var n = 0u; n < N; n++) { acc += scratch[n * stride + 2u * R + c]; }
    db2[c] = acc;
  }
}
`;

/**
 * dx of the SE: dy, x: [N, C, H, W]; gate, dp: [N, C] -> dx = dy·g[n, c] + dp[n, c]/(H·W)  (the scale's and the
 * pool's paths to x). main4 (H·W a multiple of 4): lane v takes elements 4v .. 4v+3 of one (n, c) row; main: element
 * i in [start, count).
 */
export const SE_INPUT_GRAD_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${SE_INPUT_GRAD_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'dy', view4: 'dy4' }, 'gate', 'dpooled', output('dx', 'dx4')],
  vector: `let row = 4u * v / params.hw;
  dx4[v] = dy4[v] * gate[row] + dpooled[row] * params.inv_hw;`,
  scalar: `let row = i / params.hw;
  dx[i] = dy[i] * gate[row] + dpooled[row] * params.inv_hw;`,
})}`;
