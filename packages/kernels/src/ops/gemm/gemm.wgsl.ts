import { d } from 'typegpu';
import { EPILOGUE_WGSL, GEMM_CORE_WGSL } from './gemm-core.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';

export const GEMM_PARAMS = paramsStruct('Params', {
  M: d.u32, N: d.u32, K: d.u32, splits: d.u32,
  k_chunk: d.u32, a_batch: d.u32, a_m: d.u32, a_k: d.u32,
  b_batch: d.u32, b_k: d.u32, b_n: d.u32, c_batch: d.u32,
  c_m: d.u32, split_stride: d.u32, flags: d.u32, order: d.u32,
  c_n: d.u32, a_group: d.u32, a_group_stride: d.u32, c_group_stride: d.u32,
});

/** The header (bindings and GEMM hooks); either GEMM core follows it. */
export const GEMM_HEADER_WGSL = /* wgsl */ `
// a: A[b](m, k) = a[b * a_batch + (m / a_group) * a_group_stride + (m % a_group) * a_m + k * a_k]
//    (a_batch = 0 broadcasts one A over the batch; rows come in groups of a_group, e.g. the pixels of each image when
//    a batch of images is folded into the rows; a_group = 2^32 - 1 when they do not)
// b: B[b](k, n) = b[b * b_batch + k * b_k + n * b_n]
// c: [splits, batch, ...], C[b](m, n) at b * c_batch + (m / a_group) * c_group_stride + (m % a_group) * c_m + n * c_n
//    (c_n = 1, or c_m = 1 when the launcher computes Cᵀ = op(B)ᵀ op(A)ᵀ into C's layout), C[b](m, n) = act(scale[r] * sum_k A(m, k) B(k, n) + shift[r]),
//    r = m mod a_group (PER_ROW: a folded row's channel is its column of op(B)ᵀ) or n; split s of K writes its
//    partial sum at s * split_stride (no epilogue then).
// Workgroup z = b * splits + s. flags: the epilogue (EPILOGUE_WGSL); order bit 0: A is contiguous along k, bit 1: B is.

${GEMM_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> a4: array<vec4<f32>>; // a again, when VEC_A (else a 4-float placeholder)
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> scale: array<f32>;
@group(0) @binding(6) var<storage, read> shift: array<f32>;
@group(0) @binding(7) var<storage, read_write> c: array<f32>;
${EPILOGUE_WGSL}
fn a_k_fast() -> bool { return (p.order & 1u) != 0u; }
fn b_k_fast() -> bool { return (p.order & 2u) != 0u; }

fn problem(z: u32) -> Problem {
  let s = z % p.splits;
  let k_begin = s * p.k_chunk;
  return Problem(p.M, p.N, k_begin, min(p.K, k_begin + p.k_chunk));
}

fn a_row(m: u32) -> u32 {
  return (m / p.a_group) * p.a_group_stride + (m % p.a_group) * p.a_m;
}

fn load_a(z: u32, m: u32, k: u32) -> f32 {
  return a[(z / p.splits) * p.a_batch + a_row(m) + k * p.a_k];
}

fn load_b(z: u32, k: u32, n: u32) -> f32 {
  return b[(z / p.splits) * p.b_batch + k * p.b_k + n * p.b_n];
}

fn load_a4(z: u32, m: u32, k: u32) -> vec4<f32> {
  return a4[((z / p.splits) * p.a_batch + a_row(m) + k * p.a_k) / 4u];
}

fn load_b4(z: u32, k: u32, n: u32) -> vec4<f32> {
  return b4[((z / p.splits) * p.b_batch + k * p.b_k + n * p.b_n) / 4u];
}

fn store_c(z: u32, m: u32, n: u32, v: f32) {
  let index = (z % p.splits) * p.split_stride + (z / p.splits) * p.c_batch + (m / p.a_group) * p.c_group_stride + (m % p.a_group) * p.c_m + n * p.c_n;
  c[index] = epilogue(v, select(n, m % p.a_group, (p.flags & 4u) != 0u), p.flags);
}
`;

/** With the tiled core. */
export const GEMM_WGSL = `${GEMM_HEADER_WGSL}${GEMM_CORE_WGSL}`;
