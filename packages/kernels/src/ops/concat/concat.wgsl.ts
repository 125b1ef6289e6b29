import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

export const CONCAT_PARAMS = paramsStruct('Params', {
  count: d.u32,
  part: d.u32,
  whole: d.u32,
  start: d.u32,
  inner: d.u32,
});

/**
 * A tensor viewed as [outer, size, inner] around the concatenation axis (outer = Π sizes before it, inner = Π after).
 *   insert   x: [outer, part, inner] -> y: [outer, whole, inner], y[o, start + j, i] = x[o, j, i]  (one cat input)
 *   extract  y: [outer, whole, inner] -> x: [outer, part, inner], x[o, j, i] = y[o, start + j, i]  (torch.narrow;
 *            the gradient of one cat input)
 * One lane per element of the part.
 */
export const CONCAT_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${CONCAT_PARAMS.wgsl}

${bindingsWgsl(['src', output('dest')])}${FLAT_INDEX_WGSL}
fn in_whole(i: u32) -> u32 {
  let inner = i % params.inner;
  let j = (i / params.inner) % params.part;
  let outer = i / (params.inner * params.part);
  return (outer * params.whole + params.start + j) * params.inner + inner;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn insert(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  dest[in_whole(i)] = src[i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn extract(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  dest[i] = src[in_whole(i)];
}
`;
