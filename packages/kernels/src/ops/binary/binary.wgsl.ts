import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';

export const BINARY_WGSL = /* wgsl */ `
// a, b broadcast to out: [d0 .. d(rank-1)] (rank <= 8), out[i] = op(a[ia], b[ib]); OP selects op (see BINARY_OPS).
// BROADCAST = false: a, b and out have one shape and are read contiguously.
override OP: u32 = 0u;
override BROADCAST: bool = true;
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  count: u32,
  rank: u32,
  shape: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${FLAT_INDEX_WGSL}
fn apply(u: f32, v: f32) -> f32 {
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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  if (!BROADCAST) {
    out[i] = apply(a[i], b[i]);
    return;
  }
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
  out[i] = apply(a[ia], b[ib]);
}
`;
