import { FLAT_PARAMS } from '../../runtime/flat.js';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { SIGMOID4_WGSL } from '../../wgsl/sigmoid.wgsl.js';

/** Op codes of the `OP` override, in the order of UNARY_OPS. */
export const UNARY_WGSL = /* wgsl */ `
// x: [count] -> y: [count], y[i] = op(x[i]); OP selects op (see UNARY_OPS).
// main4: lane v takes elements 4v .. 4v+3 (x4, y4: the same buffers as vec4<f32>), v < count / 4.
// main:  lane takes element i in [start, count) (the tail after main4, or the whole range).
override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

${FLAT_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y4: array<vec4<f32>>;
${FLAT_INDEX_WGSL}${SIGMOID4_WGSL}
fn apply(v: vec4<f32>) -> vec4<f32> {
  switch OP {
    case 0u: { return max(v, vec4<f32>(0.0)); } // relu
    case 1u: { return sigmoid4(v); }          // sigmoid
    case 2u: { return v * sigmoid4(v); }      // silu (swish)
    case 3u: { return exp(v); }               // exp
    case 4u: { return log(v); }               // log
    case 5u: { return -v; }                   // neg
    case 6u: { return sqrt(v); }              // sqrt
    case 7u: { return abs(v); }               // abs
    case 8u: { return v * v; }                // square
    case 9u: { return 1.0 / v; }              // reciprocal
    case 10u: {                               // tanh = 2 sigma(2v) - 1, stable for any |v|
      return 2.0 * sigmoid4(2.0 * v) - 1.0;
    }
    default: { return v; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let v = flat_index(gid, groups, WORKGROUP_SIZE);
  if (v >= params.count / 4u) { return; }
  y4[v] = apply(x4[v]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = params.start + flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) { return; }
  y[i] = apply(vec4<f32>(x[i])).x;
}
`;
