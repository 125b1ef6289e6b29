import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { BATCH_NORM_CHANNEL_PARAMS, CHANNEL_OFFSET_WGSL, CHANNEL_WALK_WGSL } from './batch-norm.wgsl.js';
import { workgroupReduceWgsl } from '../../wgsl/workgroup-reduce.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';

export const BATCH_NORM_GRAD_PARAMS_PARAMS = paramsStruct('Params', { chunks: d.u32, channels: d.u32 });
export const BATCH_NORM_GRAD_INPUT_PARAMS = paramsStruct('Params', {
  count: d.u32,
  hw: d.u32,
  channels: d.u32,
  n: d.f32,
  start: d.u32,
});

export const BATCH_NORM_GRAD_PARTIAL_WGSL = /* wgsl */ `
// dy, x: [N, C, H, W]; mean, invstd: [C] -> partial: [C, chunks] of (Σ dy, Σ dy·x̂) over chunk k of channel c,
// x̂ = (x − mean[c])·invstd[c]. Entry points as the forward's moments (batch-norm.wgsl.ts):
//   main:      workgroup (k, c), chunks of WORKGROUP_SIZE·PER_THREAD values, per-lane sums, then a tree
//   lane_runs: invocation g = c·chunks + k, chunks of RUN values walked alone, no barrier
override WORKGROUP_SIZE: u32 = 256u;
override PER_THREAD: u32 = 16u;
override RUN: u32 = 256u;

${BATCH_NORM_CHANNEL_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> invstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> partial: array<vec2<f32>>;

${workgroupReduceWgsl({ type: 'vec2<f32>', reusable: false })}${CHANNEL_OFFSET_WGSL}${CHANNEL_WALK_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let chunk = group.x;
  let c = group.y;
  let start = chunk * WORKGROUP_SIZE * PER_THREAD;
  let end = min(start + WORKGROUP_SIZE * PER_THREAD, params.count);
  let m = mean[c];
  let s = invstd[c];
  var acc = vec2<f32>(0.0);
  for (var k = 0u; k < PER_THREAD; k++) {
    let r = start + k * WORKGROUP_SIZE + lane;
    if (r < end) {
      let i = channel_offset(c, r);
      acc += vec2<f32>(dy[i], dy[i] * ((x[i] - m) * s));
    }
  }
  let total = workgroup_sum(lane, acc);
  if (lane == 0u) {
    partial[c * params.chunks + chunk] = total;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn lane_runs(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (g >= params.channels * params.chunks) { return; }
  let c = g / params.chunks;
  let k = g - c * params.chunks;
  let start = k * RUN;
  let length = min(RUN, params.count - start);
  let m = mean[c];
  let s = invstd[c];
  var w = walk_start(c, start);
  var acc = vec2<f32>(0.0);
  for (var i = 0u; i < length; i++) {
    let d = dy[w.offset];
    acc += vec2<f32>(d, d * ((x[w.offset] - m) * s));
    w = walk_next(w);
  }
  partial[g] = acc;
}
`;

export const BATCH_NORM_GRAD_PARAMS_WGSL = /* wgsl */ `
// partial: [C, chunks] of (Σ dy, Σ dy·x̂) -> dbias[c] = Σ_k partial[c, k].x = Σ dy, dweight[c] = Σ_k partial[c, k].y
// = Σ dy·x̂; main: one workgroup per channel, per-lane runs over k, then a tree; lane_channels: one invocation per
// channel summing its chunks in order, no barrier.
override WORKGROUP_SIZE: u32 = 64u;

${BATCH_NORM_GRAD_PARAMS_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partial: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbias: array<f32>;

${workgroupReduceWgsl({ type: 'vec2<f32>', reusable: false })}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let c = group.x;
  var acc = vec2<f32>(0.0);
  for (var k = lane; k < params.chunks; k += WORKGROUP_SIZE) {
    acc += partial[c * params.chunks + k];
  }
  let total = workgroup_sum(lane, acc);
  if (lane == 0u) {
    dbias[c] = total.x;
    dweight[c] = total.y;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn lane_channels(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= params.channels) { return; }
  var acc = vec2<f32>(0.0);
  for (var k = 0u; k < params.chunks; k++) {
    acc += partial[c * params.chunks + k];
  }
  dbias[c] = acc.x;
  dweight[c] = acc.y;
}
`;

export const BATCH_NORM_GRAD_INPUT_WGSL = /* wgsl */ `
// dy, x: [N, C, H, W]; mean, invstd, weight γ, dweight, dbias: [C] -> dx: [N, C, H, W], n = N·H·W:
//   dx = (dy − dβ/n − x̂·dγ/n)·invstd·γ,  x̂ = (x − mean)·invstd,  dβ = Σ dy,  dγ = Σ dy·x̂
// main4 (H·W a multiple of 4): lane v takes elements 4v .. 4v+3, one channel, through vec4<f32> views;
// main: lane takes element i in [start, count).
override WORKGROUP_SIZE: u32 = 256u;

${BATCH_NORM_GRAD_INPUT_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> invstd: array<f32>;
@group(0) @binding(5) var<storage, read> weight: array<f32>;
@group(0) @binding(6) var<storage, read> dweight: array<f32>;
@group(0) @binding(7) var<storage, read> dbias: array<f32>;
@group(0) @binding(8) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> dx4: array<vec4<f32>>;
${FLAT_INDEX_WGSL}
// Channel c's (mean, invstd, dβ/n, dγ/n) and invstd·γ.
struct Channel { mean: f32, s: f32, dbias_n: f32, dweight_n: f32, gain: f32 }

fn channel(c: u32) -> Channel {
  let s = invstd[c];
  return Channel(mean[c], s, dbias[c] / params.n, dweight[c] / params.n, s * weight[c]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let v = flat_index(gid, groups, WORKGROUP_SIZE);
  if (v >= params.count / 4u) { return; }
  let k = channel((4u * v / params.hw) % params.channels);
  let xhat = (x4[v] - k.mean) * k.s;
  dx4[v] = (dy4[v] - k.dbias_n - xhat * k.dweight_n) * k.gain;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = params.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let k = channel((i / params.hw) % params.channels);
  let xhat = (x[i] - k.mean) * k.s;
  dx[i] = (dy[i] - k.dbias_n - xhat * k.dweight_n) * k.gain;
}
`;
