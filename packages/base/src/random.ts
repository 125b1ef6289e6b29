/**
 * The seeded generator of ulseg (SplitMix32): the same seed gives the same numbers in Node and in every browser, so
 * test inputs, phantom data sets, fold splits, weight initialisation and augmentation are reproducible from a seed.
 *   state ← state + 0x9e3779b9 (mod 2^32);  z = mix(state) with the MurmurHash3 finaliser constants.
 * Two ways name a stream (both kept: existing seeds must give the numbers they always gave):
 *   Random.fromName(name, seed)  FNV-1a of name from 2166136261 ^ seed, the stream starts there (kernel tests)
 *   Random.derive(seed, name)    the same hash, one value drawn and dropped (data: phantoms, folds, grades)
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A stream for a name, e.g. each named test case, starting at the name's hash. */
  static fromName(name: string, seed = 0): Random {
    return new Random(nameHash(name, seed));
  }

  /** A generator for one named stream of a seed (e.g. `train/7`), independent of how many other streams are drawn. */
  static derive(seed: number, name: string): Random {
    const random = new Random(nameHash(name, seed >>> 0));
    random.nextUint32();
    return random;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [low, high]. */
  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** Standard normal (Box-Muller): u = 1 − next(), then v = next(). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index--) {
      const other = Math.floor(this.next() * (index + 1));
      const swap = items[index] as T;
      items[index] = items[other] as T;
      items[other] = swap;
    }
    return items;
  }
}

/** FNV-1a (32-bit) of the UTF-16 code units of name, from the offset basis xor seed. */
function nameHash(name: string, seed: number): number {
  let hash = 2166136261 ^ seed;
  for (let index = 0; index < name.length; index++) hash = Math.imul(hash ^ name.charCodeAt(index), 16777619);
  return hash >>> 0;
}
