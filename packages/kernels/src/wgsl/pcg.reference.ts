/** PCG-RXS-M-XS hash of a u32 (PCG_HASH_WGSL on the CPU, bit for bit): u32 products through Math.imul. */
export function pcgHash(value: number): number {
  const state = (Math.imul(value >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}
