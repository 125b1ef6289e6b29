import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

export const RESIZE_PARAMS = paramsStruct('Params', {
  planes: d.u32,
  in_h: d.u32,
  in_w: d.u32,
  out_h: d.u32,
  out_w: d.u32,
  col_table: d.u32,
  count: d.u32,
  never: d.u32,
});

/**
 * Table-driven resampling on planes (N·C of them). Entry points:
 *   bilinear          x: [P, H, W] -> y: [P, OH, OW]   (PyTorch bilinear, align_corners = false)
 *   bilinear_backward dy: [P, OH, OW] -> dx: [P, H, W] (its adjoint, gathered over transposed tables)
 *   nearest           x: [P, H, W] -> y: [P, OH, OW]   (Pillow NEAREST)
 * The tables (resize-tables.ts) hold integers exactly as f32: the row section starts at 0, the column section at
 * params.col_table.
 */
export const RESIZE_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${RESIZE_PARAMS.wgsl}

${bindingsWgsl(['x', 'table', output('y')])}${FLAT_INDEX_WGSL}
fn at(i: u32) -> u32 { return u32(table[i]); }

// Error-free transforms: a + b = s + e and a·b = p + e exactly. \`opaque\` is an identity the compiler cannot see
// through (an XOR with params.never = 0): it keeps algebraic simplification from folding the error terms (lavapipe
// folds them to 0; NVIDIA rewrites s − (s − a) to a, wrong when |b| > |a|) and a product from being contracted into
// the sum that consumes it. The product error uses Dekker's method on 12-bit halves split by masking the mantissa
// (every partial product exact), so it needs no fused multiply-add (lavapipe and SwiftShader do not fuse \`fma\`).
fn opaque(v: f32) -> f32 { return bitcast<f32>(bitcast<u32>(v) ^ params.never); }

fn two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = opaque(a + b);
  let bb = opaque(s - a);
  return vec2<f32>(s, (a - (s - bb)) + (b - bb));
}

fn split(a: f32) -> vec2<f32> {
  let high = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
  return vec2<f32>(high, a - high);
}

fn two_prod(a: f32, b: f32) -> vec2<f32> {
  let p = opaque(a * b);
  let u = split(a);
  let v = split(b);
  return vec2<f32>(p, ((u.x * v.x - p) + u.x * v.y + u.y * v.x) + u.y * v.y);
}

// u·wu + v·wv as an unevaluated pair (hi, lo) carrying ~44 bits.
fn dot2(u: f32, wu: f32, v: f32, wv: f32) -> vec2<f32> {
  let pu = two_prod(u, wu);
  let pv = two_prod(v, wv);
  let s = two_sum(pu.x, pv.x);
  return vec2<f32>(s.x, s.y + pu.y + pv.y);
}

// Forward table rows: [i0, i1, λ0, λ1].
// y[p, oy, ox] = λ0(oy)·(λ0(ox) x[p, i0(oy), i0(ox)] + λ1(ox) x[p, i0(oy), i1(ox)])
//              + λ1(oy)·(λ0(ox) x[p, i1(oy), i0(ox)] + λ1(ox) x[p, i1(oy), i1(ox)])
// evaluated with compensated products and sums and rounded once, so y is within ~½ ulp of the exact value of
// these float32 weights (PyTorch's own float32 result is within 1 ulp of it: together ≤ 6e-8 on [0, 1] maps).
@compute @workgroup_size(WORKGROUP_SIZE)
fn bilinear(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let ox = i % params.out_w;
  let oy = (i / params.out_w) % params.out_h;
  let p = i / (params.out_w * params.out_h);
  let r = oy * 4u;
  let c = params.col_table + ox * 4u;
  let row0 = (p * params.in_h + at(r)) * params.in_w;
  let row1 = (p * params.in_h + at(r + 1u)) * params.in_w;
  let c0 = at(c);
  let c1 = at(c + 1u);
  let top = dot2(x[row0 + c0], table[c + 2u], x[row0 + c1], table[c + 3u]);
  let bottom = dot2(x[row1 + c0], table[c + 2u], x[row1 + c1], table[c + 3u]);
  let h0 = table[r + 2u];
  let h1 = table[r + 3u];
  let sum = dot2(top.x, h0, bottom.x, h1);
  y[i] = sum.x + (sum.y + (top.y * h0 + bottom.y * h1));
}

// Adjoint tables (CSR): offsets[in + 1], then (o, w) pairs; rows at 0 (in_h + 1 offsets), columns at col_table.
// dx[p, iy, ix] = Σ_{(oy, wy) ∈ rows(iy)} wy · Σ_{(ox, wx) ∈ cols(ix)} wx · dy[p, oy, ox]
// Here x is dy [P, OH, OW] and y is dx [P, H, W].
@compute @workgroup_size(WORKGROUP_SIZE)
fn bilinear_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let ix = i % params.in_w;
  let iy = (i / params.in_w) % params.in_h;
  let p = i / (params.in_w * params.in_h);
  let row_entries = params.in_h + 1u;
  let col_entries = params.col_table + params.in_w + 1u;
  let col_first = at(params.col_table + ix);
  let col_last = at(params.col_table + ix + 1u);
  var total = 0.0;
  for (var e = at(iy); e < at(iy + 1u); e++) {
    let oy = at(row_entries + 2u * e);
    let base = (p * params.out_h + oy) * params.out_w;
    var line = 0.0;
    for (var f = col_first; f < col_last; f++) {
      line += table[col_entries + 2u * f + 1u] * x[base + at(col_entries + 2u * f)];
    }
    total += table[row_entries + 2u * e + 1u] * line;
  }
  y[i] = total;
}

// Nearest tables: one source index per output (-1: outside the source, written as 0).
// y[p, oy, ox] = x[p, ry(oy), rx(ox)]
@compute @workgroup_size(WORKGROUP_SIZE)
fn nearest(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  let ox = i % params.out_w;
  let oy = (i / params.out_w) % params.out_h;
  let p = i / (params.out_w * params.out_h);
  let sy = table[oy];
  let sx = table[params.col_table + ox];
  if (sy < 0.0 || sx < 0.0) {
    y[i] = 0.0;
    return;
  }
  y[i] = x[(p * params.in_h + u32(sy)) * params.in_w + u32(sx)];
}
`;
