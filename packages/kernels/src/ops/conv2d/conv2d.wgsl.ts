import { d } from 'typegpu';
import { EPILOGUE_WGSL, GEMM_CORE_WGSL } from '../gemm/gemm-core.wgsl.js';
import { CONV_GEOMETRY_FIELDS, FAST_DIVISION_WGSL } from './conv2d-geometry.js';
import { paramsStruct } from '../../runtime/params.js';

export const CONV2D_PARAMS = paramsStruct('Params', { ...CONV_GEOMETRY_FIELDS, flags: d.u32 });
export const CONV2D_WEIGHT_PARAMS = paramsStruct('Params', {
  ...CONV_GEOMETRY_FIELDS,
  splits: d.u32,
  k_chunk: d.u32,
  k_total: d.u32,
});

/**
 * Forward convolution as an implicit GEMM (no im2col buffer); also convTranspose2d's input gradient.
 * This is the header (bindings and GEMM hooks); either GEMM core follows it.
 */
export const CONV2D_HEADER_WGSL = /* wgsl */ `
// x: [N, C, H, W], w: [Cout, Cig, KH, KW], y: [N, Cout, OH, OW]; Cig = C / groups, Cog = Cout / groups.
// Entry z = n * groups + g is the GEMM  Y[co, p] = sum_k W[co, k] X[k, p]  with co < Cog, p = oh OW + ow < OH OW,
// k = (ci KH + kh) KW + kw < Cig KH KW and X[k, p] = x[n, g Cig + ci, oh sh + kh dh - pt, ow sw + kw dw - pl]
// (0 outside); y[n, g Cog + co, p] = act(scale[c] Y + shift[c]) with c = g Cog + co.
${CONV2D_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read> shift: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
${EPILOGUE_WGSL}${FAST_DIVISION_WGSL}
fn a_k_fast() -> bool { return true; }
fn b_k_fast() -> bool { return false; }
fn load_a4(z: u32, m: u32, k: u32) -> vec4<f32> { return vec4<f32>(0.0); }
fn load_b4(z: u32, k: u32, n: u32) -> vec4<f32> { return vec4<f32>(0.0); }

fn problem(z: u32) -> Problem {
  return Problem(p.Cog, p.OHW, 0u, p.Cig * p.KHW);
}

fn load_a(z: u32, m: u32, k: u32) -> f32 {
  let g = z % p.groups;
  return w[(g * p.Cog + m) * p.Cig * p.KHW + k];
}

fn load_b(z: u32, k: u32, n: u32) -> f32 {
  let image = z / p.groups;
  let g = z % p.groups;
  let ci = udiv(k, p.KHW);
  let r = k - ci * p.KHW;
  let kh = udiv(r, p.KW);
  let kw = r - kh * p.KW;
  let oh = udiv(n, p.OW);
  let ih = i32(oh * p.sh + kh * p.dh) - i32(p.pt);
  let iw = i32((n - oh * p.OW) * p.sw + kw * p.dw) - i32(p.pl);
  if (ih < 0 || iw < 0 || ih >= i32(p.H) || iw >= i32(p.W)) { return 0.0; }
  return x[((image * p.C + g * p.Cig + ci) * p.H + u32(ih)) * p.W + u32(iw)];
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  let image = z / p.groups;
  let c = (z % p.groups) * p.Cog + m;
  y[(image * p.Cout + c) * p.OHW + n] = epilogue(v, c, p.flags);
}
`;

/**
 * Weight gradient as an implicit GEMM over N OH OW, split into chunks whose partial sums a second pass adds.
 * The header (bindings and GEMM hooks); either GEMM core follows it.
 */
export const CONV2D_BACKWARD_WEIGHT_HEADER_WGSL = /* wgsl */ `
// dy: [N, Cout, OH, OW], x: [N, C, H, W], partial: [splits, Cout, Cig, KH, KW].
// dL/dw[g Cog + co, ci, kh, kw] = sum_{n, oh, ow} dy[n, g Cog + co, oh, ow] x[n, g Cig + ci, oh sh + kh dh - pt, ow sw + kw dw - pl]
// Entry z = g * splits + s is the GEMM  dW[co, j] = sum_k DY[co, k] X[k, j]  over k = n OH OW + oh OW + ow in
// split s's chunk [s k_chunk, (s + 1) k_chunk), j = (ci KH + kh) KW + kw.
${CONV2D_WEIGHT_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;
${FAST_DIVISION_WGSL}
fn a_k_fast() -> bool { return true; }
fn b_k_fast() -> bool { return true; }
fn load_a4(z: u32, m: u32, k: u32) -> vec4<f32> { return vec4<f32>(0.0); }
fn load_b4(z: u32, k: u32, n: u32) -> vec4<f32> { return vec4<f32>(0.0); }

fn problem(z: u32) -> Problem {
  let k_begin = (z % p.splits) * p.k_chunk;
  return Problem(p.Cog, p.Cig * p.KHW, k_begin, min(p.k_total, k_begin + p.k_chunk));
}

fn load_a(z: u32, m: u32, k: u32) -> f32 {
  let g = z / p.splits;
  let image = udiv(k, p.OHW);
  return dy[(image * p.Cout + g * p.Cog + m) * p.OHW + k - image * p.OHW];
}

fn load_b(z: u32, k: u32, n: u32) -> f32 {
  let g = z / p.splits;
  let image = udiv(k, p.OHW);
  let pixel = k - image * p.OHW;
  let ci = udiv(n, p.KHW);
  let r = n - ci * p.KHW;
  let oh = udiv(pixel, p.OW);
  let kh = udiv(r, p.KW);
  let ih = i32(oh * p.sh + kh * p.dh) - i32(p.pt);
  let iw = i32((pixel - oh * p.OW) * p.sw + (r - kh * p.KW) * p.dw) - i32(p.pl);
  if (ih < 0 || iw < 0 || ih >= i32(p.H) || iw >= i32(p.W)) { return 0.0; }
  return x[((image * p.C + g * p.Cig + ci) * p.H + u32(ih)) * p.W + u32(iw)];
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  let g = z / p.splits;
  let s = z % p.splits;
  partial[((s * p.groups + g) * p.Cog + m) * p.Cig * p.KHW + n] = v;
}
`;

/** With the tiled core. */
export const CONV2D_WGSL = `${CONV2D_HEADER_WGSL}${GEMM_CORE_WGSL}`;
/** With the tiled core. */
export const CONV2D_BACKWARD_WEIGHT_WGSL = `${CONV2D_BACKWARD_WEIGHT_HEADER_WGSL}${GEMM_CORE_WGSL}`;
