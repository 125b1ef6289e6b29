/**
 * The PCG-RXS-M-XS hash of Jarzynski & Olano (JCGT 2020, "Hash Functions for GPU Rendering"), u32 → u32, the
 * counter-based generator of drop-connect, dropout and the augmentation kernels: the stream of a seed is
 * bits(seed, k) = pcg_hash(k + pcg_hash(seed)) (u32 wrap-around), so any element is computed without state and a
 * backward recomputes its forward's bits. pcgHash (pcg.reference.ts) is the same map on the CPU, bit for bit.
 */
export const PCG_HASH_WGSL = /* wgsl */ `
fn pcg_hash(value: u32) -> u32 {
  let state = value * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
`;
