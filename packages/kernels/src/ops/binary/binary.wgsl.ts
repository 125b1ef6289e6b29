import { d } from 'typegpu';
import { paramsStruct } from '../../runtime/params.js';
import { output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';

export const BINARY_PARAMS = paramsStruct('Params', {
  count: d.u32,
  rank: d.u32,
  start: d.u32,
  shape: d.arrayOf(d.vec4u, 2),
  a_strides: d.arrayOf(d.vec4u, 2),
  b_strides: d.arrayOf(d.vec4u, 2),
});

export const BINARY_WGSL = /* wgsl */ `
// a, b broadcast to out: [d0 .. d(rank-1)] (rank <= 8, axes coalesced by the launcher), out[i] = op(a[ia], b[ib]);
// OP selects op (see BINARY_OPS). BROADCAST = false: a, b and out have one shape and are read contiguously.
// main4_*: lane v takes out[4v .. 4v+3] (v < count / 4) through vec4<f32> views; the launcher picks them only when the
//   last axis has a multiple of 4 elements or is the only axis, so the 4 elements share every coordinate but the
//   last. An operand with stride 1 along it is read as one vec4 (a4, b4: main4_vv, main4_vs, main4_sv); one with
//   stride 0 (broadcast along it) as one f32 for all 4.
// main: lane takes out[i], i in [start, count) (the tail after main4_*, or the whole range).
override OP: u32 = 0u;
override BROADCAST: bool = true;
override WORKGROUP_SIZE: u32 = 256u;

${BINARY_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'a', view4: 'a4' }, { name: 'b', view4: 'b4' }, output('out', 'out4')],
  functions: /* wgsl */ `
fn apply(u: vec4<f32>, v: vec4<f32>) -> vec4<f32> {
  switch OP {
    case 0u: { return u + v; }
    case 1u: { return u - v; }
    case 2u: { return u * v; }
    case 3u: { return u / v; }
    case 4u: { return max(u, v); }
    case 5u: { return min(u, v); }
    default: { return u; }
  }
}

// (ia, ib): the elements of a and b that out[i] reads.
fn operands(i: u32) -> vec2<u32> {
  if (!BROADCAST) { return vec2<u32>(i); }
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var axis = i32(params.rank) - 1; axis >= 0; axis--) {
    let size = params.shape[axis / 4][axis % 4];
    let coordinate = rest % size;
    rest = rest / size;
    ia += coordinate * params.a_strides[axis / 4][axis % 4];
    ib += coordinate * params.b_strides[axis / 4][axis % 4];
  }
  return vec2<u32>(ia, ib);
}
`,
  vector: {
    main4_vv: `let o = operands(4u * v);
  out4[v] = apply(a4[o.x / 4u], b4[o.y / 4u]);`,
    main4_vs: `let o = operands(4u * v);
  out4[v] = apply(a4[o.x / 4u], vec4<f32>(b[o.y]));`,
    main4_sv: `let o = operands(4u * v);
  out4[v] = apply(vec4<f32>(a[o.x]), b4[o.y / 4u]);`,
  },
  scalar: `let o = operands(i);
  out[i] = apply(vec4<f32>(a[o.x]), vec4<f32>(b[o.y])).x;`,
})}`;
