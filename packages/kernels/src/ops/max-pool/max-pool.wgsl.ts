import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';

export const MAX_POOL_PARAMS = paramsStruct('Params', {
  count: d.u32,
  in_h: d.u32,
  in_w: d.u32,
  out_h: d.u32,
  out_w: d.u32,
  kernel_h: d.u32,
  kernel_w: d.u32,
  stride_h: d.u32,
  stride_w: d.u32,
  pad_h: d.u32,
  pad_w: d.u32,
});

/**
 * Max pooling on planes (N·C of them), PyTorch `F.max_pool2d(..., return_indices=True)` with dilation 1 and floor
 * mode. Entry points:
 *   forward   x: [P, H, W] -> y: [P, OH, OW], index: [P, OH, OW]
 *     y[p, oy, ox] = max over (ky, kx) ∈ [0, KH) × [0, KW), taken in row-major order, of x[p, oy·SH − PH + ky, ox·SW − PW + kx];
 *     positions outside the plane are −∞ (never win); on ties the first maximum wins (strict >).
 *     index = iy·W + ix of the winner within its plane, an integer held exactly in f32 (H·W < 2^24).
 *   backward  dy, index: [P, OH, OW] -> dx: [P, H, W]
 *     dx[p, iy, ix] = Σ dy[p, oy, ox] over the windows (oy, ox) that contain (iy, ix) and whose index is iy·W + ix:
 *     oy ∈ [⌈(iy + PH − KH + 1)/SH⌉, ⌊(iy + PH)/SH⌋] ∩ [0, OH), likewise ox (a gather, no atomics).
 */
export const MAX_POOL_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${MAX_POOL_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> index: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> winner: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let ox = i % params.out_w;
  let oy = (i / params.out_w) % params.out_h;
  let p = i / (params.out_w * params.out_h);
  let plane = p * params.in_h * params.in_w;
  let top = i32(oy * params.stride_h) - i32(params.pad_h);
  let left = i32(ox * params.stride_w) - i32(params.pad_w);
  var best = 0.0;
  var best_index = -1;
  for (var ky = 0u; ky < params.kernel_h; ky++) {
    let iy = top + i32(ky);
    if (iy < 0 || iy >= i32(params.in_h)) { continue; }
    for (var kx = 0u; kx < params.kernel_w; kx++) {
      let ix = left + i32(kx);
      if (ix < 0 || ix >= i32(params.in_w)) { continue; }
      let at = iy * i32(params.in_w) + ix;
      let v = x[plane + u32(at)];
      if (best_index < 0 || v > best) {
        best = v;
        best_index = at;
      }
    }
  }
  y[i] = best;
  index[i] = f32(best_index);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let ix = i32(i % params.in_w);
  let iy = i32((i / params.in_w) % params.in_h);
  let p = i / (params.in_w * params.in_h);
  let here = f32(iy * i32(params.in_w) + ix);
  // Windows holding iy: oy ∈ [⌈a/SH⌉, ⌊(iy + PH)/SH⌋] with a = iy + PH − KH + 1 (⌈a/SH⌉ ≤ 0 when a ≤ 0).
  let sh = i32(params.stride_h);
  let sw = i32(params.stride_w);
  let ay = iy + i32(params.pad_h) - i32(params.kernel_h) + 1;
  let ax = ix + i32(params.pad_w) - i32(params.kernel_w) + 1;
  let y_first = select(0, (ay + sh - 1) / sh, ay > 0);
  let y_last = min((iy + i32(params.pad_h)) / sh, i32(params.out_h) - 1);
  let x_first = select(0, (ax + sw - 1) / sw, ax > 0);
  let x_last = min((ix + i32(params.pad_w)) / sw, i32(params.out_w) - 1);
  var total = 0.0;
  for (var oy = y_first; oy <= y_last; oy++) {
    let row = (p * params.out_h + u32(oy)) * params.out_w;
    for (var ox = x_first; ox <= x_last; ox++) {
      if (winner[row + u32(ox)] == here) { total += dy[row + u32(ox)]; }
    }
  }
  dx[i] = total;
}
`;
