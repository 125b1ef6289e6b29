import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { CONV_GEOMETRY_FIELDS, FAST_DIVISION_WGSL } from '../conv2d/conv2d-geometry.js';

/** The convolution geometry (Cout, groups, Cig, Cog unused) and the flat range: count = N·C·KH·KW·OH·OW, start. */
export const IM2COL_PARAMS = paramsStruct('Params', { ...CONV_GEOMETRY_FIELDS, count: d.u32, start: d.u32 });

/**
 * x: [N, C, H, W] -> cols: [N, C·KH·KW, OH·OW],
 *   cols[n, (c KH + kh) KW + kw, oh OW + ow] = x[n, c, oh sh + kh dh - pt, ow sw + kw dw - pl]   (0 outside x).
 * Row r = n C KHW + k of cols holds one tap (c, kh, kw) of image n; its columns are the output pixels.
 * main4: lane j writes cols elements 4j .. 4j+3 as one vec4; needs OH·OW % 4 == 0 (the four share the row r and
 *        walk along ow, wrapping to the next oh). Indices go through udiv (float32): j and the row r below 2^24.
 * main:  lane writes element e in [start, count) (any OH·OW).
 */
export const IM2COL_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${IM2COL_PARAMS.wgsl}

${bindingsWgsl(['x', output('cols', 'cols4')], 'p')}${FLAT_INDEX_WGSL}${FAST_DIVISION_WGSL}
// Row r = n C KHW + (c KH + kh) KW + kw: (offset of the plane x[n, c], kh dh - pt, kw dw - pl).
fn row_origin(r: u32) -> vec3<i32> {
  let plane = udiv(r, p.KHW);
  let t = r - plane * p.KHW;
  let kh = udiv(t, p.KW);
  let kw = t - kh * p.KW;
  return vec3<i32>(i32(plane * p.H * p.W), i32(kh * p.dh) - i32(p.pt), i32(kw * p.dw) - i32(p.pl));
}

fn sample(origin: vec3<i32>, oh: u32, ow: u32) -> f32 {
  let ih = i32(oh * p.sh) + origin.y;
  let iw = i32(ow * p.sw) + origin.z;
  if (ih < 0 || iw < 0 || ih >= i32(p.H) || iw >= i32(p.W)) { return 0.0; }
  return x[u32(origin.x + ih * i32(p.W) + iw)];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = flat_index(gid, groups, WORKGROUP_SIZE);
  if (j >= p.count / 4u) { return; }
  let per_row = p.OHW / 4u;
  let r = udiv(j, per_row);
  let origin = row_origin(r);
  let q = (j - r * per_row) * 4u;
  var oh = udiv(q, p.OW);
  var ow = q - oh * p.OW;
  var v: vec4<f32>;
  v.x = sample(origin, oh, ow);
  ow = ow + 1u;
  if (ow == p.OW) { ow = 0u; oh = oh + 1u; }
  v.y = sample(origin, oh, ow);
  ow = ow + 1u;
  if (ow == p.OW) { ow = 0u; oh = oh + 1u; }
  v.z = sample(origin, oh, ow);
  ow = ow + 1u;
  if (ow == p.OW) { ow = 0u; oh = oh + 1u; }
  v.w = sample(origin, oh, ow);
  cols4[j] = v;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = p.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (e >= p.count) { return; }
  let r = e / p.OHW;
  let q = e - r * p.OHW;
  let oh = udiv(q, p.OW);
  cols[e] = sample(row_origin(r), oh, q - oh * p.OW);
}
`;
