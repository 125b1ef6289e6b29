/** PyTorch's default initialisers, drawn from a seeded generator (same seed → same weights everywhere). */
import type { Random } from '@ulseg/base';

/** Uniform(-bound, bound) values. */
export function uniform(random: Random, count: number, bound: number): Float32Array {
  const out = new Float32Array(count);
  for (let index = 0; index < count; index++) out[index] = random.uniform(-bound, bound);
  return out;
}

/**
 * kaiming_uniform_(w, a=√5) as nn.Conv2d.reset_parameters does: gain = √(2/(1+a²)) = √(1/3),
 * bound = gain·√(3/fan_in) = 1/√fan_in.
 */
export function kaimingUniformBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}
