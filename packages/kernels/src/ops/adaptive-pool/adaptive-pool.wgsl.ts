import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

export const ADAPTIVE_POOL_PARAMS = paramsStruct('Params', {
  count: d.u32,
  in_h: d.u32,
  in_w: d.u32,
  out_h: d.u32,
  out_w: d.u32,
});

/**
 * Adaptive average pooling on planes (N·C of them), PyTorch `F.adaptive_avg_pool2d(x, (OH, OW))`. Along an axis of
 * length n pooled to o, window k covers [⌊k·n/o⌋, ⌈(k+1)·n/o⌉) (windows may overlap when o does not divide n).
 *   forward   x: [P, H, W] -> y: [P, OH, OW], y[p, k, l] = Σ_window x / |window|
 *   backward  dy: [P, OH, OW] -> dx: [P, H, W], dx[p, i, j] = Σ_{windows (k, l) ∋ (i, j)} dy[p, k, l] / |window(k, l)|
 *             where the windows holding i are k ∈ [⌊i·o/n⌋, ⌊((i+1)·o − 1)/n⌋] (a gather, no atomics).
 */
export const ADAPTIVE_POOL_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${ADAPTIVE_POOL_PARAMS.wgsl}

${bindingsWgsl(['src', output('dest')])}${FLAT_INDEX_WGSL}
fn window_start(k: u32, n: u32, o: u32) -> u32 { return (k * n) / o; }
fn window_end(k: u32, n: u32, o: u32) -> u32 { return ((k + 1u) * n + o - 1u) / o; }

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let l = i % params.out_w;
  let k = (i / params.out_w) % params.out_h;
  let p = i / (params.out_w * params.out_h);
  let y0 = window_start(k, params.in_h, params.out_h);
  let y1 = window_end(k, params.in_h, params.out_h);
  let x0 = window_start(l, params.in_w, params.out_w);
  let x1 = window_end(l, params.in_w, params.out_w);
  var total = 0.0;
  for (var iy = y0; iy < y1; iy++) {
    let row = (p * params.in_h + iy) * params.in_w;
    for (var ix = x0; ix < x1; ix++) { total += src[row + ix]; }
  }
  dest[i] = total / f32((y1 - y0) * (x1 - x0));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let ix = i % params.in_w;
  let iy = (i / params.in_w) % params.in_h;
  let p = i / (params.in_w * params.in_h);
  let k0 = (iy * params.out_h) / params.in_h;
  let k1 = ((iy + 1u) * params.out_h - 1u) / params.in_h;
  let l0 = (ix * params.out_w) / params.in_w;
  let l1 = ((ix + 1u) * params.out_w - 1u) / params.in_w;
  var total = 0.0;
  for (var k = k0; k <= k1; k++) {
    let rows = window_end(k, params.in_h, params.out_h) - window_start(k, params.in_h, params.out_h);
    for (var l = l0; l <= l1; l++) {
      let cols = window_end(l, params.in_w, params.out_w) - window_start(l, params.in_w, params.out_w);
      total += src[(p * params.out_h + k) * params.out_w + l] / f32(rows * cols);
    }
  }
  dest[i] = total;
}
`;
