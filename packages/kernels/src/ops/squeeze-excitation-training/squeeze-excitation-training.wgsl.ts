import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { SIGMOID_WGSL } from '../../wgsl/sigmoid.wgsl.js';
import { MAX_REDUCED } from '../squeeze-excitation-fused/squeeze-excitation-fused.wgsl.js';

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
const MAX_REDUCED: u32 = ${MAX_REDUCED}u;

struct Params { images: u32, channels: u32, reduced: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> ds: array<f32>;
@group(0) @binding(3) var<storage, read> w1: array<f32>;
@group(0) @binding(4) var<storage, read> b1: array<f32>;
@group(0) @binding(5) var<storage, read> w2: array<f32>;
@group(0) @binding(6) var<storage, read> b2: array<f32>;
@group(0) @binding(7) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(8) var<storage, read_write> dpooled: array<f32>;

var<workgroup> u_shared: array<f32, MAX_REDUCED>;
var<workgroup> h_shared: array<f32, MAX_REDUCED>;
var<workgroup> du_shared: array<f32, MAX_REDUCED>;

${SIGMOID_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let n = group.x + group.y * groups.x;
  // n is uniform over the workgroup, so the early return keeps the barriers in uniform control flow.
  if (n >= params.images) { return; }
  let C = params.channels;
  let R = params.reduced;
  let row = n * C;
  let base = n * (2u * R + C);
  for (var r = lane; r < R; r += WORKGROUP_SIZE) {
    var u = b1[r];
    for (var c = 0u; c < C; c++) {
      u = fma(w1[r * C + c], pooled[row + c], u);
    }
    let h = u * sigmoid(u);
    u_shared[r] = u;
    h_shared[r] = h;
    scratch[base + r] = h;
  }
  workgroupBarrier();
  for (var c = lane; c < C; c += WORKGROUP_SIZE) {
    var a = b2[c];
    for (var r = 0u; r < R; r++) {
      a = fma(w2[c * R + r], h_shared[r], a);
    }
    let sigma = sigmoid_pair(a);
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
}
`;

/**
 * The SE weights' gradients, sums over the images n (h, du, da from the gate backward's scratch):
 *   dW1[r, c] = Σ_n du[n, r]·p[n, c],  db1[r] = Σ_n du[n, r],  dW2[c, r] = Σ_n da[n, c]·h[n, r],  db2[c] = Σ_n da[n, c]
 * One invocation per output value, i over [dW1 (R·C) | db1 (R) | dW2 (C·R) | db2 (C)].
 */
export const SE_WEIGHT_GRAD_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 64u;

struct Params { images: u32, channels: u32, reduced: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> scratch: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw1: array<f32>;
@group(0) @binding(4) var<storage, read_write> db1: array<f32>;
@group(0) @binding(5) var<storage, read_write> dw2: array<f32>;
@group(0) @binding(6) var<storage, read_write> db2: array<f32>;
${FLAT_INDEX_WGSL}
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

struct Params { count: u32, hw: u32, inv_hw: f32, start: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> gate: array<f32>;
@group(0) @binding(3) var<storage, read> dpooled: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dx4: array<vec4<f32>>;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let v = flat_index(gid, groups, WORKGROUP_SIZE);
  if (v >= params.count / 4u) { return; }
  let row = 4u * v / params.hw;
  dx4[v] = dy4[v] * gate[row] + dpooled[row] * params.inv_hw;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = params.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let row = i / params.hw;
  dx[i] = dy[i] * gate[row] + dpooled[row] * params.inv_hw;
}
`;
