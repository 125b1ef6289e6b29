/*
 * Scratch: runs the gemm / conv2d / convTranspose2d / depthwise cases on one adapter without vitest (for the GPU
 * machine), then times gemm and conv shapes. Bundled by device-pack.sh into .tmp/device. Not a test.
 */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { runCase, type KernelCase } from '../../packages/kernels/src/testing/cases.js';
import { gemmCases } from '../../packages/kernels/src/ops/gemm/gemm.cases.js';
import { conv2dCases } from '../../packages/kernels/src/ops/conv2d/conv2d.cases.js';
import { conv2dBackwardCases } from '../../packages/kernels/src/ops/conv2d/conv2d-backward.cases.js';
import { convTranspose2dCases } from '../../packages/kernels/src/ops/conv-transpose2d/conv-transpose2d.cases.js';
import { depthwiseCases } from '../../packages/kernels/src/ops/depthwise/depthwise.cases.js';
import { gemm } from '../../packages/kernels/src/ops/gemm/gemm.js';
import { conv2d } from '../../packages/kernels/src/ops/conv2d/conv2d.js';

const kind = (process.env.ADAPTER ?? 'hardware') as 'hardware';
const gpu = await createGpu({ adapter: kind });
console.log(`adapter: ${gpu.info.kind} ${gpu.info.vendor} ${gpu.info.device} ${gpu.info.description}`);
const cases: KernelCase[] = [...gemmCases, ...conv2dCases, ...conv2dBackwardCases, ...convTranspose2dCases, ...depthwiseCases];
let passed = 0;
let failed = 0;
const start = performance.now();
for (const kernelCase of cases) {
  const t0 = performance.now();
  try {
    await runCase(kernelCase, gpu, `node/${kind}`);
    passed++;
    console.log(`ok   ${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${kernelCase.suite}: ${kernelCase.name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${kernelCase.suite}: ${kernelCase.name}\n     ${(error as Error).message.slice(0, 600)}`);
  }
}
console.log(`${passed} passed, ${failed} failed in ${((performance.now() - start) / 1000).toFixed(1)} s`);
const rand = (shape: number[]) => gpu.upload(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5), shape);
for (const size of [1024, 4096]) {
  const a = rand([size, size]);
  const b = rand([size, size]);
  const c = gpu.empty([size, size]);
  gemm(gpu, a, b, { out: c });
  await gpu.sync();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = await gpu.time(() => void gemm(gpu, a, b, { out: c }));
    best = Math.min(best, t.gpuMs ?? t.wallMs);
  }
  console.log(`gemm ${size}^3: ${best.toFixed(2)} ms, ${((2 * size ** 3) / best / 1e6).toFixed(0)} GFLOP/s`);
}
{
  const x = rand([8, 64, 128, 128]);
  const w = rand([64, 64, 3, 3]);
  conv2d(gpu, x, w, { padding: 1 });
  await gpu.sync();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = await gpu.time(() => void conv2d(gpu, x, w, { padding: 1 }));
    best = Math.min(best, t.gpuMs ?? t.wallMs);
  }
  console.log(`conv 3x3 64->64 8x128x128: ${best.toFixed(2)} ms, ${((2 * 8 * 64 * 64 * 9 * 128 * 128) / best / 1e6).toFixed(0)} GFLOP/s`);
}
gpu.destroy();
process.exit(failed ? 1 : 0);
