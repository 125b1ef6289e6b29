/*
 * Scratch: dispatches of one Linknet training step by kernel, and the step's wall time, for the training fusion of
 * nn.convBatchNorm off (the separate BN and activation ops: the previous path) and on, in one process: counts from
 * one step each, then timed steps alternating off / on so both see the same load. Not a test.
 *   bench/scratch/run.sh bench/scratch/step-dispatches.ts [encoder] [resolution] [batch] [timed rounds]
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { F, nn, optim, scope, Tensor } from '../../packages/autograd/src/index.js';
import { SegmentationModel } from '../../packages/model/src/index.js';

const [encoder = 'efficientnet-b0', resolutionText = '64', batchText = '4', roundsText = '3'] = process.argv.slice(2);
const resolution = Number(resolutionText);
const batch = Number(batchText);
const gpu = await createGpu({ adapter: (process.env.ADAPTER as never) ?? 'lavapipe' });
console.log(`adapter ${gpu.kind}`);

let counts: Map<string, number> | undefined;
const dispatch = gpu.dispatch.bind(gpu);
gpu.dispatch = (call) => {
  if (counts) {
    const name = call.kernel.entryPoint ? `${call.kernel.name}:${call.kernel.entryPoint}` : call.kernel.name;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  dispatch(call);
};

const model = new SegmentationModel(gpu, { encoder: encoder as never, inChannels: 1, classes: 1, seed: 1234 });
const x = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i * 0.618) % 1), [batch, 1, resolution, resolution]);
const target = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i % 7 < 3 ? 1 : 0)), [batch, 1, resolution, resolution]);
const optimizer = new optim.Adam(model.parameters(), { learningRate: 1e-3 });
model.train();
const record = (fusion: boolean): void => {
  nn.setTrainingFusion(fusion);
  const loss = scope(() => F.diceLoss(model.forward(x), target));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  loss.dispose();
};
const step = async (fusion: boolean): Promise<number> => {
  const start = performance.now();
  record(fusion);
  await gpu.sync();
  return performance.now() - start;
};

const modes = [false, true];
const byMode = new Map<boolean, Map<string, number>>();
for (const fusion of modes) {
  await step(fusion); // compiles this mode's pipelines
  counts = new Map();
  await step(fusion);
  byMode.set(fusion, counts);
  counts = undefined;
}
const total = (map: Map<string, number>): number => [...map.values()].reduce((a, b) => a + b, 0);
console.log(`${encoder} ${resolution}² b${batch} training step: dispatches by kernel, fusion off / on`);
const names = [...new Set([...byMode.get(false)!.keys(), ...byMode.get(true)!.keys()])];
names.sort((a, b) => (byMode.get(false)!.get(b) ?? 0) - (byMode.get(false)!.get(a) ?? 0));
for (const name of names) console.log(`  ${name.padEnd(48)} ${String(byMode.get(false)!.get(name) ?? 0).padStart(5)} ${String(byMode.get(true)!.get(name) ?? 0).padStart(5)}`);
console.log(`  ${'total'.padEnd(48)} ${String(total(byMode.get(false)!)).padStart(5)} ${String(total(byMode.get(true)!)).padStart(5)}`);
const times = new Map<boolean, number[]>(modes.map((mode) => [mode, []]));
for (let round = 0; round < Number(roundsText); round++) for (const fusion of modes) times.get(fusion)!.push(await step(fusion));
for (const fusion of modes) {
  const sorted = [...times.get(fusion)!].sort((a, b) => a - b);
  console.log(`fusion ${fusion ? 'on ' : 'off'}: step wall ms ${times.get(fusion)!.map((t) => t.toFixed(0)).join(' ')} (median ${sorted[sorted.length >> 1]!.toFixed(0)})`);
}

// GPU time (timestamp queries, one profiled step per mode) of the kernels the fusion touches and of the whole step.
const touched = /^(batchNorm2d|unary\.(silu|relu|sigmoid)|siluBackward|reluBackward|sigmoidBackward|binary\.add|globalAvgPool2d|channelScale|squeezeExcitation)/;
for (const fusion of modes) {
  const profile = await gpu.profile(() => record(fusion));
  const bn = profile.byKernel.filter((entry) => touched.test(entry.kernel));
  const ms = bn.reduce((sum, entry) => sum + entry.gpuMs, 0);
  const n = bn.reduce((sum, entry) => sum + entry.dispatches, 0);
  console.log(`fusion ${fusion ? 'on ' : 'off'}: profiled step ${profile.gpuMs.toFixed(0)} ms GPU in ${profile.dispatches} dispatches; BN, activation, counter and SE-piece kernels (gemm excluded) ${ms.toFixed(1)} ms in ${n}`);
  for (const entry of bn) console.log(`    ${entry.kernel.padEnd(60)} ${entry.gpuMs.toFixed(2).padStart(8)} ms ${String(entry.dispatches).padStart(4)}x`);
}
