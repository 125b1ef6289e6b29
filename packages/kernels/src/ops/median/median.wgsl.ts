import { d } from 'typegpu';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

export const MEDIAN_PARAMS = paramsStruct('Params', { height: d.u32, width: d.u32, radius: d.u32 });
/**
 * k × k median of 8-bit images, exact, replicate borders, centred windows (r = (k − 1)/2, k odd ≤ 31):
 *   x: [P, H, W] (values 0..255 as f32; others are rounded and clamped) -> y: [P, H, W]
 * y[p, h, w] = the ((k² + 1)/2)-th smallest of { x[p, clamp(h + i), clamp(w + j)] : |i|, |j| ≤ r }.
 * Huang's running histogram: invocation (w, s, p) owns column w of plane p, rows [s·ROWS, (s + 1)·ROWS). It builds
 * the 256-bin histogram of its first window (k² adds), then slides down one row at a time (k removals, k adds) and
 * reads the median off a two-level histogram (16 coarse bins of 16): O(k) per output instead of O(k²).
 * EDGE = true (edge median filter): where the window is constant (dilation = erosion, i.e. hist[centre] = k²) the
 * output is the input and the search is skipped; the median of a constant window is that value, so EDGE changes
 * only the work, never the result.
 */
export const MEDIAN_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 64u;
override ROWS: u32 = 32u;
override EDGE: bool = false;

${MEDIAN_PARAMS.wgsl}

${bindingsWgsl(['x', output('y')])}
var<private> fine: array<u32, 256>;
var<private> coarse: array<u32, 16>;

fn level(i: u32) -> u32 { return u32(clamp(round(x[i]), 0.0, 255.0)); }

fn clamped(t: u32, d: i32, n: u32) -> u32 { return u32(clamp(i32(t) + d, 0, i32(n) - 1)); }

// Adds (delta = 1) or removes (delta = 0xffffffff, i.e. −1 mod 2^32) the k pixels of row h around column w.
fn update_row(line: u32, w: u32, delta: u32) {
  let r = i32(params.radius);
  for (var j = -r; j <= r; j++) {
    let v = level(line + clamped(w, j, params.width));
    fine[v] += delta;
    coarse[v >> 4u] += delta;
  }
}

fn median(rank: u32) -> u32 {
  var below = 0u;
  var bin = 0u;
  while (below + coarse[bin] < rank) {
    below += coarse[bin];
    bin++;
  }
  var v = bin * 16u;
  while (below + fine[v] < rank) {
    below += fine[v];
    v++;
  }
  return v;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let w = gid.x;
  let first = gid.y * ROWS;
  if (w >= params.width || first >= params.height) { return; }
  let plane = gid.z * params.height * params.width;
  let r = i32(params.radius);
  let k = 2u * params.radius + 1u;
  let rank = (k * k + 1u) / 2u;
  for (var i = -r; i <= r; i++) {
    update_row(plane + clamped(first, i, params.height) * params.width, w, 1u);
  }
  let last = min(first + ROWS, params.height);
  for (var h = first; h < last; h++) {
    if (h > first) {
      update_row(plane + clamped(h, -r - 1, params.height) * params.width, w, 0xffffffffu);
      update_row(plane + clamped(h, r, params.height) * params.width, w, 1u);
    }
    let i = plane + h * params.width + w;
    if (EDGE && fine[level(i)] == k * k) {
      y[i] = x[i];
    } else {
      y[i] = f32(median(rank));
    }
  }
}
`;
