/** Output poisoning: fill outputs with a NaN pattern before a kernel runs, so unwritten elements show up. */
import { fill } from '../ops/fill/fill.js';
import type { Gpu } from '../runtime/gpu.js';
import type { GpuTensor } from '../runtime/tensor.js';

/** A quiet NaN with a recognisable payload. */
export const POISON_BITS = 0x7fc0ffee;

export function poison(gpu: Gpu, tensor: GpuTensor): GpuTensor {
  return fill(gpu, tensor, Number.NaN, POISON_BITS);
}

/** A new pool tensor of `shape` filled with poison. */
export function poisoned(gpu: Gpu, shape: readonly number[], label = 'poisoned output'): GpuTensor {
  return poison(gpu, gpu.empty(shape, label));
}
