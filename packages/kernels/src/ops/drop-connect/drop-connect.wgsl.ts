import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';
import { PCG_HASH_WGSL } from '../../wgsl/pcg.wgsl.js';

export const DROP_CONNECT_PARAMS = paramsStruct('Params', {
  count: d.u32,
  per_sample: d.u32,
  seed: d.u32,
  threshold: d.u32,
  keep_probability: d.f32,
  start: d.u32,
});
export const DROP_CONNECT_MASK_PARAMS = paramsStruct('Params', { count: d.u32, seed: d.u32, threshold: d.u32 });

/**
 * The per-sample keep decision, a counter-based generator: bits(seed, n) = pcg(n + pcg(seed)) with the PCG-RXS-M-XS
 * hash (wgsl/pcg.wgsl.ts); sample n is kept when its top 24 bits
 * are ≥ threshold = round(p·2^24), i.e. with probability 1 − p. Stateless: the backward recomputes the same mask.
 */
export const KEEP_WGSL = /* wgsl */ `${PCG_HASH_WGSL}
fn keep(seed: u32, sample: u32, threshold: u32) -> bool {
  return (pcg_hash(sample + pcg_hash(seed)) >> 8u) >= threshold;
}
`;

/** scaled(value, i): element i's value kept and scaled, or 0; scaled4: four elements from `first`, each by its own sample. */
const SCALED_WGSL = /* wgsl */ `${KEEP_WGSL}
fn scaled(value: f32, i: u32) -> f32 {
  return select(0.0, value / params.keep_probability, keep(params.seed, i / params.per_sample, params.threshold));
}

fn scaled4(value: vec4<f32>, first: u32) -> vec4<f32> {
  let samples = (vec4<u32>(first) + vec4<u32>(0u, 1u, 2u, 3u)) / params.per_sample;
  let kept = vec4<bool>(
    keep(params.seed, samples.x, params.threshold),
    keep(params.seed, samples.y, params.threshold),
    keep(params.seed, samples.z, params.threshold),
    keep(params.seed, samples.w, params.threshold),
  );
  return select(vec4<f32>(0.0), value / params.keep_probability, kept);
}
`;

// main4: lane v takes elements 4v .. 4v+3 through vec4<f32> views, v < count / 4 (runtime/flat), each element with
//   the keep decision of its own sample (4 elements may straddle two samples);
// main: lane takes element i in [start, count) (the tail after main4, or the whole range).
const DROP_CONNECT_HEADER = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${DROP_CONNECT_PARAMS.wgsl}
`;

export const DROP_CONNECT_WGSL = /* wgsl */ `
// x: [N, ...] viewed as [N, per_sample] -> y: same shape, y[n, j] = x[n, j] / (1 − p) if keep(seed, n) else 0.
// The backward is the same map applied to dy (it is linear in x with the same mask).
${DROP_CONNECT_HEADER}
${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, output('y', 'y4')],
  functions: SCALED_WGSL,
  vector: 'y4[v] = scaled4(x4[v], 4u * v);',
  scalar: 'y[i] = scaled(x[i], i);',
})}`;

export const DROP_CONNECT_ADD_WGSL = /* wgsl */ `
// dropConnectAdd: x, r: [N, ...] -> z = dropConnect(x) + r, the same map as DROP_CONNECT_WGSL plus a residual.
${DROP_CONNECT_HEADER}
${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, { name: 'r', view4: 'r4' }, output('z', 'z4')],
  functions: SCALED_WGSL,
  vector: 'z4[v] = scaled4(x4[v], 4u * v) + r4[v];',
  scalar: 'z[i] = scaled(x[i], i) + r[i];',
})}`;

export const DROP_CONNECT_MASK_WGSL = /* wgsl */ `
// -> mask: [N], mask[n] = 1 if keep(seed, n) else 0.
override WORKGROUP_SIZE: u32 = 256u;

${DROP_CONNECT_MASK_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> mask: array<f32>;
${FLAT_INDEX_WGSL}${KEEP_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let n = flat_index(gid, groups, WORKGROUP_SIZE);
  if (n >= params.count) { return; }
  mask[n] = select(0.0, 1.0, keep(params.seed, n, params.threshold));
}
`;
