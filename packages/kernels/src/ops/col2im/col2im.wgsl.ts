import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { CONV_GEOMETRY_FIELDS, FAST_DIVISION_WGSL } from '../conv2d/conv2d-geometry.js';

/** The convolution geometry (Cout, groups, Cig, Cog unused) and the flat range over x: count = N·C·H·W, start. */
export const COL2IM_PARAMS = paramsStruct('Params', { ...CONV_GEOMETRY_FIELDS, count: d.u32, start: d.u32 });

/**
 * The adjoint of im2col: cols [N, C·KH·KW, OH·OW] -> x [N, C, H, W],
 *   x[n, c, ih, iw] = sum over (kh, kw) with ih = oh sh + kh dh - pt, iw = ow sw + kw dw - pl, 0 <= oh < OH,
 *                     0 <= ow < OW of cols[n, (c KH + kh) KW + kw, oh OW + ow].
 * Each lane gathers its own pixels' at most KH·KW terms (no atomics); a tap reaches (ih, iw) only when sh divides
 * ih + pt - kh dh (and likewise along w).
 * main4: lane j writes x elements 4j .. 4j+3 (one row ih, four iw) as one vec4; needs W % 4 == 0. Indices through
 *        udiv (float32): j and the row index below 2^24.
 * main:  lane writes element e in [start, count) (any W).
 */
export const COL2IM_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${COL2IM_PARAMS.wgsl}

${bindingsWgsl(['cols', output('x', 'x4')], 'p')}${FLAT_INDEX_WGSL}${FAST_DIVISION_WGSL}
// The output index o with o s = t and o < extent, or -1 when t < 0, s does not divide t or o >= extent.
fn out_index(t: i32, s: u32, extent: u32) -> i32 {
  if (t < 0) { return -1; }
  let o = udiv(u32(t), s);
  if (o * s != u32(t) || o >= extent) { return -1; }
  return i32(o);
}

// cols[row_base + ow] for the tap whose column offset is t = iw + pl - kw dw (0 when it reaches no output).
fn tap(row_base: u32, t: i32) -> f32 {
  let ow = out_index(t, p.sw, p.OW);
  if (ow < 0) { return 0.0; }
  return cols[row_base + u32(ow)];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = flat_index(gid, groups, WORKGROUP_SIZE);
  if (j >= p.count / 4u) { return; }
  let per_row = p.W / 4u;
  let row = udiv(j, per_row);
  let plane = udiv(row, p.H);
  let ih = row - plane * p.H;
  let iw = (j - row * per_row) * 4u;
  var acc = vec4<f32>(0.0);
  for (var kh = 0u; kh < p.KH; kh++) {
    let oh = out_index(i32(ih + p.pt) - i32(kh * p.dh), p.sh, p.OH);
    if (oh < 0) { continue; }
    for (var kw = 0u; kw < p.KW; kw++) {
      let row_base = ((plane * p.KHW + kh * p.KW + kw) * p.OHW) + u32(oh) * p.OW;
      let t = i32(iw + p.pl) - i32(kw * p.dw);
      acc += vec4<f32>(tap(row_base, t), tap(row_base, t + 1), tap(row_base, t + 2), tap(row_base, t + 3));
    }
  }
  x4[j] = acc;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = p.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (e >= p.count) { return; }
  let row = e / p.W;
  let iw = e - row * p.W;
  let plane = row / p.H;
  let ih = row - plane * p.H;
  var acc = 0.0;
  for (var kh = 0u; kh < p.KH; kh++) {
    let oh = out_index(i32(ih + p.pt) - i32(kh * p.dh), p.sh, p.OH);
    if (oh < 0) { continue; }
    for (var kw = 0u; kw < p.KW; kw++) {
      acc += tap(((plane * p.KHW + kh * p.KW + kw) * p.OHW) + u32(oh) * p.OW, i32(iw + p.pl) - i32(kw * p.dw));
    }
  }
  x[e] = acc;
}
`;
