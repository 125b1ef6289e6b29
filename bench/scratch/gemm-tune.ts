/* Scratch: gemm core tuning on lavapipe (text-modified copies of GEMM_WGSL, vec4 loads). Not a test. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { GEMM_WGSL } from '../../packages/kernels/src/ops/gemm/gemm.wgsl.js';
import { roundRobin } from './harness.js';

const gpu = await createGpu({ adapter: (process.env.ADAPTER as 'lavapipe') ?? 'lavapipe' });
const S = Number(process.env.SIZE ?? 1024);
const M = S, N = S, K = S;
const A = gpu.upload(new Float32Array(M * K).map(() => Math.random() - 0.5), [M, K]);
const B = gpu.upload(new Float32Array(K * N).map(() => Math.random() - 0.5), [K, N]);
const C = gpu.empty([M, N]);
const u = Uint32Array.of(M, N, K, 1, K, 0, K, 1, 0, N, 1, M * N, N, M * N, 0, 1).buffer;
const kkLoop = /for \(var kk = 0u; kk < BK; kk\+\+\) \{([\s\S]*?outer4\(a1, b1, &acc11\);)\n    \}/;
const body = kkLoop.exec(GEMM_WGSL)![1]!;
const unroll = (times: number) =>
  GEMM_WGSL.replace(kkLoop, `for (var kb = 0u; kb < BK; kb += ${times}u) {\n` +
    Array.from({ length: times }, (_, i) => `{ let kk = kb + ${i}u; ${body} }`).join('\n') + '\n    }');
const variants: [string, string, Record<string, number | boolean>][] = [
  ['base 8x8 BK16', GEMM_WGSL, { WM: 8, WN: 8, BK: 16 }],
  ['kk unroll 2', unroll(2), { WM: 8, WN: 8, BK: 16 }],
  ['kk unroll 4', unroll(4), { WM: 8, WN: 8, BK: 16 }],
  ['BK 32', GEMM_WGSL, { WM: 8, WN: 8, BK: 32 }],
  ['BK 8', GEMM_WGSL, { WM: 8, WN: 8, BK: 8 }],
  ['16x16 threads BK16', GEMM_WGSL, { WM: 16, WN: 16, BK: 16 }],
  ['16x8 threads BK16', GEMM_WGSL, { WM: 16, WN: 8, BK: 16 }],
];
const only = process.argv[2];
await roundRobin(
  gpu,
  variants
    .filter(([name]) => !only || name.includes(only))
    .map(([name, code, constants]) => ({
      name,
      flops: 2 * M * N * K,
      record: () =>
        gpu.dispatch({
          kernel: { name, code, constants: { ...constants, VEC_A: true, VEC_B: true } },
          uniforms: u,
          tensors: [A, A, B, B, A, A, C],
          workgroups: [N / (8 * Number(constants.WN)), M / (8 * Number(constants.WM)), 1],
        }),
    })),
  Number(process.env.ROUNDS ?? 3),
);
gpu.destroy();
