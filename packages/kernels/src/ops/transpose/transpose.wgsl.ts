import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';

export const TRANSPOSE_PARAMS = paramsStruct('Params', {
  count: d.u32,
  start: d.u32,
  outer: d.u32,
  middle: d.u32,
  inner: d.u32,
});

/**
 * x: [outer, middle, inner] -> y: [middle, outer, inner], y[b, a, i] = x[a, b, i] (torch.transpose(x, 0, 1) of the
 * 3-D view, made contiguous). Output element e = (b outer + a) inner + i.
 * main4: lane j takes y elements 4j .. 4j+3 through vec4 views; needs inner % 4 == 0 (the four share (a, b), and the
 *        source run x[a, b, i .. i+3] is 16-byte aligned).
 * main:  lane takes y element e in [start, count).
 */
export const TRANSPOSE_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${TRANSPOSE_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y4: array<vec4<f32>>;
${FLAT_INDEX_WGSL}
fn source_index(e: u32) -> u32 {
  let i = e % params.inner;
  let rest = e / params.inner;
  let a = rest % params.outer;
  let b = rest / params.outer;
  return (a * params.middle + b) * params.inner + i;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = flat_index(gid, groups, WORKGROUP_SIZE);
  if (j >= params.count / 4u) { return; }
  y4[j] = x4[source_index(4u * j) / 4u];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = params.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (e >= params.count) { return; }
  y[e] = x[source_index(e)];
}
`;
