/** float64 reference of dropout / dropout2d, with the drop-connect generator's keep decisions (bit for bit). */
import { dropConnectKeep } from '../drop-connect/drop-connect.reference.js';
import { dropoutUnitSize, type DropoutUnit } from './dropout.js';

/** mask[u] ∈ {0, 1} per unit. */
export function dropoutMaskReference(units: number, p: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: units }, (_, u) => (dropConnectKeep(seed, u, p) ? 1 : 0));
}

/** y[i] = x[i]·mask[⌊i / unit size⌋]/(1 − p). */
export function dropoutReference(x: ArrayLike<number>, shape: readonly number[], p: number, seed: number, unit: DropoutUnit): Float64Array {
  const perUnit = dropoutUnitSize('dropoutReference', shape, unit);
  const mask = dropoutMaskReference(Math.ceil(x.length / perUnit), p, seed);
  return Float64Array.from({ length: x.length }, (_, i) => (x[i]! * mask[Math.floor(i / perUnit)]!) / (1 - p));
}
