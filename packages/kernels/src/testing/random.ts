import { Random } from '@ulseg/base';

export { Random };

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
