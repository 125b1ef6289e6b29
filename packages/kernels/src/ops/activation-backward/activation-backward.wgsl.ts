import { FLAT_PARAMS } from '../../runtime/flat.js';
import { output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';
import { SIGMOID4_WGSL } from '../../wgsl/sigmoid.wgsl.js';

/** Op codes of the `OP` override, in the order of ACTIVATION_BACKWARD_OPS. */
export const ACTIVATION_BACKWARD_WGSL = /* wgsl */ `
// x, dy: [count] -> dx: [count], dx[i] = dy[i]·f'(x[i]) for the activation f selected by OP:
//   0 relu:    f' = [x > 0]
//   1 sigmoid: f' = σ(x)·(1 − σ(x)) = σ(x)·σ(−x)
//   2 silu:    f = x·σ(x),  f' = σ(x)·(1 + x·σ(−x))
// With e = e^−|x| (never overflows): σ(|x|) = 1/(1 + e), σ(−|x|) = e/(1 + e); σ(−x) replaces 1 − σ(x), which would
// cancel, so f' keeps its relative precision out to |x| = 87.
// main4: lane v takes elements 4v .. 4v+3 through the vec4<f32> views x4, dy4, dx4, v < count / 4;
// main:  lane takes element i in [start, count) (the tail after main4, or the whole range).
override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

${FLAT_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, { name: 'dy', view4: 'dy4' }, output('dx', 'dx4')],
  functions: /* wgsl */ `${SIGMOID4_WGSL}
fn derivative(v: vec4<f32>) -> vec4<f32> {
  switch OP {
    case 0u: { return select(vec4<f32>(0.0), vec4<f32>(1.0), v > vec4<f32>(0.0)); }
    case 1u: { let sigma = sigmoid_pair4(v); return sigma[0] * sigma[1]; }
    case 2u: { let sigma = sigmoid_pair4(v); return sigma[0] * (1.0 + v * sigma[1]); }
    default: { return vec4<f32>(0.0); }
  }
}
`,
  vector: 'dx4[v] = dy4[v] * derivative(x4[v]);',
  scalar: 'dx[i] = dy[i] * derivative(vec4<f32>(x[i])).x;',
})}`;
