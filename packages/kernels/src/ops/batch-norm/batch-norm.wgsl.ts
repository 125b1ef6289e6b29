import { d } from 'typegpu';
import { workgroupReduceWgsl } from '../../wgsl/workgroup-reduce.wgsl.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';
import { BATCH_NORM_CHANNEL_PARAMS, CHANNEL_OFFSET_WGSL, CHANNEL_WALK_WGSL, chunkEntryPointsWgsl, channelSumWgsl } from './batch-norm-channels.wgsl.js';

export const BATCH_NORM_STATS_PARAMS = paramsStruct('Params', {
  chunks: d.u32,
  count: d.u32,
  chunk_size: d.u32,
  eps: d.f32,
  momentum: d.f32,
  channels: d.u32,
});
export const BATCH_NORM_NORMALIZE_PARAMS = paramsStruct('Params', {
  count: d.u32,
  hw: d.u32,
  channels: d.u32,
  eps: d.f32,
  start: d.u32,
});
export const BATCH_NORM_FOLD_PARAMS = paramsStruct('Params', { channels: d.u32, eps: d.f32 });

export const BATCH_NORM_MOMENTS_WGSL = /* wgsl */ `
// x: [N, C, H, W] -> moments: [C, chunks] of (mean_k, M2_k), two passes over each chunk k of channel c,
// mean_k = Σ x / n_k, then M2_k = Σ (x − mean_k)². Entry points:
//   main:      workgroup (k, c), chunks of WORKGROUP_SIZE·PER_THREAD values, per-lane sums and a tree over the lanes
//   lane_runs: invocation g = c·chunks + k, chunks of RUN values walked alone (CHANNEL_WALK_WGSL), no barrier
override WORKGROUP_SIZE: u32 = 256u;
override PER_THREAD: u32 = 16u;
override RUN: u32 = 256u;

${BATCH_NORM_CHANNEL_PARAMS.wgsl}

${bindingsWgsl(['x', { name: 'moments', type: 'vec2<f32>', write: true }])}
${CHANNEL_OFFSET_WGSL}${CHANNEL_WALK_WGSL}${workgroupReduceWgsl()}
${chunkEntryPointsWgsl(
  /* wgsl */ `  var sum = 0.0;
  for (var k = 0u; k < PER_THREAD; k++) {
    let r = start + k * WORKGROUP_SIZE + lane;
    if (r < end) {
      sum += x[channel_offset(c, r)];
    }
  }
  let mean = workgroup_sum(lane, sum) / f32(end - start);
  var m2 = 0.0;
  for (var k = 0u; k < PER_THREAD; k++) {
    let r = start + k * WORKGROUP_SIZE + lane;
    if (r < end) {
      let d = x[channel_offset(c, r)] - mean;
      m2 += d * d;
    }
  }
  let total_m2 = workgroup_sum(lane, m2);
  if (lane == 0u) {
    moments[c * params.chunks + chunk] = vec2<f32>(mean, total_m2);
  }
`,
  /* wgsl */ `  let first = walk_start(c, start);
  var w = first;
  var sum = 0.0;
  for (var i = 0u; i < length; i++) {
    sum += x[w.offset];
    w = walk_next(w);
  }
  let mean = sum / f32(length);
  w = first;
  var m2 = 0.0;
  for (var i = 0u; i < length; i++) {
    let d = x[w.offset] - mean;
    m2 += d * d;
    w = walk_next(w);
  }
  moments[g] = vec2<f32>(mean, m2);
`,
)}`;

export const BATCH_NORM_STATS_WGSL = channelSumWgsl({
  header: `// moments: [C, chunks] of (mean_k, M2_k) over chunks of n_k values -> per channel c:
//   merged (n, mean, M2) by Chan et al.'s pairwise rule:
//     n = n_a + n_b, δ = mean_b − mean_a, mean = mean_a + δ·n_b/n, M2 = M2_a + M2_b + δ²·n_a·n_b/n
//   mean[c] = mean, invstd[c] = 1/sqrt(M2/n + eps)                  (biased variance normalises)
//   UPDATE_RUNNING: running_mean[c] = m·mean + (1 − m)·running_mean[c]
//                   running_var[c]  = m·M2/(n − 1) + (1 − m)·running_var[c]   (unbiased variance tracks)
//   COUNT_BATCH:    tracked[0] += 1 (num_batches_tracked, written by channel 0's invocation alone)`,
  overrides: 'override UPDATE_RUNNING: bool = true;\noverride COUNT_BATCH: bool = false;',
  params: BATCH_NORM_STATS_PARAMS,
  bindings: [{ name: 'moments', type: 'vec2<f32>' }, output('mean'), output('invstd'), output('running_mean'), output('running_var'), output('tracked')],
  accumulator: {
    type: 'vec3<f32>',
    value: 'chunk_stats(c, k)',
    combine: (a, b) => `merge(${a}, ${b})`,
    wgsl: /* wgsl */ `
fn merge(a: vec3<f32>, b: vec3<f32>) -> vec3<f32> {
  if (b.x == 0.0) { return a; }
  if (a.x == 0.0) { return b; }
  let n = a.x + b.x;
  let delta = b.y - a.y;
  let fraction = b.x / n;
  return vec3<f32>(n, a.y + delta * fraction, a.z + b.z + delta * delta * a.x * fraction);
}

// (n_k, mean_k, M2_k) of chunk k of channel c
fn chunk_stats(c: u32, k: u32) -> vec3<f32> {
  let chunk = moments[c * params.chunks + k];
  return vec3<f32>(f32(min(params.chunk_size, params.count - k * params.chunk_size)), chunk.x, chunk.y);
}
`,
  },
  finish: /* wgsl */ `
// The merged (n, mean, M2) of channel c -> its outputs.
fn finish(c: u32, total: vec3<f32>) {
  mean[c] = total.y;
  invstd[c] = 1.0 / sqrt(total.z / total.x + params.eps);
  if (UPDATE_RUNNING) {
    running_mean[c] = params.momentum * total.y + (1.0 - params.momentum) * running_mean[c];
    running_var[c] = params.momentum * (total.z / (total.x - 1.0)) + (1.0 - params.momentum) * running_var[c];
  }
  if (COUNT_BATCH && c == 0u) {
    tracked[0] = tracked[0] + 1.0;
  }
}
`,
});

export const BATCH_NORM_NORMALIZE_WGSL = /* wgsl */ `
// x: [N, C, H, W]; mean, stat, weight γ, bias β: [C] -> y: [N, C, H, W]
//   training (stat = invstd of the batch):   y = (x − mean[c])·(invstd[c]·γ[c]) + β[c]
//   EVAL (mean, stat = running mean, var):   y = (x − mean[c])·(γ[c]/sqrt(var[c] + eps)) + β[c]
// main4 (H·W a multiple of 4): lane v takes elements 4v .. 4v+3, one channel, through vec4<f32> views x4, y4;
// main: lane takes element i in [start, count).
override WORKGROUP_SIZE: u32 = 256u;
override EVAL: bool = false;

${BATCH_NORM_NORMALIZE_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, 'mean', 'stat', 'weight', 'bias', output('y', 'y4')],
  functions: /* wgsl */ `
// (scale, shift) of channel c: y = (x − mean)·scale + shift
fn channel(c: u32) -> vec3<f32> {
  var invstd = stat[c];
  if (EVAL) {
    invstd = 1.0 / sqrt(stat[c] + params.eps);
  }
  return vec3<f32>(mean[c], invstd * weight[c], bias[c]);
}
`,
  vector: `let k = channel((4u * v / params.hw) % params.channels);
  y4[v] = (x4[v] - k.x) * k.y + k.z;`,
  scalar: `let k = channel((i / params.hw) % params.channels);
  y[i] = (x[i] - k.x) * k.y + k.z;`,
})}`;

export const BATCH_NORM_FOLD_WGSL = /* wgsl */ `
// running_mean, running_var, weight γ, bias β: [C] -> scale, shift: [C] with eval BN = x·scale + shift:
//   scale = γ/sqrt(running_var + eps), shift = β − running_mean·scale   (PyTorch's own eval-mode form)
override WORKGROUP_SIZE: u32 = 64u;

${BATCH_NORM_FOLD_PARAMS.wgsl}

${bindingsWgsl(['running_mean', 'running_var', 'weight', 'bias', output('scale'), output('shift')])}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= params.channels) { return; }
  let alpha = (1.0 / sqrt(running_var[c] + params.eps)) * weight[c];
  scale[c] = alpha;
  shift[c] = bias[c] - running_mean[c] * alpha;
}
`;
