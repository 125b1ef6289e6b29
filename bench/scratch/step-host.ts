/*
 * Scratch: host cost of Linknet training steps run the way train/fold.ts runs them (each step's loss read back one
 * step behind, so the device works on step s while step s + 1 is recorded). Blocks of steps alternate between
 * `gpu.gentleWaits` off and on in the same process; per variant it prints the medians of wall-clock per step
 * (images/s), JavaScript recording time per step and process CPU time per step (user + system, lavapipe's worker
 * threads included), with the dispatches, submits and bind groups created of a step and the losses (equal across builds for a seed).
 * Not a test.  bench/scratch/run.sh bench/scratch/step-host.ts [encoder] [resolution] [batch] [blocks] [steps per block]
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { F, optim, scope, Tensor } from '../../packages/autograd/src/index.js';
import { SegmentationModel } from '../../packages/model/src/index.js';

const [encoder = 'efficientnet-b0', resolutionText = '64', batchText = '4', blocksText = '4', stepsText = '3'] = process.argv.slice(2);
const [resolution, batch, blocks, stepsPerBlock] = [Number(resolutionText), Number(batchText), Number(blocksText), Number(stepsText)];
const variants = (process.env.VARIANTS ?? 'busy,gentle').split(',');
const gpu = await createGpu({ adapter: (process.env.ADAPTER as never) ?? 'lavapipe' });
const model = new SegmentationModel(gpu, { encoder: encoder as never, inChannels: 1, classes: 1, seed: 1234 });
const x = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i * 0.618) % 1), [batch, 1, resolution, resolution]);
const target = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i % 7 < 3 ? 1 : 0)), [batch, 1, resolution, resolution]);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const losses: number[] = [];
let bindGroupsCreated = 0;
const createBindGroup = gpu.device.createBindGroup.bind(gpu.device);
gpu.device.createBindGroup = (descriptor) => {
  bindGroupsCreated++;
  return createBindGroup(descriptor);
};

/** Records one step and returns its loss tensor (not read). */
const record = (): Tensor => {
  model.train();
  const loss = scope(() => F.diceLoss(model.forward(x), target));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  return loss;
};
const readLoss = async (loss: Tensor): Promise<void> => {
  losses.push(await loss.item());
  loss.dispose();
};

/** `steps` pipelined steps; returns wall, recording and CPU milliseconds per step. */
const runBlock = async (steps: number): Promise<{ wall: number; record: number; cpu: number; dispatches: number; submits: number; bindGroups: number }> => {
  await gpu.sync();
  const counters = gpu.counters;
  const bindGroups = bindGroupsCreated;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let recording = 0;
  let pending: Tensor | undefined;
  for (let step = 0; step < steps; step++) {
    const t0 = performance.now();
    const loss = record();
    recording += performance.now() - t0;
    if (pending) await readLoss(pending);
    pending = loss;
  }
  await readLoss(pending!);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    wall: wall / steps,
    record: recording / steps,
    cpu: (used.user + used.system) / 1000 / steps,
    dispatches: (gpu.counters.dispatches - counters.dispatches) / steps,
    submits: (gpu.counters.submits - counters.submits) / steps,
    bindGroups: (bindGroupsCreated - bindGroups) / steps,
  };
};

await runBlock(2);
const results = new Map<string, { wall: number[]; record: number[]; cpu: number[]; dispatches: number; submits: number; bindGroups: number }>();
for (let block = 0; block < blocks; block++) {
  for (const variant of variants) {
    (gpu as { gentleWaits?: boolean }).gentleWaits = variant === 'gentle';
    const r = await runBlock(stepsPerBlock);
    const entry = results.get(variant) ?? { wall: [], record: [], cpu: [], dispatches: 0, submits: 0, bindGroups: 0 };
    entry.wall.push(r.wall);
    entry.record.push(r.record);
    entry.cpu.push(r.cpu);
    entry.dispatches = r.dispatches;
    entry.submits = r.submits;
    entry.bindGroups = r.bindGroups;
    results.set(variant, entry);
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const [variant, r] of results) {
  console.log(
    `${encoder} ${resolution}² b${batch} ${variant.padEnd(6)}: ${(1000 * batch / median(r.wall)).toFixed(2)} images/s ` +
      `(wall ${median(r.wall).toFixed(0)} ms/step; blocks ${r.wall.map((w) => w.toFixed(0)).join(' ')}), ` +
      `recording ${median(r.record).toFixed(0)} ms/step, process CPU ${median(r.cpu).toFixed(0)} ms/step, ` +
      `${r.dispatches} dispatches, ${r.submits} submits and ${r.bindGroups} bind groups created a step`,
  );
}
console.log(`losses ${losses.map((loss) => loss.toPrecision(9)).join(' ')}`);
await gpu.close();
