import { d } from 'typegpu';
import { FLAT_PARAMS } from '../../runtime/flat.js';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';

export const FILL_PARAMS = paramsStruct('Params', { count: d.u32, bits: d.u32, start: d.u32 });

// Words are moved as u32 so that every bit pattern, NaN payloads included, arrives unchanged.
// main4: lane v takes words 4v .. 4v+3 through a vec4<u32> view, v < count / 4 (runtime/flat);
// main:  lane takes word i in [start, count) (the tail after main4, or the whole range).
export const FILL_WGSL = /* wgsl */ `
// out: [count] u32 words; out[i] = bits.
override WORKGROUP_SIZE: u32 = 256u;

${FILL_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<storage, read_write> out4: array<vec4<u32>>;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let v = flat_index(gid, groups, WORKGROUP_SIZE);
  if (v >= params.count / 4u) { return; }
  out4[v] = vec4<u32>(params.bits);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = params.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  out[i] = params.bits;
}
`;

export const COPY_WGSL = /* wgsl */ `
// source: [count] -> destination: [count], bit-exact.
override WORKGROUP_SIZE: u32 = 256u;

${FLAT_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> source: array<u32>;
@group(0) @binding(2) var<storage, read_write> destination: array<u32>;
@group(0) @binding(1) var<storage, read> source4: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> destination4: array<vec4<u32>>;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let v = flat_index(gid, groups, WORKGROUP_SIZE);
  if (v >= params.count / 4u) { return; }
  destination4[v] = source4[v];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = params.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  destination[i] = source[i];
}
`;
