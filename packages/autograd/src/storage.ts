/**
 * A reference-counted device buffer. Tensors that view the same data (reshape, saved activations) share one Storage;
 * the buffer returns to the pool when the last reference is released.
 */
import type { Gpu } from '@ulseg/kernels';

export class Storage {
  private references = 1;

  constructor(
    readonly gpu: Gpu,
    readonly buffer: GPUBuffer,
    /** True when the buffer came from the pool (ours to release); false for a caller's buffer. */
    private readonly pooled: boolean,
  ) {}

  get alive(): boolean {
    return this.references > 0;
  }

  retain(): this {
    this.references++;
    return this;
  }

  release(): void {
    if (this.references <= 0) return;
    this.references--;
    if (this.references === 0 && this.pooled) this.gpu.pool.release(this.buffer);
  }
}
