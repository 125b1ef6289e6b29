/* Scratch: cold compile time of one gemm pipeline (run with MESA_SHADER_CACHE_DISABLE=true), wall and process CPU
 * time (steadier on a shared host); env VARIANT picks the core. Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { gemm } from '../../packages/kernels/src/ops/gemm/gemm.js';

const gpu = await createGpu({ adapter: (process.env.ADAPTER as 'lavapipe') ?? 'lavapipe' });
const M = Number(process.env.M ?? 64), N = Number(process.env.N ?? 64), K = Number(process.env.K ?? 64);
const A = gpu.upload(new Float32Array(M * K).fill(1), [M, K]);
const B = gpu.upload(new Float32Array(K * N).fill(1), [K, N]);
const variant = process.env.VARIANT as 'tiled' | 'lanes' | 'subgroup' | undefined;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
gemm(gpu, A, B, { variant });
await gpu.sync();
const t1 = performance.now();
const cpu = process.cpuUsage(cpu0);
gemm(gpu, A, B, { variant });
await gpu.sync();
console.log(`${variant ?? 'profile'}: cold ${(t1 - t0).toFixed(0)} ms (CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms), warm ${(performance.now() - t1).toFixed(1)} ms`);
gpu.destroy();
