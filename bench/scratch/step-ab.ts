/*
 * Scratch: A/B of one Linknet training step in one process, the two sides alternating so both see the same load:
 * step wall time (record + submit + wait) and dispatches per step. Not a test.
 *   bench/scratch/run.sh bench/scratch/step-ab.ts <switch> [encoder] [resolution] [batch] [rounds]
 * Switches (A = the previous path, B = the new one):
 *   adam: optim.Adam with variant 'separate' (a dispatch per parameter) / 'auto' (small parameters packed)
 *   <profile field>: that boolean field of the device profile false / true (e.g. gemmBatchIntoK)
 *   all: every switch above off (Adam 'separate', gemmBatchIntoK and depthwiseWeightLanes false) / on
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { F, optim, scope, Tensor } from '../../packages/autograd/src/index.js';
import { SegmentationModel } from '../../packages/model/src/index.js';

const [which = 'adam', encoder = 'efficientnet-b0', resolutionText = '64', batchText = '4', roundsText = '7'] = process.argv.slice(2);
const resolution = Number(resolutionText);
const batch = Number(batchText);
const gpu = await createGpu({ adapter: (process.env.ADAPTER as never) ?? 'lavapipe' });

const model = new SegmentationModel(gpu, { encoder: encoder as never, inChannels: 1, classes: 1, seed: 1234 });
const x = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i * 0.618) % 1), [batch, 1, resolution, resolution]);
const target = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i % 7 < 3 ? 1 : 0)), [batch, 1, resolution, resolution]);
model.train();

interface Side {
  name: string;
  /** Sets the switch before a step; returns the optimizer to step. */
  enter: () => optim.Adam;
}
const sides: Side[] = [];
if (which === 'adam') {
  const separate = new optim.Adam(model.parameters(), { learningRate: 1e-3, variant: 'separate' });
  const packed = new optim.Adam(model.parameters(), { learningRate: 1e-3, variant: 'auto' });
  sides.push({ name: 'adam separate', enter: () => separate }, { name: 'adam packed', enter: () => packed });
} else if (which === 'all') {
  const previous = new optim.Adam(model.parameters(), { learningRate: 1e-3, variant: 'separate' });
  const current = new optim.Adam(model.parameters(), { learningRate: 1e-3, variant: 'auto' });
  const base = gpu.deviceProfile;
  const set = (on: boolean, optimizer: optim.Adam) => () => {
    Object.assign(gpu, { deviceProfile: { ...base, gemmBatchIntoK: on, depthwiseWeightLanes: on } });
    return optimizer;
  };
  sides.push({ name: 'all off (previous)', enter: set(false, previous) }, { name: 'all on', enter: set(true, current) });
} else if (typeof (gpu.deviceProfile as unknown as Record<string, unknown>)[which] === 'boolean') {
  const optimizer = new optim.Adam(model.parameters(), { learningRate: 1e-3 });
  const base = gpu.deviceProfile;
  // The profile is read-only to the library; a scratch A/B swaps it between steps.
  const set = (value: boolean) => () => {
    Object.assign(gpu, { deviceProfile: { ...base, [which]: value } });
    return optimizer;
  };
  sides.push({ name: `${which} false`, enter: set(false) }, { name: `${which} true`, enter: set(true) });
} else {
  throw new Error(`unknown switch ${which}`);
}

const record = (side: Side): void => {
  const optimizer = side.enter();
  const loss = scope(() => F.diceLoss(model.forward(x), target));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  loss.dispose();
};
/**
 * Wall ms, process CPU ms (lavapipe's threads are in the process: under load the steadier of the two) and the
 * JavaScript recording ms of a step (the host's share: recording ends before the submit of the last batch).
 */
const step = async (side: Side): Promise<[number, number, number]> => {
  const cpu = process.cpuUsage();
  const start = performance.now();
  record(side);
  const recorded = performance.now();
  await gpu.sync();
  const used = process.cpuUsage(cpu);
  return [performance.now() - start, (used.user + used.system) / 1000, recorded - start];
};

const dispatches = new Map<string, number>();
for (const side of sides) {
  await step(side); // compiles this side's pipelines
  const before = gpu.counters.dispatches;
  await step(side);
  dispatches.set(side.name, gpu.counters.dispatches - before);
}
const times = new Map<string, [number, number, number][]>(sides.map((side) => [side.name, []]));
for (let round = 0; round < Number(roundsText); round++) {
  const order = round % 2 === 0 ? sides : [...sides].reverse();
  for (const side of order) times.get(side.name)!.push(await step(side));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
console.log(`${encoder} ${resolution}² b${batch} training step, ${gpu.info.description}, switch ${which}, ${roundsText} alternating rounds`);
for (const side of sides) {
  const list = times.get(side.name)!;
  const wall = list.map(([w]) => w);
  const cpu = list.map(([, c]) => c);
  const host = list.map(([, , h]) => h);
  console.log(
    `  ${side.name.padEnd(24)} ${String(dispatches.get(side.name)).padStart(5)} dispatches; wall ms median ${median(wall).toFixed(1)} ` +
      `best ${Math.min(...wall).toFixed(1)}; process CPU ms median ${median(cpu).toFixed(1)} best ${Math.min(...cpu).toFixed(1)}; recording ms median ${median(host).toFixed(1)}`,
  );
}
