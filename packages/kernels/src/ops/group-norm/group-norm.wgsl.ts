import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output, type BindingEntry } from '../../wgsl/bindings.wgsl.js';
import { workgroupReduceWgsl, workgroupRowMainWgsl } from '../../wgsl/workgroup-reduce.wgsl.js';

export const GROUP_NORM_PARAMS = paramsStruct('Params', {
  count: d.u32,
  channels: d.u32,
  groups: d.u32,
  hw: d.u32,
  group_size: d.u32,
  batch: d.u32,
  eps: d.f32,
});

/**
 * Group normalisation (Wu & He, https://arxiv.org/abs/1803.08494), PyTorch `F.group_norm(x, G, γ, β, eps)`.
 * x: [N, C, HW] with C = G·Cg; group (n, g) is the contiguous block of M = Cg·HW values x[n, g·Cg : (g+1)·Cg, :].
 *   μ = Σ x / M, σ² = Σ (x − μ)² / M (biased), r = 1/√(σ² + eps), x̂ = (x − μ)·r, y = γ_c·x̂ + β_c.
 * Backward, with g_c = dy·γ_c summed per group: a = Σ dy·γ_c, b = Σ dy·γ_c·x̂,
 *   dx = r·(dy·γ_c − a/M − x̂·b/M),  dγ_c = Σ_{n, hw} dy·x̂,  dβ_c = Σ_{n, hw} dy.
 * stats: [N·G, 2] = (μ, r). Reductions: one 64-lane workgroup per group (or per channel for dγ, dβ), lane-strided
 * partial sums then a tree.
 */
const COMMON = /* wgsl */ `
const LANES: u32 = 64u;

${GROUP_NORM_PARAMS.wgsl}
`;

/** Functions after the bindings (they read `params`). */
const FUNCTIONS = /* wgsl */ `
// workgroup_sum(lane, value): Σ over the workgroup's lanes of value (both components), returned to every lane.
${workgroupReduceWgsl({ type: 'vec2<f32>', lanes: 'LANES' })}
fn channel_of(i: u32) -> u32 { return (i / params.hw) % params.channels; }

// Statistics row of the group holding element i.
fn group_of(i: u32) -> u32 {
  let n = i / (params.hw * params.channels);
  return n * params.groups + channel_of(i) / (params.channels / params.groups);
}
`;

/**
 * A reduction pass: one 64-lane workgroup per row `index` (a group, or a channel) of a folded grid, rows ≥ count
 * return; `body` runs with lane, index and the bindings.
 */
const perRowWgsl = (bindings: readonly BindingEntry[], index: string, body: string): string => /* wgsl */ `${COMMON}
${bindingsWgsl(bindings)}${FUNCTIONS}
${workgroupRowMainWgsl(index, `if (${index} >= params.count) { return; }
  ${body.trim()}`, 'LANES')}`;

/** An element pass: one lane per element i < count, with s = the statistics row of its group; `body` writes it. */
const perElementWgsl = (bindings: readonly BindingEntry[], body: string): string => /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;
${COMMON}
${bindingsWgsl(bindings)}${FUNCTIONS}${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let s = group_of(i);
  ${body.trim()}
}
`;

export const GROUP_NORM_STATS_WGSL = perRowWgsl(['x', output('stats')], 'group', /* wgsl */ `
  let base = group * params.group_size;
  var sum = 0.0;
  for (var j = lane; j < params.group_size; j += LANES) { sum += x[base + j]; }
  let mean = workgroup_sum(lane, vec2<f32>(sum, 0.0)).x / f32(params.group_size);
  var squares = 0.0;
  for (var j = lane; j < params.group_size; j += LANES) {
    let d = x[base + j] - mean;
    squares += d * d;
  }
  let variance = workgroup_sum(lane, vec2<f32>(squares, 0.0)).x / f32(params.group_size);
  if (lane == 0u) {
    stats[2u * group] = mean;
    stats[2u * group + 1u] = 1.0 / sqrt(variance + params.eps);
  }`);

export const GROUP_NORM_NORMALIZE_WGSL = perElementWgsl(['x', 'stats', 'weight', 'bias', output('y')], /* wgsl */ `
  let c = channel_of(i);
  y[i] = (x[i] - stats[2u * s]) * stats[2u * s + 1u] * weight[c] + bias[c];`);

/** sums[group] = (Σ dy·γ_c, Σ dy·γ_c·x̂) over the group. */
export const GROUP_NORM_BACKWARD_STATS_WGSL = perRowWgsl(['dy', 'x', 'stats', 'weight', output('sums')], 'group', /* wgsl */ `
  let base = group * params.group_size;
  let mean = stats[2u * group];
  let r = stats[2u * group + 1u];
  var sum = vec2<f32>(0.0);
  for (var j = lane; j < params.group_size; j += LANES) {
    let g = dy[base + j] * weight[channel_of(base + j)];
    sum += vec2<f32>(g, g * (x[base + j] - mean) * r);
  }
  let total = workgroup_sum(lane, sum);
  if (lane == 0u) {
    sums[2u * group] = total.x;
    sums[2u * group + 1u] = total.y;
  }`);

export const GROUP_NORM_BACKWARD_INPUT_WGSL = perElementWgsl(['dy', 'x', 'stats', 'weight', 'sums', output('dx')], /* wgsl */ `
  let r = stats[2u * s + 1u];
  let normalized = (x[i] - stats[2u * s]) * r;
  let m = f32(params.group_size);
  dx[i] = r * (dy[i] * weight[channel_of(i)] - sums[2u * s] / m - normalized * (sums[2u * s + 1u] / m));`);

/** One workgroup per channel c (count = C): dγ_c = Σ_{n, hw} dy·x̂, dβ_c = Σ_{n, hw} dy. */
export const GROUP_NORM_AFFINE_GRAD_WGSL = perRowWgsl(['dy', 'x', 'stats', output('dweight'), output('dbias')], 'c', /* wgsl */ `
  var sum = vec2<f32>(0.0);
  for (var t = lane; t < params.batch * params.hw; t += LANES) {
    let n = t / params.hw;
    let i = (n * params.channels + c) * params.hw + t % params.hw;
    let s = group_of(i);
    let g = dy[i];
    sum += vec2<f32>(g * (x[i] - stats[2u * s]) * stats[2u * s + 1u], g);
  }
  let total = workgroup_sum(lane, sum);
  if (lane == 0u) {
    dweight[c] = total.x;
    dbias[c] = total.y;
  }`);
