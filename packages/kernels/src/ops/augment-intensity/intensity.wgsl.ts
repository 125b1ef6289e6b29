import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { AUGMENT_COMMON_WGSL, AUGMENT_PARAMS, augmentMainWgsl } from '../augment/augment-common.wgsl.js';

const HEADER = /* wgsl */ `
override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

${AUGMENT_PARAMS.wgsl}

${bindingsWgsl(['table', 'x', output('y')])}${AUGMENT_COMMON_WGSL}
// y = apply(x, t, p), each kernel's own, on the pixels of enabled samples.
${augmentMainWgsl('y[i] = x[i];', 'y[i] = apply(x[i], t, p);')}`;

/**
 * Point-wise intensity augmentations: x: [N, 1, H, W] -> y: [N, 1, H, W]; table: [N, stride], row n for sample n,
 * table[n, 0] = enabled (0: y = x). OP:
 *   0 linear contrast  row [1, a]:  y = clamp(127 + a·(x − 127), 0, 255)                  (imgaug LinearContrast)
 *   1 Gaussian noise   row [1, σ, seed_lo, seed_hi]:  y = clamp(x + σ·z, 0, 255), z ~ N(0, 1) by Box–Muller from
 *                      two hashes of the pixel: u1 = (bits(2j) >> 8 + 1)/2^24 ∈ (0, 1], u2 = (bits(2j + 1) >> 8)/2^24,
 *                      z = √(−2 ln u1)·cos(π(2u2 − 1)), j = y·W + x              (imgaug AdditiveGaussianNoise)
 *   2 dropout          row [1, threshold, seed_lo, seed_hi, cells_y, cells_x]: the sample is cut into a
 *                      cells_y × cells_x grid, cell (⌊y·cells_y/H⌋, ⌊x·cells_x/W⌋) (cv2 INTER_NEAREST upscaling of
 *                      imgaug's low-resolution mask), dropped (y = 0) when bits(cell) >> 8 < threshold = round(p·2^24);
 *                      cells = H × W is pixel dropout (imgaug Dropout), a coarser grid CoarseDropout.
 * bits(k) = pcg(k + pcg(seed)) (augment-common).
 */
export const POINTWISE_WGSL = /* wgsl */ `${HEADER}
fn apply(v: f32, t: u32, p: Pixel) -> f32 {
  switch OP {
    case 0u: { return clamp(127.0 + table[t + 1u] * (v - 127.0), 0.0, 255.0); }
    case 1u: {
      let stream = pcg_hash(table_seed(t + 2u));
      let j = p.y * params.width + p.x;
      let u1 = f32((pcg_hash(2u * j + stream) >> 8u) + 1u) / 16777216.0;
      let u2 = f32(pcg_hash(2u * j + 1u + stream) >> 8u) / 16777216.0;
      let z = sqrt(-2.0 * log(u1)) * cos(3.14159265358979 * (2.0 * u2 - 1.0));
      return clamp(v + table[t + 1u] * z, 0.0, 255.0);
    }
    default: {
      let cells_y = u32(table[t + 4u]);
      let cells_x = u32(table[t + 5u]);
      let cell = ((p.y * cells_y) / params.height) * cells_x + (p.x * cells_x) / params.width;
      let dropped = (pcg_hash(cell + pcg_hash(table_seed(t + 2u))) >> 8u) < u32(table[t + 1u]);
      return select(v, 0.0, dropped);
    }
  }
}
`;

/**
 * Neighbourhood intensity augmentations with OpenCV's default border (BORDER_REFLECT_101, dcb|abcd|cba):
 * x: [N, 1, H, W] -> y: [N, 1, H, W]; table: [N, stride], table[n, 0] = enabled (0: y = x); apply reads the
 * neighbourhood, not the pixel's value v. OP:
 *   0 sharpen   row [1, c, r]: y = clamp(c·x(p) + r·Σ_{8 neighbours q} x(q), 0, 255)  (imgaug Sharpen: the 3×3 kernel
 *               (1 − α)·δ + α·[[−1, −1, −1], [−1, 8 + L, −1], [−1, −1, −1]], i.e. c = 1 − α + α(8 + L), r = −α)
 *   1 rows      row [1, first, taps, 0, w_0 .. w_{taps−1}]: y(h, w) = Σ_k w_k x(h, w + first + k)
 *   2 columns   same row:                                     y(h, w) = Σ_k w_k x(h + first + k, w)
 * rows then columns is the separable Gaussian blur (cv2.GaussianBlur) or mean blur (cv2.blur, k × k box with anchor
 * k/2, so even k reaches first = −k/2 .. k/2 − 1).
 */
export const FILTER_WGSL = /* wgsl */ `${HEADER}
fn at(p: Pixel, dy: i32, dx: i32) -> f32 {
  let h = border_index(i32(p.y) + dy, i32(params.height), 3u);
  let w = border_index(i32(p.x) + dx, i32(params.width), 3u);
  return x[p.plane + u32(h) * params.width + u32(w)];
}

fn apply(v: f32, t: u32, p: Pixel) -> f32 {
  if (OP == 0u) {
    var ring = 0.0;
    for (var dy = -1; dy <= 1; dy++) {
      for (var dx = -1; dx <= 1; dx++) {
        if (dy != 0 || dx != 0) { ring += at(p, dy, dx); }
      }
    }
    return clamp(table[t + 1u] * at(p, 0, 0) + table[t + 2u] * ring, 0.0, 255.0);
  }
  let first = i32(table[t + 1u]);
  let taps = i32(table[t + 2u]);
  var total = 0.0;
  for (var k = 0; k < taps; k++) {
    var tap: f32;
    if (OP == 1u) { tap = at(p, 0, first + k); } else { tap = at(p, first + k, 0); }
    total += table[t + 4u + u32(k)] * tap;
  }
  return total;
}
`;

/**
 * Median blur of 8-bit values (cv2.medianBlur: k × k window, k = 2r + 1 odd, replicate border):
 * x: [N, 1, H, W] (rounded and clamped to levels 0..255) -> y: [N, 1, H, W]; table row [1, r]; enabled = 0: y = x
 * (apply reads the window, not the pixel's value v).
 * y = the smallest level m with #{window values ≤ m} ≥ (k² + 1)/2, found by bisection over the 256 levels
 * (8 passes over the window): exact.
 */
export const MEDIAN_WGSL = /* wgsl */ `${HEADER}
fn level(i: u32) -> u32 { return u32(clamp(round(x[i]), 0.0, 255.0)); }

fn apply(v: f32, t: u32, p: Pixel) -> f32 {
  let r = i32(table[t + 1u]);
  let rank = u32((2 * r + 1) * (2 * r + 1) + 1) / 2u;
  var low = 0u;
  var high = 255u;
  while (low < high) {
    let middle = (low + high) / 2u;
    var count = 0u;
    for (var dy = -r; dy <= r; dy++) {
      let line = p.plane + u32(clamp(i32(p.y) + dy, 0, i32(params.height) - 1)) * params.width;
      for (var dx = -r; dx <= r; dx++) {
        count += select(0u, 1u, level(line + u32(clamp(i32(p.x) + dx, 0, i32(params.width) - 1))) <= middle);
      }
    }
    if (count >= rank) { high = middle; } else { low = middle + 1u; }
  }
  return f32(low);
}
`;
