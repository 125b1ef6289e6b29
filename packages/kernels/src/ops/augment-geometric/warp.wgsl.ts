import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { AUGMENT_COMMON_WGSL, AUGMENT_PARAMS, augmentMainWgsl } from '../augment/augment-common.wgsl.js';

/**
 * The geometric kernel: images, masks: [N, 1, H, W] -> images_out, masks_out: [N, 1, H, W]; table: [N, stride].
 * For output pixel p = (x, y) of sample n, a coordinate field gives its source position s(p) in Q10 fixed point
 * (1/1024 pixel, pixel centres at integer coordinates, OpenCV's convention), then
 *   images_out(p) = interpolate(images_n, s(p))   (nearest, bilinear or bicubic; per-tap border mode and fill)
 *   masks_out(p)  = masks_n(round(s(p)))          (nearest, constant border 0): image and mask stay aligned.
 * Border modes act on the source window [x0, x1) × [y0, y1) (the whole image, or the crop box of crop-and-resize).
 * Fields (override FIELD):
 *   0 affine       s = M·(x, y, 1), M a 2×3 inverse (output → source) matrix: flips, crop-and-resize, affine;
 *   1 piecewise    s = p + D(p), D bilinear in each cell of a jittered control grid (piecewise-affine distortion);
 *   2 elastic      s = p − α·(G_σ ∗ U)(p), U uniform [-1, 1) per pixel and axis from a hash, G_σ a Gaussian.
 * Every product that enters s is rounded to Q10 on its own (i32(round(a·b·1024)), correctly rounded f32 products,
 * no sums before rounding), and the elastic field is integer arithmetic throughout, so the CPU reference finds
 * the same source pixels bit for bit: masks match exactly on every adapter.
 * Table row: [enabled, interpolation (0 nearest, 1 bilinear, 2 bicubic), border (0..4, see border_index), fill,
 *             x0, y0, x1, y1, field parameters from index 8 (see warp.ts / deform.ts)].
 */
export const WARP_WGSL = /* wgsl */ `
override FIELD: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

${AUGMENT_PARAMS.wgsl}

${bindingsWgsl(['table', 'images', 'masks', output('images_out'), output('masks_out')])}${AUGMENT_COMMON_WGSL}
const ELASTIC_PAD: u32 = 16u;

// i32(round(v·1024)): one product rounded to Q10.
fn q10(v: f32) -> i32 { return i32(round(v * 1024.0)); }

// Affine: s = (m00 x + m01 y + m02, m10 x + m11 y + m12), each term rounded to Q10 separately.
fn affine_source(t: u32, x: f32, y: f32) -> vec2<i32> {
  let sx = q10(table[t + 8u] * x) + q10(table[t + 9u] * y) + q10(table[t + 10u]);
  let sy = q10(table[t + 11u] * x) + q10(table[t + 12u] * y) + q10(table[t + 13u]);
  return vec2<i32>(sx, sy);
}

// Piecewise: control points at (i·H/(rows − 1), j·W/(cols − 1)); pixel (x, y) lies in cell
// (⌊y(rows − 1)/H⌋, ⌊x(cols − 1)/W⌋), where D = A + B x + C y + E x y per axis (bilinear in the cell),
// coefficients [Ax, Bx, Cx, Ex, Ay, By, Cy, Ey] at t + 12 + 8·cell.
fn piecewise_source(t: u32, x: u32, y: u32) -> vec2<i32> {
  let rows = u32(table[t + 8u]);
  let cols = u32(table[t + 9u]);
  let i = (y * (rows - 1u)) / params.height;
  let j = (x * (cols - 1u)) / params.width;
  let c = t + 12u + (i * (cols - 1u) + j) * 8u;
  let fx = f32(x);
  let fy = f32(y);
  let dx = q10(table[c]) + q10(table[c + 1u] * fx) + q10(table[c + 2u] * fy) + q10(table[c + 3u] * fx * fy);
  let dy = q10(table[c + 4u]) + q10(table[c + 5u] * fx) + q10(table[c + 6u] * fy) + q10(table[c + 7u] * fx * fy);
  return vec2<i32>(i32(x) * 1024 + dx, i32(y) * 1024 + dy);
}

// Uniform noise U(axis, y, x) = hash − 2^15 ∈ [−2^15, 2^15), i.e. U/2^15 ∈ [−1, 1), defined on the image padded by
// ELASTIC_PAD on each side: element (axis·(H + 2P) + y + P)·(W + 2P) + x + P of the sample's hash stream.
fn elastic_noise(stream: u32, axis: u32, y: i32, x: i32) -> i32 {
  let k = (axis * (params.height + 2u * ELASTIC_PAD) + u32(y + i32(ELASTIC_PAD))) * (params.width + 2u * ELASTIC_PAD) + u32(x + i32(ELASTIC_PAD));
  return i32(pcg_hash(k + stream) >> 16u) - 32768;
}

// (G ∗ U)(x, y) with integer weights w_|k| (Q14, Σ = 2^14), rows first, each pass rounded back to Q15:
//   line(y') = (Σ_j w_|j| U(y', x + j) + 2^13) >> 14,  d = (Σ_i w_|i| line(y + i) + 2^13) >> 14.
fn elastic_smooth(t: u32, stream: u32, axis: u32, x: i32, y: i32) -> i32 {
  let r = i32(table[t + 11u]);
  var total = 0;
  for (var i = -r; i <= r; i++) {
    var line = 0;
    for (var j = -r; j <= r; j++) {
      line += i32(table[t + 12u + u32(abs(j))]) * elastic_noise(stream, axis, y + i, x + j);
    }
    total += i32(table[t + 12u + u32(abs(i))]) * ((line + 8192) >> 14u);
  }
  return (total + 8192) >> 14u;
}

// Elastic (imgaug: x_src = x − dx): displacement in Q10 = (d · α_Q10 + 2^14) >> 15.
fn elastic_source(t: u32, x: u32, y: u32) -> vec2<i32> {
  let stream = pcg_hash(table_seed(t + 8u));
  let alpha = i32(table[t + 10u]);
  let dx = (elastic_smooth(t, stream, 0u, i32(x), i32(y)) * alpha + 16384) >> 15u;
  let dy = (elastic_smooth(t, stream, 1u, i32(x), i32(y)) * alpha + 16384) >> 15u;
  return vec2<i32>(i32(x) * 1024 - dx, i32(y) * 1024 - dy);
}

struct Window { x0: i32, y0: i32, w: i32, h: i32 }

// OpenCV's cubic convolution weights (A = −0.75) of taps −1, 0, 1, 2 at fraction f.
fn cubic_weights(f: f32) -> vec4<f32> {
  let a = -0.75;
  let w0 = ((a * (f + 1.0) - 5.0 * a) * (f + 1.0) + 8.0 * a) * (f + 1.0) - 4.0 * a;
  let w1 = ((a + 2.0) * f - (a + 3.0)) * f * f + 1.0;
  let w2 = ((a + 2.0) * (1.0 - f) - (a + 3.0)) * (1.0 - f) * (1.0 - f) + 1.0;
  return vec4<f32>(w0, w1, w2, 1.0 - w0 - w1 - w2);
}

// Weights of taps i − 1, i, i + 1, i + 2 along one axis for Q10 position q = 1024·i + f·1024 (i = q >> 10):
// nearest puts weight 1 on round(q) (i or i + 1), bilinear (1 − f, f) on i, i + 1, bicubic the cubic weights.
fn axis_weights(q: i32, interpolation: u32) -> vec4<f32> {
  let f = f32(q & 1023) / 1024.0;
  switch interpolation {
    case 0u: { return select(vec4<f32>(0.0, 1.0, 0.0, 0.0), vec4<f32>(0.0, 0.0, 1.0, 0.0), (q & 1023) >= 512); }
    case 1u: { return vec4<f32>(0.0, 1.0 - f, f, 0.0); }
    default: { return cubic_weights(f); }
  }
}

// Σ_j wy_j Σ_k wx_k tap(k, j) over taps −1..2 (bicubic) or 0..1 (nearest, bilinear) around the source position;
// a tap outside the window takes the border mode's pixel, or fill for the constant border. Taps of weight 0 add
// exact zeros, so nearest sampling and fractions of 0 reproduce the tap value exactly. Bicubic is saturated to
// 0..255 as OpenCV does for 8-bit images. (Loop bounds depend on the sample, which keeps CPU adapters from
// unrolling 16 taps: a much smaller shader to compile.)
fn sample_image(plane: u32, win: Window, s: vec2<i32>, interpolation: u32, mode: u32, fill: f32) -> f32 {
  let cubic = interpolation == 2u;
  let first = select(0, -1, cubic);
  let last = select(1, 2, cubic);
  let bx = (s.x >> 10u) - win.x0;
  let by = (s.y >> 10u) - win.y0;
  let wx = axis_weights(s.x, interpolation);
  let wy = axis_weights(s.y, interpolation);
  var columns: array<i32, 4>;
  for (var k = first; k <= last; k++) { columns[k + 1] = border_index(bx + k, win.w, mode); }
  var total = 0.0;
  for (var j = first; j <= last; j++) {
    let row = border_index(by + j, win.h, mode);
    let start = plane + u32(win.y0 + row) * params.width + u32(win.x0);
    var line = 0.0;
    for (var k = first; k <= last; k++) {
      let column = columns[k + 1];
      var v = fill;
      if (row >= 0 && column >= 0) { v = images[start + u32(column)]; }
      line += wx[k + 1] * v;
    }
    total += wy[j + 1] * line;
  }
  return select(total, clamp(total, 0.0, 255.0), cubic);
}

fn sample_mask(plane: u32, win: Window, s: vec2<i32>) -> f32 {
  let bx = ((s.x + 512) >> 10u) - win.x0;
  let by = ((s.y + 512) >> 10u) - win.y0;
  if (bx < 0 || bx >= win.w || by < 0 || by >= win.h) { return 0.0; }
  return masks[plane + u32(win.y0 + by) * params.width + u32(win.x0 + bx)];
}

${augmentMainWgsl(
  `images_out[i] = images[i];
    masks_out[i] = masks[i];`,
  /* wgsl */ `
  var s: vec2<i32>;
  switch FIELD {
    case 1u: { s = piecewise_source(t, p.x, p.y); }
    case 2u: { s = elastic_source(t, p.x, p.y); }
    default: { s = affine_source(t, f32(p.x), f32(p.y)); }
  }
  let x0 = i32(table[t + 4u]);
  let y0 = i32(table[t + 5u]);
  let win = Window(x0, y0, i32(table[t + 6u]) - x0, i32(table[t + 7u]) - y0);
  images_out[i] = sample_image(p.plane, win, s, u32(table[t + 1u]), u32(table[t + 2u]), table[t + 3u]);
  masks_out[i] = sample_mask(p.plane, win, s);`,
)}`;
