import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

export const TILE_PARAMS = paramsStruct('Params', { count: d.u32, height: d.u32, width: d.u32, cols: d.u32 });

/**
 * x: [R·C, 1, H, W] -> y: [1, 1, R·H, C·W], tiles in row-major order:
 * y[0, 0, r·H + h, c·W + w] = x[r·C + c, 0, h, w].
 */
export const TILE_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${TILE_PARAMS.wgsl}

${bindingsWgsl(['x', output('y')])}${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let row_width = params.cols * params.width;
  let gy = i / row_width;
  let gx = i - gy * row_width;
  let tile = (gy / params.height) * params.cols + gx / params.width;
  let h = gy % params.height;
  let w = gx % params.width;
  y[i] = x[(tile * params.height + h) * params.width + w];
}
`;
