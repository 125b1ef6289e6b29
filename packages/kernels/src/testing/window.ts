/**
 * Tensors at an element offset inside a larger buffer, for kernels that must read and write only their window:
 * the offset is one `minStorageBufferOffsetAlignment` (the smallest a binding allows), and the buffer extends one
 * alignment past the window, so a vec4 store that runs past the last element lands on a checked word.
 */
import type { Gpu } from '../runtime/gpu.js';
import { numel, type GpuTensor } from '../runtime/tensor.js';
import { poison, POISON_BITS } from './poison.js';

function margin(gpu: Gpu): number {
  return gpu.limits.minStorageBufferOffsetAlignment / 4;
}

/** `data` uploaded as a view of `shape` at an offset; the words around it hold `fill` (NaN by default). */
export function uploadWindow(gpu: Gpu, data: ArrayLike<number>, shape: readonly number[], fill = Number.NaN): GpuTensor {
  const pad = margin(gpu);
  const whole = new Float32Array(pad + data.length + pad).fill(fill);
  whole.set(data, pad);
  const tensor = gpu.upload(whole, [whole.length], 'window input');
  return { buffer: tensor.buffer, shape: [...shape], offset: pad };
}

export interface PoisonedWindow {
  readonly view: GpuTensor;
  /** Throws naming the first word outside the view that is no longer the poison pattern. */
  assertOutsideUntouched(label: string): Promise<void>;
}

/** A poisoned output view of `shape` at an offset, with poisoned words before and after it. */
export function poisonedWindow(gpu: Gpu, shape: readonly number[]): PoisonedWindow {
  const pad = margin(gpu);
  const count = numel(shape);
  const whole = poison(gpu, gpu.empty([pad + count + pad], 'poisoned window'));
  return {
    view: { buffer: whole.buffer, shape: [...shape], offset: pad },
    async assertOutsideUntouched(label) {
      const bits = new Uint32Array((await gpu.read(whole)).buffer);
      const outside = bits.findIndex((value, index) => (index < pad || index >= pad + count) && value !== POISON_BITS);
      if (outside >= 0) throw new Error(`${label}: word ${outside - pad} relative to the window [0, ${count}) was written`);
    },
  };
}
