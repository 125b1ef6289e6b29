import { SIGMOID_WGSL } from '../../wgsl/sigmoid.wgsl.js';

/**
 * The register-tiled GEMM core shared by gemm and the implicit-GEMM convolutions. A kernel's WGSL is its own
 * header (Params, bindings, the hooks below) followed by GEMM_CORE_WGSL; nothing is spliced from flags.
 *
 * Hooks the header defines (z = workgroup_id.z, the batch entry):
 *   fn problem(z: u32) -> Problem              rows, cols and the k range [k_begin, k_end) of entry z
 *   fn load_a(z: u32, m: u32, k: u32) -> f32   A[z](m, k) for any m < rows, k in range
 *   fn load_b(z: u32, k: u32, n: u32) -> f32   B[z](k, n) for any n < cols, k in range
 *   fn store_c(z: u32, m: u32, n: u32, v: f32) C[z](m, n) = epilogue(v), called only for m < rows, n < cols
 *   fn a_k_fast() -> bool, fn b_k_fast() -> bool  whether k (else m / n) is the contiguous index of A / B
 *   fn load_a4(z, m, k) -> vec4<f32>, fn load_b4(z, k, n) -> vec4<f32>
 *                                              4 consecutive elements along the contiguous index (m, k or n must be
 *                                              a multiple of 4); used only when VEC_A / VEC_B is set, which the
 *                                              launcher does only when that index's extent (and k_end) divide by 4.
 * Consecutive threads load along the contiguous index. Loads take clamped indices, so every lane loads and
 * out-of-range values are replaced by 0 (no per-lane control flow, no indexable private arrays).
 */
/**
 * fill_a / fill_b: workgroup memory tile_a[kk][m / 4] (or tile_b[kk][n / 4]) of the K step from k0 for the tile from m0
 * (n0), zero past rows (cols) and k_end. The two differ only in their operand: its letter, its row index and extent
 * (m, rows for A; n, cols for B), and the order of (index, k) in its loads (A(m, k), B(k, n)).
 */
function fillTileWgsl(operand: 'a' | 'b'): string {
  const [index, extent, width] = operand === 'a' ? ['m', 'rows', 'BM4'] : ['n', 'cols', 'BN4'];
  const at = (i: string, k: string): string => (operand === 'a' ? `${i}, ${k}` : `${k}, ${i}`);
  const last = (offset: string): string => `min(${index}${offset}, last)`;
  const VEC = `VEC_${operand.toUpperCase()}`;
  return /* wgsl */ `
fn fill_${operand}(z: u32, prob: Problem, ${index}0: u32, k0: u32, lid: u32) {
  let last = prob.${extent} - 1u;
  if (${VEC} && ${operand}_k_fast()) {
    for (var e = lid; e < ${width} * BK / 4u; e += THREADS) {
      let k = k0 + 4u * (e % (BK / 4u));
      let ${index} = ${index}0 + 4u * (e / (BK / 4u));
      let ok = in_range4(${index}, prob.${extent}) & vec4<bool>(k < prob.k_end);
      let kc = min(k, prob.k_end - 4u);
      let r0 = select(vec4<f32>(0.0), load_${operand}4(z, ${at(last(''), 'kc')}), ok.x);
      let r1 = select(vec4<f32>(0.0), load_${operand}4(z, ${at(last(' + 1u'), 'kc')}), ok.y);
      let r2 = select(vec4<f32>(0.0), load_${operand}4(z, ${at(last(' + 2u'), 'kc')}), ok.z);
      let r3 = select(vec4<f32>(0.0), load_${operand}4(z, ${at(last(' + 3u'), 'kc')}), ok.w);
      let slot = (k - k0) * ${width} + (${index} - ${index}0) / 4u;
      tile_${operand}[slot] = transpose_block(r0, r1, r2, r3, 0u);
      tile_${operand}[slot + ${width}] = transpose_block(r0, r1, r2, r3, 1u);
      tile_${operand}[slot + 2u * ${width}] = transpose_block(r0, r1, r2, r3, 2u);
      tile_${operand}[slot + 3u * ${width}] = transpose_block(r0, r1, r2, r3, 3u);
    }
    return;
  }
  for (var e = lid; e < BK * ${width}; e += THREADS) {
    let kk = select(e / ${width}, e % BK, ${operand}_k_fast());
    let q = select(e % ${width}, e / BK, ${operand}_k_fast());
    let k = min(k0 + kk, prob.k_end - 1u);
    let ${index} = ${index}0 + 4u * q;
    let ok = in_range4(${index}, prob.${extent}) & vec4<bool>(k0 + kk < prob.k_end);
    var v: vec4<f32>;
    if (${VEC}) {
      v = load_${operand}4(z, ${at(`min(${index}, prob.${extent} - 4u)`, 'k')});
    } else {
      v = vec4<f32>(load_${operand}(z, ${at(last(''), 'k')}), load_${operand}(z, ${at(last(' + 1u'), 'k')}), load_${operand}(z, ${at(last(' + 2u'), 'k')}), load_${operand}(z, ${at(last(' + 3u'), 'k')}));
    }
    tile_${operand}[kk * ${width} + q] = select(vec4<f32>(0.0), v, ok);
  }
}
`;
}

export const GEMM_CORE_WGSL = /* wgsl */ `
// C[z](m, n) = sum_{k in [k_begin, k_end)} A[z](m, k) B[z](k, n)
// Workgroup tile BM x BN = (8 WM) x (8 WN), WM x WN threads; thread (tr, tc) owns rows 4 tr + i and 4 (WM + tr) + i,
// columns 4 tc + j and 4 (WN + tc) + j (i, j < 4): an 8 x 8 register tile of four 4 x 4 blocks.
// K advances BK at a time through workgroup memory: tile_a[kk][m / 4] (vec4 over m), tile_b[kk][n / 4].
struct Problem { rows: u32, cols: u32, k_begin: u32, k_end: u32 }

override WM: u32 = 8u;
override WN: u32 = 8u;
override BK: u32 = 16u;
override VEC_A: bool = false;
override VEC_B: bool = false;
override BM4: u32 = 2u * WM;
override BN4: u32 = 2u * WN;
override THREADS: u32 = WM * WN;

var<workgroup> tile_a: array<vec4<f32>, BK * BM4>;
var<workgroup> tile_b: array<vec4<f32>, BK * BN4>;

// acc[i] += a[i] * b: one 4 x 4 outer product.
fn outer4(a: vec4<f32>, b: vec4<f32>, acc: ptr<function, array<vec4<f32>, 4>>) {
  (*acc)[0] = fma(vec4<f32>(a.x), b, (*acc)[0]);
  (*acc)[1] = fma(vec4<f32>(a.y), b, (*acc)[1]);
  (*acc)[2] = fma(vec4<f32>(a.z), b, (*acc)[2]);
  (*acc)[3] = fma(vec4<f32>(a.w), b, (*acc)[3]);
}

// Lanes i of (first + i < limit), i < 4.
fn in_range4(first: u32, limit: u32) -> vec4<bool> {
  return vec4<u32>(first) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(limit);
}

// tile[kk][q] for the 4 x 4 block of rows 4 q.. and k 4 r..: a register transpose of four vec4 loads along k.
fn transpose_block(r0: vec4<f32>, r1: vec4<f32>, r2: vec4<f32>, r3: vec4<f32>, column: u32) -> vec4<f32> {
  return vec4<f32>(r0[column], r1[column], r2[column], r3[column]);
}

${fillTileWgsl('a')}${fillTileWgsl('b')}
@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let z = wg.z;
  let prob = problem(z);
  let m0 = wg.y * BM4 * 4u;
  let n0 = wg.x * BN4 * 4u;
  if (m0 >= prob.rows || n0 >= prob.cols) { return; }
  let tr = lid / WN;
  let tc = lid % WN;
  var acc00: array<vec4<f32>, 4>;
  var acc01: array<vec4<f32>, 4>;
  var acc10: array<vec4<f32>, 4>;
  var acc11: array<vec4<f32>, 4>;
  for (var k0 = prob.k_begin; k0 < prob.k_end; k0 += BK) {
    fill_a(z, prob, m0, k0, lid);
    fill_b(z, prob, n0, k0, lid);
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let a0 = tile_a[kk * BM4 + tr];
      let a1 = tile_a[kk * BM4 + WM + tr];
      let b0 = tile_b[kk * BN4 + tc];
      let b1 = tile_b[kk * BN4 + WN + tc];
      outer4(a0, b0, &acc00);
      outer4(a0, b1, &acc01);
      outer4(a1, b0, &acc10);
      outer4(a1, b1, &acc11);
    }
    workgroupBarrier();
  }
  // res[2 r + h]: row r of the thread's 8, column vec4 h of its 2.
  var res: array<vec4<f32>, 16>;
  for (var i = 0u; i < 4u; i++) {
    res[2u * i] = acc00[i];
    res[2u * i + 1u] = acc01[i];
    res[2u * i + 8u] = acc10[i];
    res[2u * i + 9u] = acc11[i];
  }
  // Rows and columns grow with r and j, so the first one out of range ends each loop (one store site).
  for (var r = 0u; r < 8u; r++) {
    let m = m0 + select(4u * tr + r, 4u * (WM + tr) + r - 4u, r >= 4u);
    if (m >= prob.rows) { break; }
    for (var j = 0u; j < 8u; j++) {
      let n = n0 + select(4u * tc + j, 4u * (WN + tc) + j - 4u, j >= 4u);
      if (n >= prob.cols) { break; }
      store_c(z, m, n, res[2u * r + j / 4u][j % 4u]);
    }
  }
}
`;

/**
 * Per-channel epilogue y = act(v * scale[c] + shift[c]) for kernels that bind `scale` and `shift`, selected at run
 * time by a flags word (see epilogueFlags in tiles.ts), so one pipeline serves every epilogue:
 * bit 0 scale, bit 1 shift, bit 2 channel = row (gemm), bits 8.. activation (0 none, 1 relu, 2 sigmoid, 3 silu).
 */
export const EPILOGUE_WGSL = /* wgsl */ `${SIGMOID_WGSL}
fn epilogue(v: f32, channel: u32, flags: u32) -> f32 {
  var y = v;
  if ((flags & 1u) != 0u) { y = y * scale[channel]; }
  if ((flags & 2u) != 0u) { y = y + shift[channel]; }
  switch (flags >> 8u) {
    case 1u: { y = max(y, 0.0); }
    case 2u: { y = sigmoid(y); }
    case 3u: { y = y * sigmoid(y); }
    default: {}
  }
  return y;
}
`;
