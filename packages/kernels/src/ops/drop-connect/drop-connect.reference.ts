/** CPU twin of the drop-connect generator (same u32 arithmetic, bit for bit) and the float64 reference. */
import { pcgHash } from '../../wgsl/pcg.reference.js';
import { dropConnectThreshold } from './drop-connect.js';


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
