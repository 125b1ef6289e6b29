/* Scratch GEMM variants collected from the explore files. Not a test. */
export const HEAD = `
struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
`;
export const DIRECT = HEAD + `
override TM: u32 = 16u;
override TN: u32 = 1u;
override WG: u32 = 64u;
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m0 = wg.y * TM;
  let n0 = wg.x * WG * TN + lid;
  var acc: array<f32, 64>;
  for (var i = 0u; i < TM * TN; i++) { acc[i] = 0.0; }
  for (var k = 0u; k < p.K; k++) {
    var b: array<f32, 8>;
    for (var j = 0u; j < TN; j++) { b[j] = B[k * p.N + n0 + j * WG]; }
    for (var i = 0u; i < TM; i++) {
      let a = A[(m0 + i) * p.K + k];
      for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(a, b[j], acc[i * TN + j]); }
    }
  }
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN; j++) { C[(m0 + i) * p.N + n0 + j * WG] = acc[i * TN + j]; }
  }
}`;
export const DIRECT_V4 = `
struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4<f32>>;
override TM: u32 = 8u;
override TN: u32 = 1u;
override WG: u32 = 64u;
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m0 = wg.y * TM;
  let n4 = wg.x * WG * TN + lid; // vec4 column
  let N4 = p.N / 4u;
  var acc: array<vec4<f32>, 32>;
  for (var i = 0u; i < TM * TN; i++) { acc[i] = vec4<f32>(0.0); }
  for (var k = 0u; k < p.K; k++) {
    var b: array<vec4<f32>, 4>;
    for (var j = 0u; j < TN; j++) { b[j] = B[k * N4 + n4 + j * WG]; }
    for (var i = 0u; i < TM; i++) {
      let a = A[(m0 + i) * p.K + k];
      for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(vec4<f32>(a), b[j], acc[i * TN + j]); }
    }
  }
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN; j++) { C[(m0 + i) * N4 + n4 + j * WG] = acc[i * TN + j]; }
  }
}`;
export const SHARED = HEAD + `
override TM: u32 = 8u;
override TN: u32 = 8u;
override BK: u32 = 16u;
const BM = 64u;
const BN = 64u;
const WG = 64u; // (BM/TM) * (BN/TN)
var<workgroup> As: array<f32, 1024>; // [BK][BM]
var<workgroup> Bs: array<f32, 1024>; // [BK][BN]
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m0 = wg.y * BM;
  let n0 = wg.x * BN;
  let tr = lid / (BN / TN);
  let tc = lid % (BN / TN);
  var acc: array<f32, 64>;
  for (var i = 0u; i < TM * TN; i++) { acc[i] = 0.0; }
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    for (var e = lid; e < BM * BK; e += WG) {
      let r = e / BK; let kk = e % BK;
      As[kk * BM + r] = A[(m0 + r) * p.K + k0 + kk];
    }
    for (var e = lid; e < BN * BK; e += WG) {
      let kk = e / BN; let c = e % BN;
      Bs[kk * BN + c] = B[(k0 + kk) * p.N + n0 + c];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<f32, 8>;
      var b: array<f32, 8>;
      for (var i = 0u; i < TM; i++) { a[i] = As[kk * BM + tr + i * (BM / TM)]; }
      for (var j = 0u; j < TN; j++) { b[j] = Bs[kk * BN + tc + j * (BN / TN)]; }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(a[i], b[j], acc[i * TN + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN; j++) { C[(m0 + tr + i * (BM / TM)) * p.N + n0 + tc + j * (BN / TN)] = acc[i * TN + j]; }
  }
}`;
export const TILE64 = `
struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> C4: array<vec4<f32>>;
override BK: u32 = 16u;
const BM = 64u;
const BN = 64u;
var<workgroup> As: array<vec4<f32>, 256>; // [BK][BM/4]: As[k][m4] = A[m0 + 4 m4 .. +4, k0 + k]
var<workgroup> Bs: array<vec4<f32>, 256>; // [BK][BN/4]
fn outer(a: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, acc: ptr<function, array<vec4<f32>, 16>>, o: u32) {
  (*acc)[o + 0u] = fma(vec4<f32>(a.x), b0, (*acc)[o + 0u]);
  (*acc)[o + 1u] = fma(vec4<f32>(a.x), b1, (*acc)[o + 1u]);
  (*acc)[o + 2u] = fma(vec4<f32>(a.y), b0, (*acc)[o + 2u]);
  (*acc)[o + 3u] = fma(vec4<f32>(a.y), b1, (*acc)[o + 3u]);
  (*acc)[o + 4u] = fma(vec4<f32>(a.z), b0, (*acc)[o + 4u]);
  (*acc)[o + 5u] = fma(vec4<f32>(a.z), b1, (*acc)[o + 5u]);
  (*acc)[o + 6u] = fma(vec4<f32>(a.w), b0, (*acc)[o + 6u]);
  (*acc)[o + 7u] = fma(vec4<f32>(a.w), b1, (*acc)[o + 7u]);
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m0 = wg.y * BM;
  let n0 = wg.x * BN;
  let tr = lid / 8u; // rows tr*4 .. +4 and 32 + tr*4 .. +4
  let tc = lid % 8u; // cols tc*4 .. +4 and 32 + tc*4 .. +4
  let K4 = p.K / 4u;
  let N4 = p.N / 4u;
  var acc: array<vec4<f32>, 16>;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    // A tile: BM rows x BK k; thread loads vec4 along k: A4[(m0 + r) * K4 + (k0 + 4 q) / 4]
    for (var e = lid; e < BM * BK / 4u; e += 64u) {
      let r = e / (BK / 4u);
      let q = e % (BK / 4u);
      let v = A4[(m0 + r) * K4 + k0 / 4u + q];
      // transpose into As[k][m]: scalar writes
      let base = (4u * q) * (BM / 4u) + r / 4u;
      let c = r % 4u;
      As[base][c] = v.x;
      As[base + BM / 4u][c] = v.y;
      As[base + 2u * BM / 4u][c] = v.z;
      As[base + 3u * BM / 4u][c] = v.w;
    }
    for (var e = lid; e < BK * BN / 4u; e += 64u) {
      let kk = e / (BN / 4u);
      let c4 = e % (BN / 4u);
      Bs[kk * (BN / 4u) + c4] = B4[(k0 + kk) * N4 + n0 / 4u + c4];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let a0 = As[kk * (BM / 4u) + tr];
      let a1 = As[kk * (BM / 4u) + 8u + tr];
      let b0 = Bs[kk * (BN / 4u) + tc];
      let b1 = Bs[kk * (BN / 4u) + 8u + tc];
      outer(a0, b0, b1, &acc, 0u);
      outer(a1, b0, b1, &acc, 8u);
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    C4[(m0 + 4u * tr + i) * N4 + n0 / 4u + tc] = acc[2u * i];
    C4[(m0 + 4u * tr + i) * N4 + n0 / 4u + 8u + tc] = acc[2u * i + 1u];
    C4[(m0 + 32u + 4u * tr + i) * N4 + n0 / 4u + tc] = acc[8u + 2u * i];
    C4[(m0 + 32u + 4u * tr + i) * N4 + n0 / 4u + 8u + tc] = acc[8u + 2u * i + 1u];
  }
}`;
