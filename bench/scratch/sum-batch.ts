/*
 * Scratch: gemm sumBatch on the 1x1 weight gradients of Linknet-B6 at 256² batch 8 (dw = Σ_n dy[n] x[n]ᵀ, dy
 * [8, Cout, HW], x [8, C, HW]), the batch moved into K (batchIntoK true) against partials summed by reduce (false),
 * alternating in one process: wall ms from record to the end of the sync, and process CPU ms. Not a test.
 *   bench/scratch/run.sh bench/scratch/sum-batch.ts [rounds]
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { gemm } from '../../packages/kernels/src/ops/gemm/gemm.js';

const rounds = Number(process.argv[2] ?? 5);
const gpu = await createGpu({ adapter: (process.env.ADAPTER as never) ?? 'lavapipe' });
// [Cout, C, HW]: B6's expand / project 1x1 convolutions at 8 x 8 and 16 x 16 pixels (256² input).
const shapes: [number, number, number][] = [[3456, 576, 64], [576, 3456, 64], [2064, 344, 64], [1200, 200, 256], [200, 1200, 256]];
const batch = 8;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
for (const [cout, c, hw] of shapes) {
  const dy = gpu.upload(Float32Array.from({ length: batch * cout * hw }, (_, i) => ((i * 0.618) % 1) - 0.5), [batch, cout, hw]);
  const x = gpu.upload(Float32Array.from({ length: batch * c * hw }, (_, i) => ((i * 0.377) % 1) - 0.5), [batch, c, hw]);
  const out = gpu.empty([cout, c]);
  const times = new Map<boolean, [number, number][]>([[false, []], [true, []]]);
  const run = async (batchIntoK: boolean): Promise<[number, number]> => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    gemm(gpu, dy, x, { transposeB: true, sumBatch: true, batchIntoK, out });
    await gpu.sync();
    const used = process.cpuUsage(cpu);
    return [performance.now() - start, (used.user + used.system) / 1000];
  };
  for (const side of [false, true]) await run(side);
  for (let round = 0; round < rounds; round++) for (const side of round % 2 ? [true, false] : [false, true]) times.get(side)!.push(await run(side));
  const line = [false, true].map((side) => {
    const list = times.get(side)!;
    return `${side ? 'batch into K' : 'partials'}: wall ${median(list.map(([w]) => w)).toFixed(1)} ms, CPU ${median(list.map(([, c]) => c)).toFixed(1)} ms`;
  });
  console.log(`dw [${cout}, ${c}] over ${batch} x ${hw} pixels: ${line.join('; ')}`);
  for (const tensor of [dy, x, out]) gpu.release(tensor);
}
