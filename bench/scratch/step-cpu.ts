/*
 * Scratch: wall-clock and process CPU time (user + system, lavapipe's worker threads included) per Linknet training
 * step. CPU time per step moves far less than wall-clock on a shared, loaded host, so two builds run alternately in
 * separate processes compare by it. Not a test.
 *   bench/scratch/run.sh bench/scratch/step-cpu.ts [encoder] [resolution] [batch] [steps]
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { F, optim, scope, Tensor } from '../../packages/autograd/src/index.js';
import { SegmentationModel } from '../../packages/model/src/index.js';

const [encoder = 'efficientnet-b0', resolutionText = '64', batchText = '4', stepsText = '6'] = process.argv.slice(2);
const [resolution, batch, steps] = [Number(resolutionText), Number(batchText), Number(stepsText)];
const gpu = await createGpu({ adapter: (process.env.ADAPTER as never) ?? 'lavapipe' });
const model = new SegmentationModel(gpu, { encoder: encoder as never, inChannels: 1, classes: 1, seed: 1234 });
const x = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i * 0.618) % 1), [batch, 1, resolution, resolution]);
const target = Tensor.fromArray(gpu, Float32Array.from({ length: batch * resolution * resolution }, (_, i) => (i % 7 < 3 ? 1 : 0)), [batch, 1, resolution, resolution]);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const step = async (): Promise<number> => {
  model.train();
  const loss = scope(() => F.diceLoss(model.forward(x), target));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  const value = await loss.item();
  loss.dispose();
  return value;
};
for (let i = 0; i < 2; i++) await step();
const walls: number[] = [];
const cpus: number[] = [];
let dispatches = 0;
let last = 0;
for (let i = 0; i < steps; i++) {
  const before = process.cpuUsage();
  const counted = gpu.counters.dispatches;
  const t0 = performance.now();
  last = await step();
  walls.push(performance.now() - t0);
  const used = process.cpuUsage(before);
  cpus.push((used.user + used.system) / 1000);
  dispatches = gpu.counters.dispatches - counted;
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  `${encoder} ${resolution}² b${batch}: wall median ${median(walls).toFixed(0)} ms (min ${Math.min(...walls).toFixed(0)}), ` +
    `CPU median ${median(cpus).toFixed(0)} ms (min ${Math.min(...cpus).toFixed(0)}), ${dispatches} dispatches, loss ${last.toFixed(4)}`,
);
