/* Scratch: the gemm cores (tiled, lanes, subgroup) side by side, round-robin, with a spot check against a CPU dot
 * product. Usage: bench/scratch/run.sh bench/scratch/gemm-cores.ts [filter]; env SIZE, ROUNDS, ADAPTER. Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { GEMM_VARIANTS } from '../../packages/kernels/src/device/profile.js';
import { gemm } from '../../packages/kernels/src/ops/gemm/gemm.js';
import { roundRobin } from './harness.js';

const gpu = await createGpu({ adapter: (process.env.ADAPTER as 'lavapipe') ?? 'lavapipe' });
const S = Number(process.env.SIZE ?? 1024);
const M = S, N = S, K = S;
const a = new Float32Array(M * K).map(() => Math.random() - 0.5);
const b = new Float32Array(K * N).map(() => Math.random() - 0.5);
const A = gpu.upload(a, [M, K]);
const B = gpu.upload(b, [K, N]);
const C = gpu.empty([M, N]);
const check = async (): Promise<string> => {
  const c = await gpu.read(C);
  let worst = 0;
  for (let t = 0; t < 64; t++) {
    const m = Math.floor(Math.random() * M), n = Math.floor(Math.random() * N);
    let s = 0;
    for (let k = 0; k < K; k++) s += a[m * K + k]! * b[k * N + n]!;
    worst = Math.max(worst, Math.abs(s - c[m * N + n]!));
  }
  return `max |err| ${worst.toExponential(1)}`;
};
const items = GEMM_VARIANTS.flatMap((variant) => [
  { name: `${variant} A·B`, flops: 2 * M * N * K, record: () => void gemm(gpu, A, B, { out: C, variant }), check },
  { name: `${variant} Aᵀ·B`, flops: 2 * M * N * K, record: () => void gemm(gpu, A, B, { out: C, variant, transposeA: true }) },
  { name: `${variant} A·Bᵀ`, flops: 2 * M * N * K, record: () => void gemm(gpu, A, B, { out: C, variant, transposeB: true }) },
]);
const only = process.argv[2];
await roundRobin(gpu, items.filter((v) => !only || v.name.includes(only)), Number(process.env.ROUNDS ?? 3));
gpu.destroy();
