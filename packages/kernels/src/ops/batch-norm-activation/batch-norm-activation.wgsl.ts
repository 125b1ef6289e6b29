import { SIGMOID4_WGSL, SIGMOID_WGSL } from '../../wgsl/sigmoid.wgsl.js';
import { output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';
import { d } from 'typegpu';
import { paramsStruct } from '../../runtime/params.js';
import { CHANNEL_SUM_FIELDS, channelPartialWgsl, channelSumWgsl } from '../batch-norm/batch-norm-channels.wgsl.js';

/** Element-wise passes (forward y = f(z), backward dx): `count` values of `channels` channels, rows of `hw`, from flat index `start`. */
export const BATCH_NORM_ACTIVATION_ELEMENT_PARAMS = paramsStruct('Params', { count: d.u32, hw: d.u32, channels: d.u32, start: d.u32 });
/** Per-channel sums of the backward's partials: `chunks` partials per channel, n = N·H·W as a float. */
export const BATCH_NORM_ACTIVATION_SUM_PARAMS = paramsStruct('Params', { ...CHANNEL_SUM_FIELDS, n: d.f32 });

/**
 * The activation f after training-mode BN and its derivative, on z = x̂·γ + β, selected by the ACTIVATION override
 * in the order of gemm/tiles.ts ACTIVATIONS: 0 none, 1 relu, 2 sigmoid, 3 silu (f = z·σ(z), f' = σ(z)·(1 + z·σ(−z)),
 * the unary and activation-backward kernels' forms).
 */
const ACTIVATION_WGSL = /* wgsl */ `
${SIGMOID_WGSL}${SIGMOID4_WGSL}
fn activate4(z: vec4<f32>) -> vec4<f32> {
  switch ACTIVATION {
    case 1u: { return max(z, vec4<f32>(0.0)); }
    case 2u: { return sigmoid4(z); }
    case 3u: { return z * sigmoid4(z); }
    default: { return z; }
  }
}

// f' of one value (the lane-serial partial sums take one value at a time)
fn derivative(z: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return select(0.0, 1.0, z > 0.0); }
    case 2u: { let sigma = sigmoid_pair(z); return sigma.x * sigma.y; }
    case 3u: { let sigma = sigmoid_pair(z); return sigma.x * (1.0 + z * sigma.y); }
    default: { return 1.0; }
  }
}

fn derivative4(z: vec4<f32>) -> vec4<f32> {
  switch ACTIVATION {
    case 1u: { return select(vec4<f32>(0.0), vec4<f32>(1.0), z > vec4<f32>(0.0)); }
    case 2u: { let sigma = sigmoid_pair4(z); return sigma[0] * sigma[1]; }
    case 3u: { let sigma = sigmoid_pair4(z); return sigma[0] * (1.0 + z * sigma[1]); }
    default: { return vec4<f32>(1.0); }
  }
}
`;

export const BATCH_NORM_ACTIVATION_WGSL = /* wgsl */ `
// x: [N, C, H, W]; mean, invstd (the batch's), weight γ, bias β: [C] -> y: [N, C, H, W]
//   y = f(z),  z = (x − mean[c])·(invstd[c]·γ[c]) + β[c]
// main4 (H·W a multiple of 4): lane v takes elements 4v .. 4v+3, one channel, through vec4<f32> views x4, y4;
// main: lane takes element i in [start, count).
override WORKGROUP_SIZE: u32 = 256u;
override ACTIVATION: u32 = 0u;

${BATCH_NORM_ACTIVATION_ELEMENT_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, 'mean', 'invstd', 'weight', 'bias', output('y', 'y4')],
  functions: /* wgsl */ `${ACTIVATION_WGSL}
// (mean, invstd·γ, β) of channel c: z = (x − mean)·scale + β
fn channel(c: u32) -> vec3<f32> {
  return vec3<f32>(mean[c], invstd[c] * weight[c], bias[c]);
}
`,
  vector: `let k = channel((4u * v / params.hw) % params.channels);
  y4[v] = activate4((x4[v] - k.x) * k.y + k.z);`,
  scalar: `let k = channel((i / params.hw) % params.channels);
  y[i] = activate4(vec4<f32>((x[i] - k.x) * k.y + k.z)).x;`,
})}`;

export const BATCH_NORM_ACTIVATION_PARTIAL_WGSL = channelPartialWgsl({
  header: `// dy, x: [N, C, H, W]; mean, invstd, weight γ, bias β: [C] -> partial: [C, chunks] of (Σ g, Σ g·x̂) over chunk k of
// channel c, where x̂ = (x − mean[c])·invstd[c], z = x̂·γ[c] + β[c] and g = dy·f'(z) is the gradient reaching the BN
// output through the activation (z recomputed from x, never stored).`,
  overrides: 'override ACTIVATION: u32 = 0u;',
  channelInputs: ['mean', 'invstd', 'weight', 'bias'],
  channel: { type: 'vec4<f32>', value: 'vec4<f32>(mean[c], invstd[c], weight[c], bias[c])' },
  terms: /* wgsl */ `${ACTIVATION_WGSL}
// (g, g·x̂) of one value of a channel whose (mean, invstd, γ, β) is k
fn terms(d: f32, v: f32, k: vec4<f32>) -> vec2<f32> {
  let xhat = (v - k.x) * k.y;
  let g = d * derivative(xhat * k.z + k.w);
  return vec2<f32>(g, g * xhat);
}
`,
});

export const BATCH_NORM_ACTIVATION_PARAMS_WGSL = channelSumWgsl({
  header: `// partial: [C, chunks] of (Σ g, Σ g·x̂); mean, invstd, weight γ, bias β: [C] ->
//   dbias[c] = Σ g, dweight[c] = Σ g·x̂, and the per-channel table the dx pass reads in two vec4 loads:
//   table[2c] = (mean, invstd, γ, β), table[2c + 1] = (dβ/n, dγ/n, 0, 0).`,
  params: BATCH_NORM_ACTIVATION_SUM_PARAMS,
  bindings: [{ name: 'partial', type: 'vec2<f32>' }, 'mean', 'invstd', 'weight', 'bias', output('dweight'), output('dbias'), { name: 'table', type: 'vec4<f32>', write: true }],
  finish: /* wgsl */ `
fn finish(c: u32, total: vec2<f32>) {
  dbias[c] = total.x;
  dweight[c] = total.y;
  table[2u * c] = vec4<f32>(mean[c], invstd[c], weight[c], bias[c]);
  table[2u * c + 1u] = vec4<f32>(total.x / params.n, total.y / params.n, 0.0, 0.0);
}
`,
});

export const BATCH_NORM_ACTIVATION_INPUT_WGSL = /* wgsl */ `
// dy, x: [N, C, H, W]; table: [C, 2] of vec4 (batch-norm-activation params pass) -> dx: [N, C, H, W], n = N·H·W:
//   dx = (g − dβ/n − x̂·dγ/n)·invstd·γ,  x̂ = (x − mean)·invstd,  g = dy·f'(x̂·γ + β)
// main4 (H·W a multiple of 4): lane v takes elements 4v .. 4v+3, one channel, through vec4<f32> views;
// main: lane takes element i in [start, count).
override WORKGROUP_SIZE: u32 = 256u;
override ACTIVATION: u32 = 0u;

${BATCH_NORM_ACTIVATION_ELEMENT_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'dy', view4: 'dy4' }, { name: 'x', view4: 'x4' }, { name: 'table', type: 'vec4<f32>' }, output('dx', 'dx4')],
  functions: /* wgsl */ `${ACTIVATION_WGSL}
fn grad(d: vec4<f32>, v: vec4<f32>, c: u32) -> vec4<f32> {
  let k = table[2u * c];
  let sums = table[2u * c + 1u];
  let xhat = (v - k.x) * k.y;
  let g = d * derivative4(xhat * k.z + k.w);
  return (g - sums.x - xhat * sums.y) * (k.y * k.z);
}
`,
  vector: 'dx4[v] = grad(dy4[v], x4[v], (4u * v / params.hw) % params.channels);',
  scalar: 'dx[i] = grad(vec4<f32>(dy[i]), vec4<f32>(x[i]), (i / params.hw) % params.channels).x;',
})}`;
