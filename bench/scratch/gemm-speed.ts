/* Scratch: gemm launcher speed (and explore variants), round-robin with CPU time (shared host). Not a test.
 * Usage: bench/scratch/run.sh bench/scratch/gemm-speed.ts [filter]; env SIZE, ROUNDS, ADAPTER. */
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { gemm } from '../../packages/kernels/src/ops/gemm/gemm.js';
import { roundRobin } from './harness.js';
import * as V from './gemm-variants.js';

const gpu = await createGpu({ adapter: (process.env.ADAPTER as 'lavapipe') ?? 'lavapipe' });
const S = Number(process.env.SIZE ?? 1024);
const M = S, N = S, K = S;
const A = gpu.upload(new Float32Array(M * K).map(() => Math.random() - 0.5), [M, K]);
const B = gpu.upload(new Float32Array(K * N).map(() => Math.random() - 0.5), [K, N]);
const Bodd = gpu.upload(new Float32Array(K * (N - 1)).map(() => Math.random() - 0.5), [K, N - 1]);
const C = gpu.empty([M, N]);
const u = Uint32Array.of(M, N, K, 0).buffer; // the probes' Params { M, N, K }
const raw = (name: string, code: string, constants: Record<string, number>, workgroups: [number, number]) => ({
  name, flops: 2 * M * N * K,
  record: () => gpu.dispatch({ kernel: { name, code, constants }, uniforms: u, tensors: [A, B, C], workgroups }),
});
const NAIVE = `
struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= p.N || gid.y >= p.M) { return; }
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) { acc = fma(A[gid.y * p.K + k], B[k * p.N + gid.x], acc); }
  C[gid.y * p.N + gid.x] = acc;
}`;
const all = [
  raw('naive (1 output per thread)', NAIVE, {}, [N / 16, M / 16]),
  { name: 'gemm (vec4 A, B)', flops: 2 * M * N * K, record: () => void gemm(gpu, A, B, { out: C }) },
  { name: 'gemm transA (vec4)', flops: 2 * M * N * K, record: () => void gemm(gpu, A, B, { out: C, transposeA: true }) },
  { name: 'gemm transB (vec4, 4x4 transposes)', flops: 2 * M * N * K, record: () => void gemm(gpu, A, B, { out: C, transposeB: true }) },
  { name: 'gemm N-1 (scalar B)', flops: 2 * M * (N - 1) * K, record: () => void gemm(gpu, A, Bodd) },
  raw('explore tile64 BK16', V.TILE64, { BK: 16 }, [N / 64, M / 64]),
];
const only = process.argv[2];
await roundRobin(gpu, all.filter((v) => !only || v.name.includes(only)), Number(process.env.ROUNDS ?? 3));
gpu.destroy();
