import { d } from 'typegpu';
import { CHANNEL_SUM_FIELDS, channelPartialWgsl, channelSumWgsl } from './batch-norm-channels.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';
import { output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';

export const BATCH_NORM_GRAD_PARAMS_PARAMS = paramsStruct('Params', CHANNEL_SUM_FIELDS);
export const BATCH_NORM_GRAD_INPUT_PARAMS = paramsStruct('Params', {
  count: d.u32,
  hw: d.u32,
  channels: d.u32,
  n: d.f32,
  start: d.u32,
});

export const BATCH_NORM_GRAD_PARTIAL_WGSL = channelPartialWgsl({
  header: `// dy, x: [N, C, H, W]; mean, invstd: [C] -> partial: [C, chunks] of (Σ dy, Σ dy·x̂) over chunk k of channel c,
// x̂ = (x − mean[c])·invstd[c].`,
  channelInputs: ['mean', 'invstd'],
  channel: { type: 'vec2<f32>', value: 'vec2<f32>(mean[c], invstd[c])' },
  terms: /* wgsl */ `
// (dy, dy·x̂) of one value of a channel whose (mean, invstd) is k
fn terms(d: f32, v: f32, k: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(d, d * ((v - k.x) * k.y));
}
`,
});

export const BATCH_NORM_GRAD_PARAMS_WGSL = channelSumWgsl({
  header: '// partial: [C, chunks] of (Σ dy, Σ dy·x̂) -> dbias[c] = Σ_k partial[c, k].x = Σ dy, dweight[c] = Σ_k partial[c, k].y = Σ dy·x̂',
  params: BATCH_NORM_GRAD_PARAMS_PARAMS,
  bindings: [{ name: 'partial', type: 'vec2<f32>' }, output('dweight'), output('dbias')],
  finish: /* wgsl */ `
fn finish(c: u32, total: vec2<f32>) {
  dbias[c] = total.x;
  dweight[c] = total.y;
}
`,
});

export const BATCH_NORM_GRAD_INPUT_WGSL = /* wgsl */ `
// dy, x: [N, C, H, W]; mean, invstd, weight γ, dweight, dbias: [C] -> dx: [N, C, H, W], n = N·H·W:
//   dx = (dy − dβ/n − x̂·dγ/n)·invstd·γ,  x̂ = (x − mean)·invstd,  dβ = Σ dy,  dγ = Σ dy·x̂
// main4 (H·W a multiple of 4): lane v takes elements 4v .. 4v+3, one channel, through vec4<f32> views;
// main: lane takes element i in [start, count).
override WORKGROUP_SIZE: u32 = 256u;

${BATCH_NORM_GRAD_INPUT_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'dy', view4: 'dy4' }, { name: 'x', view4: 'x4' }, 'mean', 'invstd', 'weight', 'dweight', 'dbias', output('dx', 'dx4')],
  functions: /* wgsl */ `
// Channel c's (mean, invstd, dβ/n, dγ/n) and invstd·γ.
struct Channel { mean: f32, s: f32, dbias_n: f32, dweight_n: f32, gain: f32 }

fn channel(c: u32) -> Channel {
  let s = invstd[c];
  return Channel(mean[c], s, dbias[c] / params.n, dweight[c] / params.n, s * weight[c]);
}
`,
  vector: `let k = channel((4u * v / params.hw) % params.channels);
  let xhat = (x4[v] - k.mean) * k.s;
  dx4[v] = (dy4[v] - k.dbias_n - xhat * k.dweight_n) * k.gain;`,
  scalar: `let k = channel((i / params.hw) % params.channels);
  let xhat = (x[i] - k.mean) * k.s;
  dx[i] = (dy[i] - k.dbias_n - xhat * k.dweight_n) * k.gain;`,
})}`;
