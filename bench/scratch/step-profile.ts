/*
 * Scratch: GPU time of one Linknet training step (or forward) per dispatch, grouped by kernel, caller and shape
 * (gemm: M x N x K, splits, batch), to see which layers of a model step the per-kernel profile's top entries are.
 * Not a test.  bench/scratch/run.sh bench/scratch/step-profile.ts [encoder] [resolution] [batch] [forward|train]
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { DispatchProfiler, profileName } from '../../packages/kernels/src/runtime/profiler.js';
import { F, noGrad, optim, scope, Tensor } from '../../packages/autograd/src/index.js';
import { SegmentationModel } from '../../packages/model/src/index.js';

const [encoder = 'efficientnet-b0', resolutionText = '64', batchText = '4', pass = 'train'] = process.argv.slice(2);
const resolution = Number(resolutionText);
const batch = Number(batchText);
const gpu = await createGpu({ adapter: (process.env.ADAPTER as never) ?? 'lavapipe' });

let tag = '';
const dispatch = gpu.dispatch.bind(gpu);
gpu.dispatch = (call) => {
  const frames = (new Error().stack ?? '').split('\n').slice(2, 6).map((line) => /at (?:Object\.)?(\S+)/.exec(line)?.[1] ?? '?');
  const caller = frames.find((name) => !/^(dispatch|dispatchFlat|gemm|reduce|Array\.|forEach|<anonymous>)/.test(name)) ?? frames[0];
  let shape = `wg ${call.workgroups.join('x')}`;
  if (call.kernel.name === 'gemm' && call.uniforms) {
    const u = new Uint32Array(call.uniforms as ArrayBuffer);
    shape = `M${u[0]} N${u[1]} K${u[2]} s${u[3]} b${u[13]! / (u[0]! * u[1]!)} ${shape}`;
  }
  tag = ` <${caller}> ${shape}`;
  dispatch(call);
};
const original = DispatchProfiler.prototype.timestampWrites;
DispatchProfiler.prototype.timestampWrites = function (kernel) {
  const writes = original.call(this, kernel);
  const chunk = (this as unknown as { open: { dispatches: { name: string }[] }[] }).open.at(-1)!;
  chunk.dispatches.at(-1)!.name = profileName(kernel) + tag;
  return writes;
};

const model = new SegmentationModel(gpu, { encoder: encoder as never, inChannels: 1, classes: 1, seed: 1234 });
const x = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i * 0.618) % 1), [batch, 1, resolution, resolution]);
const target = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i % 7 < 3 ? 1 : 0)), [batch, 1, resolution, resolution]);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const run = () => {
  if (pass === 'forward') {
    model.eval();
    scope(() => noGrad(() => model.forward(x))).dispose();
    return;
  }
  model.train();
  const loss = scope(() => F.diceLoss(model.forward(x), target));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  loss.dispose();
};
for (let i = 0; i < 2; i++) {
  run();
  await gpu.sync();
}
const profile = await gpu.profile(run);
const top = Number(process.env.TOP ?? 60);
console.log(`${profile.gpuMs.toFixed(1)} ms of GPU time in ${profile.dispatches} dispatches (wall ${profile.wallMs.toFixed(0)} ms)`);
const families = new Map<string, { ms: number; n: number }>();
for (const entry of profile.byKernel) {
  const family = entry.kernel.split(' ')[0]!;
  const f = families.get(family) ?? { ms: 0, n: 0 };
  f.ms += entry.gpuMs;
  f.n += entry.dispatches;
  families.set(family, f);
}
for (const [name, f] of [...families].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`  ${name.padEnd(48)} ${f.ms.toFixed(1).padStart(7)} ms ${String(f.n).padStart(5)}x`);
console.log('--- by kernel, caller, shape');
for (const entry of profile.byKernel.slice(0, top)) console.log(`  ${entry.kernel.padEnd(100)} ${entry.gpuMs.toFixed(2).padStart(7)} ms ${String(entry.dispatches).padStart(4)}x`);
