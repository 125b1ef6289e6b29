/** Seeded generator (SplitMix32 stream): the same seed gives the same numbers in Node and in every browser. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Derives a seed from a string, so each named test has its own stream. */
  static fromName(name: string, seed = 0): Random {
    let hash = 2166136261 ^ seed;
    for (let index = 0; index < name.length; index++) hash = Math.imul(hash ^ name.charCodeAt(index), 16777619);
    return new Random(hash >>> 0);
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

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

export interface RandomArrayOptions {
  low?: number;
  high?: number;
  /** Keep |v| >= this (default 0.05), so no element is accidentally zero. Set 0 to allow zeros. */
  minMagnitude?: number;
}

/** float32 values uniform in [low, high] (default [-1, 1]) with |v| >= minMagnitude. */
export function randomArray(random: Random, count: number, options: RandomArrayOptions = {}): Float32Array {
  const { low = -1, high = 1, minMagnitude = 0.05 } = options;
  const out = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    let v = random.uniform(low, high);
    for (let attempt = 0; Math.abs(v) < minMagnitude && attempt < 64; attempt++) v = random.uniform(low, high);
    out[index] = v;
  }
  return out;
}
