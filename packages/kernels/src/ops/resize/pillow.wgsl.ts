import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

export const PILLOW_PARAMS = paramsStruct('Params', {
  count: d.u32,
  in_size: d.u32,
  out_size: d.u32,
  ksize: d.u32,
  width: d.u32,
});

/**
 * One pass of Pillow's 8-bit separable resampling (Resample.c), integer-exact:
 *   horizontal  x: [L, in] -> y: [L, out]            (L = planes·rows; lines are contiguous)
 *   vertical    x: [P, in, W] -> y: [P, out, W]      (lines are columns)
 * y[o] = clip8((2^21 + Σ_{j < count(o)} u8(x[start(o) + j]) · w(o, j)) >> 22), with w the fixed-point weights
 * (22 fractional bits) and clip8 clamping to 0..255. Table: [start, count] per output, then out × ksize weights.
 * i32 cannot overflow: 2^21 + 255 · Σ positive w ≤ 2^21 + 255 · 1.2 · 2^22 < 2^31 (checked by the launcher).
 * u8(v) = clamp(round(v), 0, 255): inputs are 8-bit values stored as f32.
 */
export const PILLOW_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${PILLOW_PARAMS.wgsl}

${bindingsWgsl(['x', 'table', output('y')])}${FLAT_INDEX_WGSL}
fn u8(v: f32) -> i32 { return i32(clamp(round(v), 0.0, 255.0)); }

fn clip8(accumulator: i32) -> f32 { return f32(clamp(accumulator >> 22u, 0, 255)); }

// Σ over the taps of output o, reading line values at first + j·stride.
fn accumulate(o: u32, first: u32, stride: u32) -> i32 {
  let start = u32(table[2u * o]);
  let taps = u32(table[2u * o + 1u]);
  let weights = 2u * params.out_size + o * params.ksize;
  var accumulator = 1 << 21u;
  for (var j = 0u; j < taps; j++) {
    accumulator += u8(x[first + (start + j) * stride]) * i32(table[weights + j]);
  }
  return accumulator;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn horizontal(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let o = i % params.out_size;
  let line = i / params.out_size;
  y[i] = clip8(accumulate(o, line * params.in_size, 1u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn vertical(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let column = i % params.width;
  let o = (i / params.width) % params.out_size;
  let p = i / (params.width * params.out_size);
  y[i] = clip8(accumulate(o, p * params.in_size * params.width + column, params.width));
}
`;
