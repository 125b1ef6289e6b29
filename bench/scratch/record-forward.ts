/*
 * Scratch: JavaScript recording time of an eval forward (no grad), the host cost that uniform writing adds to.
 * Per repetition: time `model.forward(x)` (dispatches recorded, uniforms written), wall-clock and the process's CPU
 * time (user + system: on a shared host it is not inflated by waiting for a core, and the device is idle while the
 * forward records), then wait for the device. Prints the median and minimum of both in ms, the dispatches per
 * forward, and a checksum of the output (equal across builds for a seed). Not a test.  bench/scratch/run.sh bench/scratch/record-forward.ts [encoder] [resolution] [repeats]
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { noGrad, scope, Tensor } from '../../packages/autograd/src/index.js';
import { SegmentationModel } from '../../packages/model/src/index.js';

const [encoder = 'efficientnet-b6', resolutionText = '64', repeatsText = '15'] = process.argv.slice(2);
const [resolution, repeats] = [Number(resolutionText), Number(repeatsText)];
const gpu = await createGpu({ adapter: (process.env.ADAPTER as never) ?? 'lavapipe' });
const model = new SegmentationModel(gpu, { encoder: encoder as never, inChannels: 1, classes: 1, seed: 1234 });
model.eval();
const x = Tensor.fromArray(gpu, Float32Array.from({ length: resolution * resolution }, (_, i) => (i * 0.618) % 1), [1, 1, resolution, resolution]);
const times: number[] = [];
const cpuTimes: number[] = [];
let dispatches = 0;
let checksum = 0;
for (let repeat = 0; repeat < repeats + 2; repeat++) {
  await gpu.sync();
  const before = gpu.counters.dispatches;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const y = scope(() => noGrad(() => model.forward(x)));
  const recording = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  dispatches = gpu.counters.dispatches - before;
  const values = await y.toArray();
  checksum = values.reduce((sum, value) => sum + value, 0);
  y.dispose();
  if (repeat >= 2) {
    times.push(recording);
    cpuTimes.push((used.user + used.system) / 1000);
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number): number => Number(value.toFixed(2));
console.log(
  JSON.stringify({
    encoder,
    resolution,
    wallMedian: round(median(times)),
    wallMin: round(Math.min(...times)),
    cpuMedian: round(median(cpuTimes)),
    cpuMin: round(Math.min(...cpuTimes)),
    dispatches,
    checksum,
  }),
);
