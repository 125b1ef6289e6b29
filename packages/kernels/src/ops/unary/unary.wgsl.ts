import { FLAT_PARAMS } from '../../runtime/flat.js';
import { output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';
import { SIGMOID4_WGSL } from '../../wgsl/sigmoid.wgsl.js';

/** Op codes of the `OP` override, in the order of UNARY_OPS. */
export const UNARY_WGSL = /* wgsl */ `
// x: [count] -> y: [count], y[i] = op(x[i]); OP selects op (see UNARY_OPS).
// main4: lane v takes elements 4v .. 4v+3 (x4, y4: the same buffers as vec4<f32>), v < count / 4.
// main:  lane takes element i in [start, count) (the tail after main4, or the whole range).
override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

${FLAT_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, output('y', 'y4')],
  functions: /* wgsl */ `${SIGMOID4_WGSL}
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
`,
  vector: 'y4[v] = apply(x4[v]);',
  scalar: 'y[i] = apply(vec4<f32>(x[i])).x;',
})}`;
