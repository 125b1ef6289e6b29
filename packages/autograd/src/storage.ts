/**
 * A reference-counted device buffer. Tensors that view the same data (reshape, saved activations) share one Storage;
 * the buffer returns to the pool when the last reference is released.
 * A deferred storage has no buffer until something reads `buffer`: it holds a recipe (the parts of a channel
 * concatenation) that consumers able to read the parts in place use instead, and computes the buffer on first read.
 */
import type { Gpu } from '@ulseg/kernels';
import type { Tensor } from './tensor.js';

/** y = cat(parts, dim), not yet computed. */
export interface DeferredConcat {
  /** Handles on the parts' data, owned by the storage (valid while it is deferred, whoever disposes the sources). */
  readonly parts: readonly Tensor[];
  /** The tensors the cat was called on (their graph: what a consumer records as its inputs). */
  readonly sources: readonly Tensor[];
  readonly dim: number;
}

export class Storage {
  private references = 1;
  private current: GPUBuffer | undefined;
  private recipe: DeferredConcat | undefined;
  private compute: (() => GPUBuffer) | undefined;

  constructor(
    readonly gpu: Gpu,
    buffer: GPUBuffer | undefined,
    /** True when the buffer came from the pool (ours to release); false for a caller's buffer. */
    private readonly pooled: boolean,
  ) {
    this.current = buffer;
  }

  /** A pooled storage whose buffer `compute` makes on first read; the recipe's parts are released then (or with it). */
  static deferred(gpu: Gpu, recipe: DeferredConcat, compute: () => GPUBuffer): Storage {
    const storage = new Storage(gpu, undefined, true);
    storage.recipe = recipe;
    storage.compute = compute;
    return storage;
  }

  get buffer(): GPUBuffer {
    if (!this.current) {
      this.current = this.compute!();
      this.dropRecipe();
    }
    return this.current;
  }

  /** The recipe while the buffer has not been computed. */
  get deferred(): DeferredConcat | undefined {
    return this.recipe;
  }

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
    if (this.references > 0) return;
    if (this.current && this.pooled) this.gpu.pool.release(this.current);
    this.dropRecipe();
  }

  private dropRecipe(): void {
    for (const part of this.recipe?.parts ?? []) part.dispose();
    this.recipe = undefined;
    this.compute = undefined;
  }
}
