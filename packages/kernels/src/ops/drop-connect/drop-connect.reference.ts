/** CPU twin of the drop-connect generator (same u32 arithmetic, bit for bit) and the float64 reference. */
import { dropConnectThreshold } from './drop-connect.js';

/** PCG-RXS-M-XS hash (Jarzynski & Olano 2020), u32 in, u32 out. */
export function pcgHash(value: number): number {
  const state = (Math.imul(value >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

export function dropConnectKeep(seed: number, sample: number, p: number): boolean {
  return pcgHash((sample + pcgHash(seed)) >>> 0) >>> 8 >= dropConnectThreshold(p);
}

export function dropConnectMaskReference(batch: number, p: number, seed: number): Float32Array {
  return Float32Array.from({ length: batch }, (_, n) => (dropConnectKeep(seed, n, p) ? 1 : 0));
}

/** y[n, ...] = x[n, ...]·mask[n]/(1 − p) in float64. */
export function dropConnectReference(x: ArrayLike<number>, shape: readonly number[], p: number, seed: number): Float64Array {
  const perSample = x.length / shape[0]!;
  const mask = dropConnectMaskReference(shape[0]!, p, seed);
  return Float64Array.from({ length: x.length }, (_, i) => (x[i]! * mask[Math.floor(i / perSample)]!) / (1 - p));
}
