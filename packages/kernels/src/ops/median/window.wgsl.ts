import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';

export const WINDOW_PARAMS = paramsStruct('Params', { count: d.u32, height: d.u32, width: d.u32, radius: d.u32 });

/**
 * Separable k × k window passes with replicate borders (clamped coordinates), centred windows, r = (k − 1)/2:
 *   rows          x: [P, H, W] -> y: [P, H, W], y[p, h, w] = ⊕_{|d| ≤ r} f(x[p, h, clamp(w + d, 0, W − 1)])
 *   columns       x: [P, H, W] -> y: [P, H, W], y[p, h, w] = ⊕_{|d| ≤ r} x[p, clamp(h + d, 0, H − 1), w]
 *   mask_columns  counts: [P, H, W], x: [P, H, W] -> y: [P, H, W] (the binary-mask median family, below)
 *   differ        a, b: [P, H, W] -> y: [P, H, W], y = 255 where a ≠ b, else 0
 * OP: 0 count (f(v) = [v ≥ 128], ⊕ = +; columns then add the row counts), 1 max, 2 min.
 * For a binary mask (0/255), count(p) = #foreground in the k × k window, exact in f32 (≤ 961), and
 *   median = 255 iff count ≥ (k² + 1)/2;   band (dilation ≠ erosion) iff 0 < count < k².
 * MODE of mask_columns: 0 median, 1 edge median (median in the band, x elsewhere), 2 band (255 in the band).
 */
export const WINDOW_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;
override OP: u32 = 0u;
override MODE: u32 = 0u;

${WINDOW_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
${FLAT_INDEX_WGSL}
struct Pixel { plane: u32, h: u32, w: u32 }

fn pixel(i: u32) -> Pixel {
  let w = i % params.width;
  let h = (i / params.width) % params.height;
  return Pixel(i - h * params.width - w, h, w);
}

// Neighbour d − r of t along an axis of length n, clamped to the image (replicate border).
fn clamped(t: u32, d: u32, n: u32) -> u32 {
  return u32(clamp(i32(t) + i32(d) - i32(params.radius), 0, i32(n) - 1));
}

fn combine(acc: f32, v: f32) -> f32 {
  switch OP {
    case 1u: { return max(acc, v); }
    case 2u: { return min(acc, v); }
    default: { return acc + v; }
  }
}
`;

export const WINDOW_PASS_WGSL = /* wgsl */ `${WINDOW_WGSL}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let at = pixel(i);
  let line = at.plane + at.h * params.width;
  var acc = select(x[line + clamped(at.w, 0u, params.width)], 0.0, OP == 0u);
  for (var d = 0u; d <= 2u * params.radius; d++) {
    let v = x[line + clamped(at.w, d, params.width)];
    acc = combine(acc, select(v, select(0.0, 1.0, v >= 128.0), OP == 0u));
  }
  y[i] = acc;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn columns(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let at = pixel(i);
  var acc = select(x[at.plane + clamped(at.h, 0u, params.height) * params.width + at.w], 0.0, OP == 0u);
  for (var d = 0u; d <= 2u * params.radius; d++) {
    acc = combine(acc, x[at.plane + clamped(at.h, d, params.height) * params.width + at.w]);
  }
  y[i] = acc;
}
`;

export const WINDOW_MASK_WGSL = /* wgsl */ `${WINDOW_WGSL}
@group(0) @binding(1) var<storage, read> counts: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn mask_columns(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let at = pixel(i);
  var count = 0.0;
  for (var d = 0u; d <= 2u * params.radius; d++) {
    count += counts[at.plane + clamped(at.h, d, params.height) * params.width + at.w];
  }
  let k = f32(2u * params.radius + 1u);
  let median = select(0.0, 255.0, count >= (k * k + 1.0) * 0.5);
  let band = count > 0.0 && count < k * k;
  switch MODE {
    case 1u: { y[i] = select(x[i], median, band); }
    case 2u: { y[i] = select(0.0, 255.0, band); }
    default: { y[i] = median; }
  }
}
`;

export const DIFFER_WGSL = /* wgsl */ `${WINDOW_WGSL}
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn differ(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  y[i] = select(0.0, 255.0, a[i] != b[i]);
}
`;
