import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

export const FLIP_PARAMS = paramsStruct('Params', { count: d.u32, height: d.u32, width: d.u32 });

/**
 * flip    x: [P, H, W] -> y: [P, H, W], y[p, h, w] = x[p, FLIP_V ? H-1-h : h, FLIP_H ? W-1-w : w]
 *         (h-flip, v-flip, rot180 = both); each is a permutation that is its own inverse and its own adjoint.
 * gray    x: [N, 3, H, W] -> y: [N, 1, H, W], y = 0.2989 R + 0.587 G + 0.114 B
 */
export const FLIP_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;
override FLIP_H: bool = false;
override FLIP_V: bool = false;

${FLIP_PARAMS.wgsl}

${bindingsWgsl(['x', output('y')])}${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn flip(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let w = i % params.width;
  let h = (i / params.width) % params.height;
  let plane = i - h * params.width - w;
  let sh = select(h, params.height - 1u - h, FLIP_V);
  let sw = select(w, params.width - 1u - w, FLIP_H);
  y[i] = x[plane + sh * params.width + sw];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gray(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let plane = params.height * params.width;
  let pixel = i % plane;
  let base = (i / plane) * 3u * plane + pixel;
  y[i] = 0.2989 * x[base] + 0.587 * x[base + plane] + 0.114 * x[base + 2u * plane];
}
`;
