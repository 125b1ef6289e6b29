import { d } from 'typegpu';
import { CONV2D_FIELDS, CONV2D_WEIGHT_FIELDS, conv2dBackwardWeightHeaderWgsl, conv2dHeaderWgsl, type ConvImageAccess } from '../conv2d/conv2d.wgsl.js';
import { CONV2D_PHASE_FIELDS, conv2dBackwardInputHeaderWgsl } from '../conv2d/conv2d-backward-input.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';
import { output } from '../../wgsl/bindings.wgsl.js';

export const CONV2D_CONCAT_PARAMS = paramsStruct('Params', { ...CONV2D_FIELDS, C1: d.u32 });
export const CONV2D_CONCAT_INPUT_PARAMS = paramsStruct('Params', {
  ...CONV2D_PHASE_FIELDS,
  C1: d.u32,
  rows: d.arrayOf(d.vec4u, 8),
  cols: d.arrayOf(d.vec4u, 8),
});
export const CONV2D_CONCAT_WEIGHT_PARAMS = paramsStruct('Params', { ...CONV2D_WEIGHT_FIELDS, C1: d.u32 });

/**
 * conv2d whose input is the channel concatenation of two tensors, read in place: x = cat([xa, xb], channels) with
 * xa [N, C1, H, W] and xb [N, C - C1, H, W], channel c of x being xa[:, c] for c < C1 and xb[:, c - C1] after.
 * The three headers are conv2d's implicit GEMMs (forward, phase-decomposed input gradient, chunked weight gradient;
 * ../conv2d) with every read of x (and, for the input gradient, every write of dx) routed to the tensor that holds the
 * channel. Ungrouped only (groups = 1: Cig = C, Cog = Cout, entry z = n or split s). Each header is followed by the
 * tiled GEMM core.
 */
const READ_SPLIT_X: ConvImageAccess = {
  bindings: ['xa', 'xb'],
  wgsl: /* wgsl */ `
// x[n, c, ih, iw] of the concatenation, (ih, iw) in range.
fn read_x(image: u32, c: u32, ih: u32, iw: u32) -> f32 {
  if (c < p.C1) { return xa[((image * p.C1 + c) * p.H + ih) * p.W + iw]; }
  return xb[((image * (p.C - p.C1) + c - p.C1) * p.H + ih) * p.W + iw];
}
`,
};

/** dx of the concatenation written to dxa[n, c] (c < C1) or dxb[n, c - C1], with no epilogue. */
const WRITE_SPLIT_DX: ConvImageAccess = {
  bindings: [output('dxa'), output('dxb')],
  wgsl: /* wgsl */ `
fn write_dx(image: u32, c: u32, ih: u32, iw: u32, v: f32) {
  if (c < p.C1) {
    dxa[((image * p.C1 + c) * p.H + ih) * p.W + iw] = v;
  } else {
    dxb[((image * (p.C - p.C1) + c - p.C1) * p.H + ih) * p.W + iw] = v;
  }
}
`,
};

/** Bindings: p, xa, xb, w, scale, shift, y. */
export const CONV2D_CONCAT_HEADER_WGSL = conv2dHeaderWgsl(CONV2D_CONCAT_PARAMS, READ_SPLIT_X);
/** Bindings: p, dy, w, dxa, dxb. */
export const CONV2D_CONCAT_BACKWARD_INPUT_HEADER_WGSL = conv2dBackwardInputHeaderWgsl(CONV2D_CONCAT_INPUT_PARAMS, WRITE_SPLIT_DX);
/** Bindings: p, dy, xa, xb, partial. */
export const CONV2D_CONCAT_BACKWARD_WEIGHT_HEADER_WGSL = conv2dBackwardWeightHeaderWgsl(CONV2D_CONCAT_WEIGHT_PARAMS, READ_SPLIT_X);
