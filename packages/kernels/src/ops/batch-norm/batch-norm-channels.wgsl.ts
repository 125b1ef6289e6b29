/**
 * The per-channel passes of batch norm's training kernels, as templates: a partial-sum pass over chunks of each
 * channel (the backward's, with batch-norm-activation's), and a pass over each channel's chunks (the forward's
 * statistics, the backward's parameter gradients), each with a workgroup-tree entry point and a lane-serial one for
 * the CPU adapters; the kernels give the terms, the merge and the finish step.
 */
import { d } from 'typegpu';
import { paramsStruct, type ParamsWith } from '../../runtime/params.js';
import { bindingsWgsl, type BindingEntry } from '../../wgsl/bindings.wgsl.js';
import { workgroupReduceWgsl } from '../../wgsl/workgroup-reduce.wgsl.js';

/** Per-channel sums: `channels` channels of `count` = N·H·W values (rows of `hw`), in `chunks` chunks (forward moments, backward partials). */
export const BATCH_NORM_CHANNEL_PARAMS = paramsStruct('Params', {
  channels: d.u32,
  hw: d.u32,
  count: d.u32,
  chunks: d.u32,
});

/** A pass over each channel's chunks: `chunks` chunks per channel, `channels` channels. */
export const CHANNEL_SUM_FIELDS = { chunks: d.u32, channels: d.u32 };

/**
 * Channel c of x: [N, C, H, W] as a run of n = N·H·W values; its r-th value (r = b·HW + s, s = h·W + w) is at
 * (b·C + c)·HW + s. A chunk is CHUNK = WORKGROUP_SIZE·PER_THREAD consecutive r of one channel.
 */
export const CHANNEL_OFFSET_WGSL = /* wgsl */ `
fn channel_offset(c: u32, r: u32) -> u32 {
  let b = r / params.hw;
  return (b * params.channels + c) * params.hw + (r - b * params.hw);
}
`;

/**
 * Lane-serial form for the CPU adapters, where a workgroup barrier is a switch between coroutines: one invocation
 * per (channel, run) walks its RUN consecutive values alone, with no workgroup memory and no barrier. The index
 * (b, s) of r = b·HW + s advances by one per value, so there is no division in the loop.
 */
export const CHANNEL_WALK_WGSL = /* wgsl */ `
// Offset of value r of channel c (see channel_offset), and the (offset, s) after it.
struct Walk { offset: u32, s: u32 }

fn walk_start(c: u32, r: u32) -> Walk {
  let b = r / params.hw;
  let s = r - b * params.hw;
  return Walk((b * params.channels + c) * params.hw + s, s);
}

fn walk_next(w: Walk) -> Walk {
  if (w.s + 1u == params.hw) {
    return Walk(w.offset + 1u + (params.channels - 1u) * params.hw, 0u);
  }
  return Walk(w.offset + 1u, w.s + 1u);
}
`;

/**
 * The two entry points over the chunks of every channel, with their prologue; the bodies go on from there.
 *   main:      workgroup (chunk, c), the chunk's values r in [start, end) (WORKGROUP_SIZE·PER_THREAD of them)
 *   lane_runs: invocation g = c·chunks + chunk, the chunk's `length` values from r = start (RUN of them)
 */
export function chunkEntryPointsWgsl(main: string, laneRuns: string): string {
  return /* wgsl */ `
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let chunk = group.x;
  let c = group.y;
  let start = chunk * WORKGROUP_SIZE * PER_THREAD;
  let end = min(start + WORKGROUP_SIZE * PER_THREAD, params.count);
${main}}

@compute @workgroup_size(WORKGROUP_SIZE)
fn lane_runs(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (g >= params.channels * params.chunks) { return; }
  let c = g / params.chunks;
  let chunk = g - c * params.chunks;
  let start = chunk * RUN;
  let length = min(RUN, params.count - start);
${laneRuns}}
`;
}

/** A per-channel partial-sum pass of a batch norm backward (the hooks of channelPartialWgsl). */
export interface ChannelPartialHooks {
  /** Comment lines (`// …`): the inputs and the two sums. */
  readonly header: string;
  /** Extra `override` declarations (e.g. the activation). */
  readonly overrides?: string;
  /** The per-channel inputs bound after dy and x, read-only [C]. */
  readonly channelInputs: readonly string[];
  /** WGSL type and expression (in c) of the per-channel constants `k` that `terms` takes. */
  readonly channel: { readonly type: string; readonly value: string };
  /** WGSL defining fn terms(d: f32, v: f32, k) -> vec2<f32>: the two summands of one value v of x with dy = d. */
  readonly terms: string;
}

/**
 * dy, x: [N, C, H, W] and per-channel inputs -> partial: [C, chunks] of Σ terms over chunk k of channel c. Entry points
 * as the forward's moments (batch-norm.wgsl.ts):
 *   main:      workgroup (k, c), chunks of WORKGROUP_SIZE·PER_THREAD values, per-lane sums, then a tree
 *   lane_runs: invocation g = c·chunks + k, chunks of RUN values walked alone, no barrier
 */
export function channelPartialWgsl(hooks: ChannelPartialHooks): string {
  const storage: BindingEntry[] = ['dy', 'x', ...hooks.channelInputs, { name: 'partial', type: 'vec2<f32>', write: true }];
  return /* wgsl */ `
${hooks.header}
override WORKGROUP_SIZE: u32 = 256u;
override PER_THREAD: u32 = 16u;
override RUN: u32 = 256u;
${hooks.overrides ?? ''}
${BATCH_NORM_CHANNEL_PARAMS.wgsl}

${bindingsWgsl(storage)}
${workgroupReduceWgsl({ type: 'vec2<f32>', reusable: false })}${CHANNEL_OFFSET_WGSL}${CHANNEL_WALK_WGSL}${hooks.terms}
${chunkEntryPointsWgsl(
    /* wgsl */ `  let k: ${hooks.channel.type} = ${hooks.channel.value};
  var acc = vec2<f32>(0.0);
  for (var j = 0u; j < PER_THREAD; j++) {
    let r = start + j * WORKGROUP_SIZE + lane;
    if (r < end) {
      let i = channel_offset(c, r);
      acc += terms(dy[i], x[i], k);
    }
  }
  let total = workgroup_sum(lane, acc);
  if (lane == 0u) {
    partial[c * params.chunks + chunk] = total;
  }
`,
    /* wgsl */ `  let k: ${hooks.channel.type} = ${hooks.channel.value};
  var w = walk_start(c, start);
  var acc = vec2<f32>(0.0);
  for (var i = 0u; i < length; i++) {
    acc += terms(dy[w.offset], x[w.offset], k);
    w = walk_next(w);
  }
  partial[g] = acc;
`,
  )}`;
}

/**
 * How a pass over each channel's chunks accumulates them: `type` of the accumulator (zero to start), WGSL `value` of
 * chunk k of channel c and `combine` of two accumulators; `wgsl` declares what they use. The default sums vec2
 * partials: partial[c·chunks + k], a + b.
 */
export interface ChunkAccumulator {
  readonly type: string;
  readonly value: string;
  readonly combine: (a: string, b: string) => string;
  readonly wgsl?: string;
}

const SUM_PARTIALS: ChunkAccumulator = { type: 'vec2<f32>', value: 'partial[c * params.chunks + k]', combine: (a, b) => `${a} + ${b}` };

/** A pass over each channel's chunks (the hooks of channelSumWgsl). */
export interface ChannelSumHooks {
  /** Comment lines (`// …`): the inputs and outputs. */
  readonly header: string;
  /** Extra `override` declarations. */
  readonly overrides?: string;
  /** Its Params (at least `chunks` and `channels`). */
  readonly params: ParamsWith<typeof CHANNEL_SUM_FIELDS>;
  /** Every storage binding, in dispatch order (default accumulator: the first is partial, array<vec2<f32>>). */
  readonly bindings: readonly BindingEntry[];
  /** Default SUM_PARTIALS. */
  readonly accumulator?: ChunkAccumulator;
  /** WGSL defining fn finish(c: u32, total): channel c's outputs from its accumulated chunks. */
  readonly finish: string;
}

/**
 * finish(c, chunk 0 ∘ chunk 1 ∘ … of channel c) per channel c. main: one workgroup per channel, per-lane runs over the
 * chunks (lane l takes k = l, l + WORKGROUP_SIZE, …), then a tree; lane_channels: one invocation per channel
 * combining its chunks in order, no barrier.
 */
export function channelSumWgsl(hooks: ChannelSumHooks): string {
  const { type, value, combine, wgsl = '' } = hooks.accumulator ?? SUM_PARTIALS;
  return /* wgsl */ `
${hooks.header}
override WORKGROUP_SIZE: u32 = 64u;
${hooks.overrides ?? ''}
${hooks.params.wgsl}

${bindingsWgsl(hooks.bindings)}${wgsl}${hooks.finish}
${workgroupReduceWgsl({ name: 'workgroup_combine', type, combine, reusable: false })}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let c = group.x;
  var acc = ${type}(0.0);
  for (var k = lane; k < params.chunks; k += WORKGROUP_SIZE) {
    acc = ${combine('acc', value)};
  }
  let total = workgroup_combine(lane, acc);
  if (lane == 0u) {
    finish(c, total);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn lane_channels(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= params.channels) { return; }
  var acc = ${type}(0.0);
  for (var k = 0u; k < params.chunks; k++) {
    acc = ${combine('acc', value)};
  }
  finish(c, acc);
}
`;
}
