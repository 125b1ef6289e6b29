import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { CONV_GEOMETRY_FIELDS } from '../conv2d/conv2d-geometry.js';
import { EPILOGUE_WGSL } from '../gemm/gemm-core.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

export const DEPTHWISE_PARAMS = paramsStruct('Params', {
  ...CONV_GEOMETRY_FIELDS,
  flags: d.u32,
  blocks: d.u32,
  count: d.u32,
});
export const DEPTHWISE_INPUT_PARAMS = paramsStruct('Params', { ...CONV_GEOMETRY_FIELDS, blocks: d.u32, count: d.u32 });
export const DEPTHWISE_WEIGHT_PARAMS = paramsStruct('Params', {
  ...CONV_GEOMETRY_FIELDS,
  blocks: d.u32,
  items: d.u32,
  chunk: d.u32,
  splits: d.u32,
});

/**
 * Depthwise K x K (K = 3 or 5) convolution with stride S (1 or 2), groups = C = Cout, any padding. Each thread
 * keeps T adjacent outputs (T = 8; the forward also 16) of one row in registers and, per kernel row, loads the input row segment they share
 * once (register reuse along W). K and S are override constants, so every loop over them unrolls.
 */
const common = (t: number): string => /* wgsl */ `
override K: u32 = 3u;
override S: u32 = 1u;
override WORKGROUP_SIZE: u32 = 64u;
const T = ${t}u;
// Longest row segment: (T - 1) S + K inputs (forward and weight gradient) for K <= 5, S <= 2.
const SEGMENT = ${(t - 1) * 2 + 5}u;
${FLAT_INDEX_WGSL}`;
const COMMON = common(8);

/** Outputs of one row a forward lane computes: 8, or 16 (half the per-lane loads per FMA on lavapipe). */
export const DEPTHWISE_OUTPUTS = [8, 16] as const;
export type DepthwiseOutputs = (typeof DEPTHWISE_OUTPUTS)[number];

/** The forward with T = `outputs` outputs a lane (T sizes the lane's register arrays, so it is a constant of the code). */
export const depthwiseForwardWgsl = (outputs: DepthwiseOutputs): string => /* wgsl */ `
// x: [N, C, H, W], w: [C, 1, K, K], y: [N, C, OH, OW]
// y[n, c, oh, ow] = act(scale[c] sum_{kh, kw} w[c, 0, kh, kw] x[n, c, oh S + kh - pt, ow S + kw - pl] + shift[c])
// Thread i: outputs ow = T b + t (t < T) of row (n, c, oh), i = ((n C + c) OH + oh) blocks + b.
${common(outputs)}
${DEPTHWISE_PARAMS.wgsl}

${bindingsWgsl(['x', 'w', 'scale', 'shift', output('y')], 'p')}${EPILOGUE_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= p.count) { return; }
  let b = i % p.blocks;
  let row = i / p.blocks;
  let oh = row % p.OH;
  let plane = row / p.OH;
  let c = plane % p.C;
  let iw0 = i32(T * b * S) - i32(p.pl);
  var acc: array<f32, T>;
  // p.KH = K: a run-time bound keeps this loop rolled (the compiled shader stays small; t and kw unroll).
  for (var kh = 0u; kh < p.KH; kh++) {
    let ih = i32(oh * S + kh) - i32(p.pt);
    if (ih < 0 || ih >= i32(p.H)) { continue; }
    let base = (plane * p.H + u32(ih)) * p.W;
    var segment: array<f32, SEGMENT>;
    for (var e = 0u; e < (T - 1u) * S + K; e++) {
      let iw = iw0 + i32(e);
      segment[e] = select(0.0, x[base + u32(max(iw, 0))], iw >= 0 && iw < i32(p.W));
    }
    for (var kw = 0u; kw < K; kw++) {
      let weight = w[(c * K + kh) * K + kw];
      for (var t = 0u; t < T; t++) { acc[t] = fma(weight, segment[t * S + kw], acc[t]); }
    }
  }
  for (var t = 0u; t < T; t++) {
    let ow = T * b + t;
    if (ow < p.OW) { y[(row * p.OW) + ow] = epilogue(acc[t], c, p.flags); }
  }
}
`;

export const DEPTHWISE_WGSL = depthwiseForwardWgsl(8);

export const DEPTHWISE_BACKWARD_INPUT_WGSL = /* wgsl */ `
// dy: [N, C, OH, OW], w: [C, 1, K, K], dx: [N, C, H, W]
// dL/dx[n, c, ih, iw] = sum_{kh, kw: ih = oh S + kh - pt, iw = ow S + kw - pl} w[c, 0, kh, kw] dy[n, c, oh, ow]
// Thread i: dx at iw = T b + t - pl (t < T) of row (n, c, ih). With u = iw + pl = T b + t and S | T, the tap kw reaches
// iw iff S | (t - kw), from ow = T b / S + (t - kw) / S: which pairs (t, kw) contribute is known at compile time.
// The thread's dy row segment starts at ow = T b / S - D, D = ceil((K - 1) / S).
${COMMON}
${DEPTHWISE_INPUT_PARAMS.wgsl}

${bindingsWgsl(['dy', 'w', output('dx')], 'p')}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= p.count) { return; }
  let b = i % p.blocks;
  let row = i / p.blocks;
  let ih = row % p.H;
  let plane = row / p.H;
  let c = plane % p.C;
  let D = (K - 1u + S - 1u) / S;
  let ow0 = i32(T * b / S) - i32(D);
  var acc: array<f32, T>;
  for (var kh = 0u; kh < p.KH; kh++) {
    let num = i32(ih + p.pt) - i32(kh);
    if (num < 0 || num % i32(S) != 0 || num / i32(S) >= i32(p.OH)) { continue; }
    let base = (plane * p.OH + u32(num) / S) * p.OW;
    var segment: array<f32, SEGMENT>;
    for (var e = 0u; e < (T - 1u) / S + D + 1u; e++) {
      let ow = ow0 + i32(e);
      segment[e] = select(0.0, dy[base + u32(max(ow, 0))], ow >= 0 && ow < i32(p.OW));
    }
    for (var kw = 0u; kw < K; kw++) {
      let weight = w[(c * K + kh) * K + kw];
      for (var t = 0u; t < T; t++) {
        // d = t - kw + 2 S T keeps the operands of % non-negative.
        let d = t + 2u * S * T - kw;
        if (d % S == 0u) { acc[t] = fma(weight, segment[d / S + D - 2u * T], acc[t]); }
      }
    }
  }
  for (var t = 0u; t < T; t++) {
    let iw = i32(T * b + t) - i32(p.pl);
    if (iw >= 0 && iw < i32(p.W)) { dx[row * p.W + u32(iw)] = acc[t]; }
  }
}
`;

/**
 * One item of the depthwise weight gradient, shared by both layouts: item j = (n OH + oh) blocks + b (T outputs of
 * one row) adds dy[n, c, oh, T b + t] x[n, c, oh S + kh - pt, (T b + t) S + kw - pl] over t to acc[kw], kw < K (a
 * row outside the input adds nothing). Reads the shader's p, x and dy.
 */
const DEPTHWISE_WEIGHT_ITEM_WGSL = /* wgsl */ `
fn add_weight_item(j: u32, c: u32, kh: u32, acc: ptr<function, array<f32, 5>>) {
  let b = j % p.blocks;
  let oh = (j / p.blocks) % p.OH;
  let n = j / (p.blocks * p.OH);
  let ih = i32(oh * S + kh) - i32(p.pt);
  if (ih < 0 || ih >= i32(p.H)) { return; }
  let dy_row = ((n * p.C + c) * p.OH + oh) * p.OW;
  var g: array<f32, T>;
  for (var t = 0u; t < T; t++) {
    let ow = T * b + t;
    g[t] = select(0.0, dy[dy_row + min(ow, p.OW - 1u)], ow < p.OW);
  }
  let base = ((n * p.C + c) * p.H + u32(ih)) * p.W;
  let iw0 = i32(T * b * S) - i32(p.pl);
  var segment: array<f32, SEGMENT>;
  for (var e = 0u; e < (T - 1u) * S + K; e++) {
    let iw = iw0 + i32(e);
    segment[e] = select(0.0, x[base + u32(max(iw, 0))], iw >= 0 && iw < i32(p.W));
  }
  for (var kw = 0u; kw < K; kw++) {
    var v = (*acc)[kw];
    for (var t = 0u; t < T; t++) { v = fma(g[t], segment[t * S + kw], v); }
    (*acc)[kw] = v;
  }
}
`;

/** Both weight-gradient kernels' declarations: Params, x and dy, the output `out` and add_weight_item. */
const weightHeader = (out: string): string => /* wgsl */ `${COMMON}
${DEPTHWISE_WEIGHT_PARAMS.wgsl}

${bindingsWgsl(['x', 'dy', output(out)], 'p')}${DEPTHWISE_WEIGHT_ITEM_WGSL}`;

export const DEPTHWISE_BACKWARD_WEIGHT_WGSL = /* wgsl */ `
// x: [N, C, H, W], dy: [N, C, OH, OW], partial: [splits, C, K, K]
// dL/dw[c, 0, kh, kw] = sum_{n, oh, ow} dy[n, c, oh, ow] x[n, c, oh S + kh - pt, ow S + kw - pl]
// Workgroup (s, c) sums items j = (n OH + oh) blocks + b (T outputs of one row) in split s's chunk
// [s chunk, (s + 1) chunk). Thread lid < K R (R = WORKGROUP_SIZE / K) takes kernel row kh = lid / R and items
// lane, lane + R, ... (lane = lid % R), keeping the K sums of its row; the workgroup then adds its lanes' sums.
${weightHeader('partial')}

override R: u32 = WORKGROUP_SIZE / K;
var<workgroup> sums: array<f32, WORKGROUP_SIZE * K>; // [kh K + kw][lane], lane < R

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let s = wg.x;
  let c = wg.y;
  let kh = lid / R;
  let lane = lid % R;
  var acc: array<f32, 5>;
  let end = select(0u, min(p.items, (s + 1u) * p.chunk), kh < K);
  for (var j = s * p.chunk + lane; j < end; j += R) {
    add_weight_item(j, c, kh, &acc);
  }
  if (kh < K) {
    for (var kw = 0u; kw < K; kw++) { sums[(kh * K + kw) * R + lane] = acc[kw]; }
  }
  workgroupBarrier();
  if (lid < K * K) {
    var total = 0.0;
    for (var l = 0u; l < R; l++) { total += sums[lid * R + l]; }
    partial[(s * p.C + c) * K * K + lid] = total;
  }
}
`;

/**
 * The weight gradient with one lane per (channel, kernel row) and no workgroup memory or barrier, for short
 * N·OH·OW (the deep layers of a network at small resolution: a handful of items per channel, where the workgroup
 * variant above leaves most of its lanes idle and pays a barrier and a tree per channel).
 */
export const DEPTHWISE_BACKWARD_WEIGHT_LANES_WGSL = /* wgsl */ `
// x: [N, C, H, W], dy: [N, C, OH, OW], dw: [C, 1, K, K]
// dL/dw[c, 0, kh, kw] = sum_{n, oh, ow} dy[n, c, oh, ow] x[n, c, oh S + kh - pt, ow S + kw - pl]
// Lane l = c K + kh (l < C K) sums every item j = (n OH + oh) blocks + b (T outputs of one row) for its K sums
// dw[c, 0, kh, 0 .. K-1] and writes them.
${weightHeader('dw')}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let l = flat_index(gid, groups, WORKGROUP_SIZE);
  if (l >= p.C * K) { return; }
  let c = l / K;
  let kh = l % K;
  var acc: array<f32, 5>;
  for (var j = 0u; j < p.items; j++) {
    add_weight_item(j, c, kh, &acc);
  }
  for (var kw = 0u; kw < K; kw++) { dw[l * K + kw] = acc[kw]; }
}
`;
