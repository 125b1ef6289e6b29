import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { PCG_HASH_WGSL } from '../../wgsl/pcg.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';

/** The Params of every augmentation kernel: `count` = N·H·W pixels of H x W images, table rows of `stride` values. */
export const AUGMENT_PARAMS = paramsStruct('Params', { count: d.u32, height: d.u32, width: d.u32, stride: d.u32 });

/**
 * WGSL shared by the augmentation kernels. Every augmentation kernel walks the pixels of a batch
 *   images, masks: [N, 1, H, W], pixel i = (n·H + y)·W + x,
 * reads its per-sample parameters from `table: [N, stride]` (row n starts at n·stride, table[n·stride] = enabled)
 * and declares AUGMENT_PARAMS's struct at @binding(0).
 */
export const AUGMENT_COMMON_WGSL = /* wgsl */ `${FLAT_INDEX_WGSL}
// Pixel i of a [N, 1, H, W] batch: sample n, row y, column x; plane = n·H·W, the first element of sample n.
struct Pixel { n: u32, y: u32, x: u32, plane: u32 }

fn pixel_at(i: u32) -> Pixel {
  let size = params.height * params.width;
  let n = i / size;
  let r = i - n * size;
  let y = r / params.width;
  return Pixel(n, y, r - y * params.width, n * size);
}

// pcg_hash (wgsl/pcg.wgsl.ts): the stream of a seed is bits(seed, k) = pcg_hash(k + pcg_hash(seed)).
${PCG_HASH_WGSL}
// A u32 seed kept in the f32 table as two 16-bit halves (f32 holds integers below 2^24 exactly).
fn table_seed(k: u32) -> u32 {
  return u32(table[k]) | (u32(table[k + 1u]) << 16u);
}

// a mod b in [0, b) for 0 < b < 2^23, |a| < 2^24: the quotient from f32 division, corrected by one step either way
// (cheaper than integer % on CPU adapters, exact for these ranges).
fn imod(a: i32, b: i32) -> i32 {
  var r = a - b * i32(floor(f32(a) / f32(b)));
  r = select(r, r + b, r < 0);
  return select(r, r - b, r >= b);
}

// OpenCV borderInterpolate for an axis of length len ≥ 1: index i ↦ [0, len), or -1 for the constant border.
// mode 0 constant (BORDER_CONSTANT), 1 edge (REPLICATE, aaa|abcd|ddd), 2 symmetric (REFLECT, cba|abcd|dcb),
// 3 reflect (REFLECT_101, dcb|abcd|cba), 4 wrap (WRAP, bcd|abcd|abc); imgaug's names. The reflections are
// periodic: symmetric with period 2·len (q ↦ 2·len − 1 − q on the second half), reflect with 2·len − 2.
fn border_index(i: i32, len: i32, mode: u32) -> i32 {
  if (i >= 0 && i < len) { return i; }
  if (mode <= 1u) { return select(-1, clamp(i, 0, len - 1), mode == 1u); }
  let period = select(len, select(max(2 * len - 2, 1), 2 * len, mode == 2u), mode <= 3u);
  let q = imod(i, period);
  let mirrored = select(2 * len - 2 - q, 2 * len - 1 - q, mode == 2u);
  return select(q, mirrored, mode <= 3u && q >= len);
}
`;

/**
 * The entry point `main` of a per-pixel augmentation kernel: lane i < count takes pixel p = pixel_at(i) of sample n,
 * whose table row starts at t = n·stride; a disabled row (table[t] = 0) runs `copy` (the pixel passes unchanged), an
 * enabled one `body`.
 */
export function augmentMainWgsl(copy: string, body: string): string {
  return /* wgsl */ `
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let p = pixel_at(i);
  let t = p.n * params.stride;
  if (table[t] == 0.0) {
    ${copy.trim()}
    return;
  }
  ${body.trim()}
}
`;
}
