/**
 * The GEMM core for CPU adapters (lavapipe, SwiftShader), with the hooks of GEMM_CORE_WGSL (gemm-core.wgsl.ts), so
 * every header (gemm, the implicit-GEMM convolutions) runs on either core. No workgroup memory and no barriers.
 *
 * On these adapters an invocation is one SIMD lane and a load with a per-lane address is a loop over the lanes that
 * pays once per vec4, so the core counts loads per FMA: a workgroup of 8 lanes owns 16 rows of C and 64 columns,
 * lane l the columns 4 l + 32 c + j (c < 2, j < 4), a 16 x 8 tile of 32 vec4 accumulators (more than the 16 AVX
 * registers: the spills are plain vector loads and stores, far cheaper than a per-lane load loop; 16 x 8 beat 8 x 8,
 * 16 x 4, 16 x 16 and 32 x 8 at 512³). Every 4 steps of k the group needs a 16 x 4 block of A = 16 vec4 "pieces";
 * B comes per lane (2 vec4 per k).
 *   `subgroup` (share = smallest subgroup size S): lane l loads the pieces q ≡ l (mod min(S, 8)) and every lane takes
 *   piece q from lane q mod min(S, 8) with subgroupBroadcast (a register permute, no memory access): 16 / min(S, 8)
 *   A loads per lane instead of 16.
 *   `lanes` (share = 0, adapters without subgroups): each lane loads the 16 pieces itself, in a loop kept rolled
 *   (16 inlined copies of an implicit-GEMM header's gather make a far larger pipeline).
 * Pieces: A contiguous along k: piece q = row q, k0..k0+3, so A(r, kk) = piece r [kk]; A contiguous along m: piece
 * q = k0 + q / 4, rows 4 (q mod 4)..+3, so A(r, kk) = piece (4 kk + r / 4) [r mod 4].
 * Loads take clamped indices and out-of-range k values are replaced by 0, so all lanes run the same code.
 */

/** Rows of C per workgroup (= pieces of A per 4 steps of k) and vec4 columns per lane. */
const ROWS = 16;
const PIECES = ROWS;
const COLUMN_VECS = 2;
const QUARTERS = ROWS / 4;

/** Rows and columns of C one workgroup of the lanes core owns. */
export const LANES_TILE = { rows: ROWS, cols: 8 * 4 * COLUMN_VECS, lanes: 8, kStep: 4 } as const;

function lines(count: number, line: (index: number) => string): string {
  return Array.from({ length: count }, (_, index) => line(index)).join('\n');
}

/** WGSL of the core; `share` is the smallest subgroup size to share A loads over, 0 for none. */
export function gemmLanesCore(share: number): string {
  // Lanes sharing A: at most the workgroup's 8 (a wider subgroup holds only these 8 of the workgroup).
  const group = share > 0 ? Math.min(share, LANES_TILE.lanes, PIECES) : 1;
  const perLane = PIECES / group;
  const enable = share > 0 ? 'enable subgroups;\n' : '';
  // Piece q lives in slot q / group of lane q % group.
  const piece = (q: number): string =>
    share > 0 ? `subgroupBroadcast(own${Math.floor(q / group)}, ${q % group}u)` : `own[${q}]`;
  const pieceIndex = (slot: number): string => (share > 0 ? `(sg % ${group}u) + ${slot * group}u` : `${slot}u`);
  const acc = (r: number, c: number): string => `acc${r}_${c}`;
  return /* wgsl */ `${enable}
// C[z](m, n) = sum_{k in [k_begin, k_end)} A[z](m, k) B[z](k, n); workgroup (x, y, z) owns rows 8 y.., columns 64 x..
struct Problem { rows: u32, cols: u32, k_begin: u32, k_end: u32 }

override VEC_A: bool = false;
override VEC_B: bool = false;

// Piece q of the 8 x 4 block of A at rows m0.., k0..: see the module comment.
fn load_piece(z: u32, prob: Problem, m0: u32, k0: u32, q: u32) -> vec4<f32> {
  let last = prob.rows - 1u;
  if (a_k_fast()) {
    let m = min(m0 + q, last);
    if (VEC_A) { return load_a4(z, m, k0); }
    let k = vec4<u32>(k0) + vec4<u32>(0u, 1u, 2u, 3u);
    let kc = min(k, vec4<u32>(prob.k_end - 1u));
    let v = vec4<f32>(load_a(z, m, kc.x), load_a(z, m, kc.y), load_a(z, m, kc.z), load_a(z, m, kc.w));
    return select(vec4<f32>(0.0), v, k < vec4<u32>(prob.k_end));
  }
  let k = k0 + q / ${QUARTERS}u;
  let kc = min(k, prob.k_end - 1u);
  let m = m0 + 4u * (q % ${QUARTERS}u);
  var v: vec4<f32>;
  if (VEC_A) {
    v = load_a4(z, min(m, prob.rows - 4u), kc);
  } else {
    v = vec4<f32>(load_a(z, min(m, last), kc), load_a(z, min(m + 1u, last), kc), load_a(z, min(m + 2u, last), kc), load_a(z, min(m + 3u, last), kc));
  }
  return select(vec4<f32>(0.0), v, k < prob.k_end);
}

// B(k, n..n+3) for k0 <= k < k0 + 4 as four vec4 (one per k), zero where k >= k_end.
fn load_b_block(z: u32, prob: Problem, k0: u32, n: u32) -> array<vec4<f32>, 4> {
  let last = prob.cols - 1u;
  var rows: array<vec4<f32>, 4>;
  if (VEC_B && b_k_fast()) {
    // k_end divides by 4 here: four vec4 along k, one per column, transposed.
    let t0 = load_b4(z, k0, min(n, last));
    let t1 = load_b4(z, k0, min(n + 1u, last));
    let t2 = load_b4(z, k0, min(n + 2u, last));
    let t3 = load_b4(z, k0, min(n + 3u, last));
    rows[0] = vec4<f32>(t0.x, t1.x, t2.x, t3.x);
    rows[1] = vec4<f32>(t0.y, t1.y, t2.y, t3.y);
    rows[2] = vec4<f32>(t0.z, t1.z, t2.z, t3.z);
    rows[3] = vec4<f32>(t0.w, t1.w, t2.w, t3.w);
    return rows;
  }
${lines(4, (kk) => `  {
    let k = min(k0 + ${kk}u, prob.k_end - 1u);
    var v: vec4<f32>;
    if (VEC_B) {
      v = load_b4(z, k, min(n, prob.cols - 4u));
    } else {
      v = vec4<f32>(load_b(z, k, min(n, last)), load_b(z, k, min(n + 1u, last)), load_b(z, k, min(n + 2u, last)), load_b(z, k, min(n + 3u, last)));
    }
    rows[${kk}] = select(vec4<f32>(0.0), v, k0 + ${kk}u < prob.k_end);
  }`)}
  return rows;
}

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32${share > 0 ? ', @builtin(subgroup_invocation_id) sg: u32' : ''}) {
  let z = wg.z;
  let prob = problem(z);
  let m0 = wg.y * ${ROWS}u;
  let n0 = wg.x * ${LANES_TILE.cols}u;
  if (m0 >= prob.rows || n0 >= prob.cols) { return; }
${lines(ROWS, (r) => lines(COLUMN_VECS, (c) => `  var ${acc(r, c)} = vec4<f32>(0.0);`))}
  for (var k0 = prob.k_begin; k0 < prob.k_end; k0 += 4u) {
${
  share > 0
    ? lines(perLane, (slot) => `    let own${slot} = load_piece(z, prob, m0, k0, ${pieceIndex(slot)});`)
    : `    var own: array<vec4<f32>, ${PIECES}>;
    for (var q = 0u; q < ${PIECES}u; q++) { own[q] = load_piece(z, prob, m0, k0, q); }`
}
${lines(COLUMN_VECS, (c) => `    let b${c} = load_b_block(z, prob, k0, n0 + 4u * lane + ${32 * c}u);`)}
    if (a_k_fast()) {
${lines(ROWS, (r) => `      {
        let a = ${piece(r)};
${lines(4, (kk) => lines(COLUMN_VECS, (c) => `        ${acc(r, c)} = fma(vec4<f32>(a[${kk}]), b${c}[${kk}], ${acc(r, c)});`))}
      }`)}
    } else {
${lines(PIECES, (q) => `      {
        let a = ${piece(q)};
${lines(4, (i) => {
  const kk = Math.floor(q / QUARTERS);
  const r = 4 * (q % QUARTERS) + i;
  return lines(COLUMN_VECS, (c) => `        ${acc(r, c)} = fma(vec4<f32>(a[${i}]), b${c}[${kk}], ${acc(r, c)});`);
})}
      }`)}
    }
  }
  // res[2 r + c]: row r, column vec4 c.
  var res: array<vec4<f32>, ${ROWS * COLUMN_VECS}>;
${lines(ROWS, (r) => lines(COLUMN_VECS, (c) => `  res[${COLUMN_VECS * r + c}] = ${acc(r, c)};`))}
  // Rows grow with r and columns with j, so the first one out of range ends each loop (one store site).
  for (var r = 0u; r < ${ROWS}u; r++) {
    let m = m0 + r;
    if (m >= prob.rows) { break; }
    for (var c = 0u; c < ${COLUMN_VECS}u; c++) {
      for (var j = 0u; j < 4u; j++) {
        let n = n0 + 4u * lane + 32u * c + j;
        if (n < prob.cols) { store_c(z, m, n, res[${COLUMN_VECS}u * r + c][j]); }
      }
    }
  }
}
`;
}

/** Puts `enable subgroups;` (which must come first) ahead of the header when the core has it. */
export function composeModule(header: string, core: string): string {
  const enable = 'enable subgroups;\n';
  return core.startsWith(`${enable}`) ? `${enable}${header}${core.slice(enable.length)}` : `${header}${core}`;
}
