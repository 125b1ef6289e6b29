/* Scratch: the cat + conv2d of Unet-ResNet34's decoder blocks at 64² batch 4 (and the gradient's narrows) against
 * conv2dConcat reading the two parts, GPU time per kernel from timestamp queries, alternating. Not a test.
 * Usage: bench/scratch/run.sh bench/scratch/concat-conv-kernels.ts [rounds]; env ADAPTER, BATCH, SIZE. */
import { loadavg } from 'node:os';
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { concat, narrow } from '../../packages/kernels/src/ops/concat/concat.js';
import { conv2d } from '../../packages/kernels/src/ops/conv2d/conv2d.js';
import { conv2dBackwardInput, conv2dBackwardWeight } from '../../packages/kernels/src/ops/conv2d/conv2d-backward.js';
import { conv2dConcat, conv2dConcatBackwardInput, conv2dConcatBackwardWeight } from '../../packages/kernels/src/ops/conv2d-concat/conv2d-concat.js';

const rounds = Number(process.argv[2] ?? 3);
const batch = Number(process.env.BATCH ?? 4);
const size = Number(process.env.SIZE ?? 64);
const gpu = await createGpu({ adapter: (process.env.ADAPTER as 'lavapipe') ?? 'lavapipe' });
const rand = (shape: number[]) => gpu.upload(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5), shape);
// Unet decoder blocks on ResNet-34: (upsampled channels, skip channels, out channels, side).
const blocks = [[512, 256, 256, size / 16], [256, 128, 128, size / 8], [128, 64, 64, size / 4], [64, 64, 32, size / 2]] as const;
const layers = blocks.map(([up, skip, out, side]) => ({
  a: rand([batch, up, side, side]),
  b: rand([batch, skip, side, side]),
  w: rand([out, up + skip, 3, 3]),
  dy: rand([batch, out, side, side]),
}));
const options = { padding: 1 };
const copyPath = () => {
  for (const { a, b, w, dy } of layers) {
    const x = concat(gpu, [a, b], 1);
    gpu.release(conv2d(gpu, x, w, options));
    const dx = conv2dBackwardInput(gpu, dy, w, x.shape, options);
    gpu.release(narrow(gpu, dx, 1, 0, a.shape[1]!));
    gpu.release(narrow(gpu, dx, 1, a.shape[1]!, b.shape[1]!));
    gpu.release(dx);
    gpu.release(conv2dBackwardWeight(gpu, x, dy, w.shape, options));
    gpu.release(x);
  }
};
const inPlace = () => {
  for (const { a, b, w, dy } of layers) {
    gpu.release(conv2dConcat(gpu, [a, b], w, options));
    for (const d of conv2dConcatBackwardInput(gpu, dy, w, [a.shape, b.shape], options)) gpu.release(d);
    gpu.release(conv2dConcatBackwardWeight(gpu, [a, b], dy, w.shape, options));
  }
};
const paths = { 'copy + conv2d': copyPath, 'conv2dConcat': inPlace };
const totals: Record<string, Record<string, number[]>> = {};
await gpu.profile(copyPath);
await gpu.profile(inPlace);
console.log(`Unet-ResNet34 decoder cat + conv 3x3 at ${size}² batch ${batch}, ${gpu.info.kind}; load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 ? (Object.entries(paths).reverse() as [string, () => void][]) : Object.entries(paths);
  for (const [name, run] of order) {
    const profile = await gpu.profile(run);
    const kinds = (totals[name] ??= {});
    const group = (kernel: string) => (kernel.startsWith('concat.') ? 'copies' : kernel.includes('BackwardInput') ? 'dx' : kernel.includes('BackwardWeight') || kernel.startsWith('reduce') ? 'dw' : 'forward');
    const sums: Record<string, number> = { total: profile.gpuMs };
    for (const entry of profile.byKernel) sums[group(entry.kernel)] = (sums[group(entry.kernel)] ?? 0) + entry.gpuMs;
    for (const [kind, ms] of Object.entries(sums)) (kinds[kind] ??= []).push(ms);
  }
}
const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
for (const [name, kinds] of Object.entries(totals)) {
  console.log(`${name}: ${Object.entries(kinds).map(([kind, values]) => `${kind} ${median(values).toFixed(1)} ms (${values.map((v) => v.toFixed(0)).join('/')})`).join(', ')}`);
}
console.log(`load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
process.exit(0);
