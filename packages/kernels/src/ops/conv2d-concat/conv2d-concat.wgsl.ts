import { d } from 'typegpu';
import { EPILOGUE_WGSL } from '../gemm/gemm-core.wgsl.js';
import { CONV_GEOMETRY_FIELDS, FAST_DIVISION_WGSL } from '../conv2d/conv2d-geometry.js';
import { paramsStruct } from '../../runtime/params.js';

export const CONV2D_CONCAT_PARAMS = paramsStruct('Params', { ...CONV_GEOMETRY_FIELDS, flags: d.u32, C1: d.u32 });
export const CONV2D_CONCAT_INPUT_PARAMS = paramsStruct('Params', {
  ...CONV_GEOMETRY_FIELDS,
  phases: d.u32,
  step_h: d.u32,
  step_w: d.u32,
  C1: d.u32,
  rows: d.arrayOf(d.vec4u, 8),
  cols: d.arrayOf(d.vec4u, 8),
});
export const CONV2D_CONCAT_WEIGHT_PARAMS = paramsStruct('Params', {
  ...CONV_GEOMETRY_FIELDS,
  splits: d.u32,
  k_chunk: d.u32,
  k_total: d.u32,
  C1: d.u32,
});

/**
 * conv2d whose input is the channel concatenation of two tensors, read in place: x = cat([xa, xb], channels) with
 * xa [N, C1, H, W] and xb [N, C - C1, H, W], channel c of x being xa[:, c] for c < C1 and xb[:, c - C1] after.
 * The three headers are conv2d's implicit GEMMs (forward, phase-decomposed input gradient, chunked weight gradient;
 * ../conv2d) with every read of x (and, for the input gradient, every write of dx) routed to the tensor that holds the
 * channel. Ungrouped only (groups = 1, Cig = C). Each header is followed by the tiled GEMM core.
 */
const SPLIT_INPUT_WGSL = /* wgsl */ `
// x[n, c, ih, iw] of the concatenation, (ih, iw) in range.
fn read_x(image: u32, c: u32, ih: u32, iw: u32) -> f32 {
  if (c < p.C1) { return xa[((image * p.C1 + c) * p.H + ih) * p.W + iw]; }
  return xb[((image * (p.C - p.C1) + c - p.C1) * p.H + ih) * p.W + iw];
}
`;

export const CONV2D_CONCAT_HEADER_WGSL = /* wgsl */ `
// xa: [N, C1, H, W], xb: [N, C - C1, H, W], w: [Cout, C, KH, KW], y: [N, Cout, OH, OW].
// Entry z = n is the GEMM  Y[co, p] = sum_k W[co, k] X[k, p],  p = oh OW + ow, k = (c KH + kh) KW + kw,
// X[k, p] = x[n, c, oh sh + kh dh - pt, ow sw + kw dw - pl] (0 outside); y[n, co, p] = act(scale[co] Y + shift[co]).
${CONV2D_CONCAT_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xa: array<f32>;
@group(0) @binding(2) var<storage, read> xb: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> scale: array<f32>;
@group(0) @binding(5) var<storage, read> shift: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
${EPILOGUE_WGSL}${FAST_DIVISION_WGSL}${SPLIT_INPUT_WGSL}
fn a_k_fast() -> bool { return true; }
fn b_k_fast() -> bool { return false; }
fn load_a4(z: u32, m: u32, k: u32) -> vec4<f32> { return vec4<f32>(0.0); }
fn load_b4(z: u32, k: u32, n: u32) -> vec4<f32> { return vec4<f32>(0.0); }

fn problem(z: u32) -> Problem {
  return Problem(p.Cout, p.OHW, 0u, p.C * p.KHW);
}

fn load_a(z: u32, m: u32, k: u32) -> f32 {
  return w[m * p.C * p.KHW + k];
}

fn load_b(z: u32, k: u32, n: u32) -> f32 {
  let c = udiv(k, p.KHW);
  let r = k - c * p.KHW;
  let kh = udiv(r, p.KW);
  let kw = r - kh * p.KW;
  let oh = udiv(n, p.OW);
  let ih = i32(oh * p.sh + kh * p.dh) - i32(p.pt);
  let iw = i32((n - oh * p.OW) * p.sw + kw * p.dw) - i32(p.pl);
  if (ih < 0 || iw < 0 || ih >= i32(p.H) || iw >= i32(p.W)) { return 0.0; }
  return read_x(z, c, u32(ih), u32(iw));
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  y[(z * p.Cout + m) * p.OHW + n] = epilogue(v, m, p.flags);
}
`;

export const CONV2D_CONCAT_BACKWARD_INPUT_HEADER_WGSL = /* wgsl */ `
// dy: [N, Cout, OH, OW], w: [Cout, C, KH, KW], dxa: [N, C1, H, W], dxb: [N, C - C1, H, W].
// dL/dx[n, c, ih, iw] = sum_{co, kh, kw: ih = oh sh + kh dh - pt, iw = ow sw + kw dw - pl} w[co, c, kh, kw] dy[n, co, oh, ow],
// written to dxa[n, c] (c < C1) or dxb[n, c - C1]. Entry z = n phases + (ph sw + pw); phase tables as in conv2d's
// input gradient: rows[ph] = (ih0, count, kh0, taps), cols[pw] likewise.
// GEMM: DX[c, t] = sum_k W[c, k] DY[k, t], k = (co taps_h + jh) taps_w + jw.
${CONV2D_CONCAT_INPUT_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dxa: array<f32>;
@group(0) @binding(4) var<storage, read_write> dxb: array<f32>;
${FAST_DIVISION_WGSL}
fn a_k_fast() -> bool { return true; }
fn b_k_fast() -> bool { return false; }
fn load_a4(z: u32, m: u32, k: u32) -> vec4<f32> { return vec4<f32>(0.0); }
fn load_b4(z: u32, k: u32, n: u32) -> vec4<f32> { return vec4<f32>(0.0); }

fn phase_rows(z: u32) -> vec4<u32> { return p.rows[(z % p.phases) / p.sw]; }
fn phase_cols(z: u32) -> vec4<u32> { return p.cols[(z % p.phases) % p.sw]; }

fn problem(z: u32) -> Problem {
  let r = phase_rows(z);
  let c = phase_cols(z);
  return Problem(p.C, r.y * c.y, 0u, p.Cout * r.w * c.w);
}

// (co, kh, kw) of reduction index k in entry z's phase.
fn tap(z: u32, k: u32) -> vec3<u32> {
  let r = phase_rows(z);
  let c = phase_cols(z);
  let per_co = r.w * c.w;
  let co = udiv(k, per_co);
  let j = k - co * per_co;
  let jh = udiv(j, c.w);
  return vec3<u32>(co, r.z + jh * p.step_h, c.z + (j - jh * c.w) * p.step_w);
}

fn load_a(z: u32, m: u32, k: u32) -> f32 {
  let t = tap(z, k);
  return w[(t.x * p.C + m) * p.KHW + t.y * p.KW + t.z];
}

fn load_b(z: u32, k: u32, n: u32) -> f32 {
  let image = z / p.phases;
  let r = phase_rows(z);
  let c = phase_cols(z);
  let t = tap(z, k);
  let th = udiv(n, c.y);
  let ih = r.x + th * p.sh;
  let iw = c.x + (n - th * c.y) * p.sw;
  // Exact division (the phase guarantees sh | ih + pt - kh dh), so float32 gives the integer exactly.
  let oh = i32(f32(i32(ih + p.pt) - i32(t.y * p.dh)) / f32(p.sh));
  let ow = i32(f32(i32(iw + p.pl) - i32(t.z * p.dw)) / f32(p.sw));
  if (oh < 0 || ow < 0 || oh >= i32(p.OH) || ow >= i32(p.OW)) { return 0.0; }
  return dy[((image * p.Cout + t.x) * p.OH + u32(oh)) * p.OW + u32(ow)];
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  let image = z / p.phases;
  let th = udiv(n, phase_cols(z).y);
  let ih = phase_rows(z).x + th * p.sh;
  let iw = phase_cols(z).x + (n - th * phase_cols(z).y) * p.sw;
  if (m < p.C1) {
    dxa[((image * p.C1 + m) * p.H + ih) * p.W + iw] = v;
  } else {
    dxb[((image * (p.C - p.C1) + m - p.C1) * p.H + ih) * p.W + iw] = v;
  }
}
`;

export const CONV2D_CONCAT_BACKWARD_WEIGHT_HEADER_WGSL = /* wgsl */ `
// dy: [N, Cout, OH, OW], xa: [N, C1, H, W], xb: [N, C - C1, H, W], partial: [splits, Cout, C, KH, KW].
// dL/dw[co, c, kh, kw] = sum_{n, oh, ow} dy[n, co, oh, ow] x[n, c, oh sh + kh dh - pt, ow sw + kw dw - pl]
// Entry z = s is the GEMM  dW[co, j] = sum_k DY[co, k] X[k, j]  over k = n OH OW + oh OW + ow in split s's chunk
// [s k_chunk, (s + 1) k_chunk), j = (c KH + kh) KW + kw.
${CONV2D_CONCAT_WEIGHT_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> xa: array<f32>;
@group(0) @binding(3) var<storage, read> xb: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;
${FAST_DIVISION_WGSL}${SPLIT_INPUT_WGSL}
fn a_k_fast() -> bool { return true; }
fn b_k_fast() -> bool { return true; }
fn load_a4(z: u32, m: u32, k: u32) -> vec4<f32> { return vec4<f32>(0.0); }
fn load_b4(z: u32, k: u32, n: u32) -> vec4<f32> { return vec4<f32>(0.0); }

fn problem(z: u32) -> Problem {
  let k_begin = z * p.k_chunk;
  return Problem(p.Cout, p.C * p.KHW, k_begin, min(p.k_total, k_begin + p.k_chunk));
}

fn load_a(z: u32, m: u32, k: u32) -> f32 {
  let image = udiv(k, p.OHW);
  return dy[(image * p.Cout + m) * p.OHW + k - image * p.OHW];
}

fn load_b(z: u32, k: u32, n: u32) -> f32 {
  let image = udiv(k, p.OHW);
  let pixel = k - image * p.OHW;
  let c = udiv(n, p.KHW);
  let r = n - c * p.KHW;
  let oh = udiv(pixel, p.OW);
  let kh = udiv(r, p.KW);
  let ih = i32(oh * p.sh + kh * p.dh) - i32(p.pt);
  let iw = i32((pixel - oh * p.OW) * p.sw + (r - kh * p.KW) * p.dw) - i32(p.pl);
  if (ih < 0 || iw < 0 || ih >= i32(p.H) || iw >= i32(p.W)) { return 0.0; }
  return read_x(image, c, u32(ih), u32(iw));
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  partial[(z * p.Cout + m) * p.C * p.KHW + n] = v;
}
`;
