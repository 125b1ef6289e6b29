/** Seeded inputs for benchmarks: fast enough for tens of millions of values, identical in Node and the browser. */

/** xorshift32 → uniform floats in [low, high). */
export function uniformArray(count: number, seed: number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 0x9e3779b9;
  const scale = (high - low) / 4294967296;
  for (let index = 0; index < count; index++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[index] = low + state * scale;
  }
  return out;
}

/** A deterministic seed per benchmark name, so reruns and both runtimes use the same inputs. */
export function seedOf(text: string): number {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}
