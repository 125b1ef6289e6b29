import { d } from 'typegpu';
import { EPILOGUE_WGSL, GEMM_CORE_WGSL } from '../gemm/gemm-core.wgsl.js';
import { CONV_GEOMETRY_FIELDS, FAST_DIVISION_WGSL } from './conv2d-geometry.js';
import { paramsStruct, type ParamsWith } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import type { ConvImageAccess } from './conv2d.wgsl.js';

/** The phase tables' fields; each kernel puts its own u32 between these and the tables (flags here, C1 in conv2dConcat). */
export const CONV2D_PHASE_FIELDS = { ...CONV_GEOMETRY_FIELDS, phases: d.u32, step_h: d.u32, step_w: d.u32 };
const PHASE_TABLES = { rows: d.arrayOf(d.vec4u, 8), cols: d.arrayOf(d.vec4u, 8) };
export const CONV2D_INPUT_FIELDS = { ...CONV2D_PHASE_FIELDS, ...PHASE_TABLES };
export const CONV2D_INPUT_PARAMS = paramsStruct('Params', { ...CONV2D_PHASE_FIELDS, flags: d.u32, ...PHASE_TABLES });

/** dx: [N, C, H, W] in one buffer, written through the epilogue act(scale[c] v + shift[c]) (convTranspose2d's). */
export const CONV2D_WRITE_DX: ConvImageAccess = {
  bindings: ['scale', 'shift', output('dx')],
  wgsl: /* wgsl */ `${EPILOGUE_WGSL}
fn write_dx(image: u32, c: u32, ih: u32, iw: u32, v: f32) {
  dx[((image * p.C + c) * p.H + ih) * p.W + iw] = epilogue(v, c, p.flags);
}
`,
};

/**
 * Input gradient of conv2d by phase decomposition; also convTranspose2d's forward (dy = its input, dx = its output).
 * Output rows ih split into sh phases by (ih + pt) mod sh; in phase ph only the taps kh with kh dh = ph (mod sh) reach
 * ih, from oh = (ih + pt - kh dh) / sh exactly. Each of the sh sw phases is a dense implicit GEMM: no multiply-adds
 * on the zeros a strided transposed convolution would insert.
 * This is the header (bindings and GEMM hooks); either GEMM core follows it.
 */
export function conv2dBackwardInputHeaderWgsl(params: ParamsWith<typeof CONV2D_INPUT_FIELDS>, dx: ConvImageAccess): string {
  return /* wgsl */ `
// dy: [N, Cout, OH, OW], w: [Cout, Cig, KH, KW], dx: [N, C, H, W].
// dL/dx[n, g Cig + ci, ih, iw] = sum_{co, kh, kw: ih = oh sh + kh dh - pt, iw = ow sw + kw dw - pl} w[g Cog + co, ci, kh, kw] dy[n, g Cog + co, oh, ow]
// Entry z = (n groups + g) phases + (ph sw + pw). Phase tables: rows[ph] = (ih0, count, kh0, taps): the phase's rows
// are ih0 + t sh (t < count) and its taps kh0 + j step_h (j < taps); cols[pw] likewise for iw / kw.
// GEMM: DX[ci, t] = sum_k W[ci, k] DY[k, t], k = (co taps_h + jh) taps_w + jw; write_dx stores DX as dx[n, c], c = g Cig + ci
// (conv2d's as act(scale[c] DX + shift[c])).
${params.wgsl}

${bindingsWgsl(['dy', 'w', ...dx.bindings], 'p')}${FAST_DIVISION_WGSL}${dx.wgsl}
fn a_k_fast() -> bool { return true; }
fn b_k_fast() -> bool { return false; }
fn load_a4(z: u32, m: u32, k: u32) -> vec4<f32> { return vec4<f32>(0.0); }
fn load_b4(z: u32, k: u32, n: u32) -> vec4<f32> { return vec4<f32>(0.0); }

fn phase_rows(z: u32) -> vec4<u32> { return p.rows[(z % p.phases) / p.sw]; }
fn phase_cols(z: u32) -> vec4<u32> { return p.cols[(z % p.phases) % p.sw]; }

fn problem(z: u32) -> Problem {
  let r = phase_rows(z);
  let c = phase_cols(z);
  return Problem(p.Cig, r.y * c.y, 0u, p.Cog * r.w * c.w);
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
  let g = (z / p.phases) % p.groups;
  let t = tap(z, k);
  return w[((g * p.Cog + t.x) * p.Cig + m) * p.KHW + t.y * p.KW + t.z];
}

fn load_b(z: u32, k: u32, n: u32) -> f32 {
  let entry = z / p.phases;
  let image = entry / p.groups;
  let g = entry % p.groups;
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
  return dy[((image * p.Cout + g * p.Cog + t.x) * p.OH + u32(oh)) * p.OW + u32(ow)];
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  let entry = z / p.phases;
  let image = entry / p.groups;
  let c = (entry % p.groups) * p.Cig + m;
  let th = udiv(n, phase_cols(z).y);
  let ih = phase_rows(z).x + th * p.sh;
  let iw = phase_cols(z).x + (n - th * phase_cols(z).y) * p.sw;
  write_dx(image, c, ih, iw, v);
}
`;
}

export const CONV2D_BACKWARD_INPUT_HEADER_WGSL = conv2dBackwardInputHeaderWgsl(CONV2D_INPUT_PARAMS, CONV2D_WRITE_DX);

/** With the tiled core. */
export const CONV2D_BACKWARD_INPUT_WGSL = `${CONV2D_BACKWARD_INPUT_HEADER_WGSL}${GEMM_CORE_WGSL}`;
