import { d } from 'typegpu';
import { EPILOGUE_WGSL, GEMM_CORE_WGSL } from '../gemm/gemm-core.wgsl.js';
import { CONV_GEOMETRY_FIELDS, FAST_DIVISION_WGSL } from './conv2d-geometry.js';
import { paramsStruct, type ParamsWith } from '../../runtime/params.js';
import { bindingsWgsl, output, type BindingEntry } from '../../wgsl/bindings.wgsl.js';

export const CONV2D_FIELDS = { ...CONV_GEOMETRY_FIELDS, flags: d.u32 };
export const CONV2D_WEIGHT_FIELDS = { ...CONV_GEOMETRY_FIELDS, splits: d.u32, k_chunk: d.u32, k_total: d.u32 };
export const CONV2D_PARAMS = paramsStruct('Params', CONV2D_FIELDS);
export const CONV2D_WEIGHT_PARAMS = paramsStruct('Params', CONV2D_WEIGHT_FIELDS);

/**
 * How an implicit GEMM of conv2d reaches its image tensor: the storage bindings that stand for it in the kernel's
 * binding list, and WGSL defining one access function on (image n, channel c, row ih, column iw), (ih, iw) in range:
 *   read_x(n, c, ih, iw) -> f32        the value x[n, c, ih, iw]                      (forward, weight gradient)
 *   write_dx(n, c, ih, iw, v: f32)     stores the GEMM's dL/dx[n, c, ih, iw] = v      (input gradient)
 * conv2d's own read x: [N, C, H, W] and write dx through the epilogue; conv2dConcat's route channel c to one of two
 * tensors.
 */
export interface ConvImageAccess {
  readonly bindings: readonly BindingEntry[];
  readonly wgsl: string;
}

/** x: [N, C, H, W] in one buffer. */
export const CONV2D_READ_X: ConvImageAccess = {
  bindings: ['x'],
  wgsl: /* wgsl */ `
fn read_x(image: u32, c: u32, ih: u32, iw: u32) -> f32 {
  return x[((image * p.C + c) * p.H + ih) * p.W + iw];
}
`,
};

/**
 * Forward convolution as an implicit GEMM (no im2col buffer); also convTranspose2d's input gradient.
 * This is the header (bindings and GEMM hooks); either GEMM core follows it.
 */
export function conv2dHeaderWgsl(params: ParamsWith<typeof CONV2D_FIELDS>, x: ConvImageAccess): string {
  return /* wgsl */ `
// x: [N, C, H, W], w: [Cout, Cig, KH, KW], y: [N, Cout, OH, OW]; Cig = C / groups, Cog = Cout / groups.
// Entry z = n * groups + g is the GEMM  Y[co, p] = sum_k W[co, k] X[k, p]  with co < Cog, p = oh OW + ow < OH OW,
// k = (ci KH + kh) KW + kw < Cig KH KW and X[k, p] = x[n, g Cig + ci, oh sh + kh dh - pt, ow sw + kw dw - pl]
// (0 outside); y[n, g Cog + co, p] = act(scale[c] Y + shift[c]) with c = g Cog + co.
${params.wgsl}

${bindingsWgsl([...x.bindings, 'w', 'scale', 'shift', output('y')], 'p')}${EPILOGUE_WGSL}${FAST_DIVISION_WGSL}${x.wgsl}
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
  return read_x(image, g * p.Cig + ci, u32(ih), u32(iw));
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  let image = z / p.groups;
  let c = (z % p.groups) * p.Cog + m;
  y[(image * p.Cout + c) * p.OHW + n] = epilogue(v, c, p.flags);
}
`;
}

/**
 * Weight gradient as an implicit GEMM over N OH OW, split into chunks whose partial sums a second pass adds.
 * The header (bindings and GEMM hooks); either GEMM core follows it.
 */
export function conv2dBackwardWeightHeaderWgsl(params: ParamsWith<typeof CONV2D_WEIGHT_FIELDS>, x: ConvImageAccess): string {
  return /* wgsl */ `
// dy: [N, Cout, OH, OW], x: [N, C, H, W], partial: [splits, Cout, Cig, KH, KW].
// dL/dw[g Cog + co, ci, kh, kw] = sum_{n, oh, ow} dy[n, g Cog + co, oh, ow] x[n, g Cig + ci, oh sh + kh dh - pt, ow sw + kw dw - pl]
// Entry z = g * splits + s is the GEMM  dW[co, j] = sum_k DY[co, k] X[k, j]  over k = n OH OW + oh OW + ow in
// split s's chunk [s k_chunk, (s + 1) k_chunk), j = (ci KH + kh) KW + kw.
${params.wgsl}

${bindingsWgsl(['dy', ...x.bindings, output('partial')], 'p')}${FAST_DIVISION_WGSL}${x.wgsl}
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
  return read_x(image, g * p.Cig + ci, u32(ih), u32(iw));
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  let g = z / p.splits;
  let s = z % p.splits;
  partial[((s * p.groups + g) * p.Cog + m) * p.Cig * p.KHW + n] = v;
}
`;
}

export const CONV2D_HEADER_WGSL = conv2dHeaderWgsl(CONV2D_PARAMS, CONV2D_READ_X);
export const CONV2D_BACKWARD_WEIGHT_HEADER_WGSL = conv2dBackwardWeightHeaderWgsl(CONV2D_WEIGHT_PARAMS, CONV2D_READ_X);

/** With the tiled core. */
export const CONV2D_WGSL = `${CONV2D_HEADER_WGSL}${GEMM_CORE_WGSL}`;
/** With the tiled core. */
export const CONV2D_BACKWARD_WEIGHT_WGSL = `${CONV2D_BACKWARD_WEIGHT_HEADER_WGSL}${GEMM_CORE_WGSL}`;
