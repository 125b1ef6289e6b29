/**
 * Tensor: a float32 array on the GPU with a shape, and, when it requires a gradient, the tape node that made it.
 * Data lives in a reference-counted Storage, so views (reshape) and saved activations share buffers.
 */
import { formatShape, numel, type Gpu, type GpuTensor } from '@ulseg/kernels';
import { isGradEnabled, track, untrack } from './grad-mode.js';
import { Storage, type DeferredConcat } from './storage.js';
import type { Node } from './tape.js';
import { parseNpy } from '@ulseg/base';

type BackwardFunction = (root: Tensor, gradient: Tensor | undefined, retainGraph: boolean) => void;
let backwardFunction: BackwardFunction | undefined;

/** The tape installs its backward pass here (tensor.ts cannot import the tape, which builds tensors). */
export function installBackward(run: BackwardFunction): void {
  backwardFunction = run;
}

export interface TensorOptions {
  requiresGrad?: boolean;
  name?: string;
}

export class Tensor {
  readonly isUlsegTensor = true;
  readonly shape: readonly number[];
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after backward(). */
  grad: Tensor | undefined;
  /** The tape node that produced this tensor (undefined for leaves and under noGrad). */
  node: Node | undefined;
  name: string | undefined;
  private storage: Storage | undefined;

  /** Wraps a storage (shared; the caller passes its reference to the new tensor). */
  constructor(storage: Storage, shape: readonly number[], options: TensorOptions = {}) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = options.requiresGrad ?? false;
    this.name = options.name;
    track(this);
  }

  static fromArray(gpu: Gpu, data: Float32Array | readonly number[], shape: readonly number[] = [data.length], options: TensorOptions = {}): Tensor {
    const view = gpu.upload(data, shape, options.name ?? 'tensor');
    return new Tensor(new Storage(gpu, view.buffer, true), shape, options);
  }

  /** Parses a NumPy `.npy` file (float32, C order) into a tensor. */
  static fromNpy(gpu: Gpu, bytes: Uint8Array, options: TensorOptions = {}): Tensor {
    const { data, shape } = parseNpy(bytes, options.name ?? '.npy data');
    return Tensor.fromArray(gpu, data, shape, options);
  }

  static zeros(gpu: Gpu, shape: readonly number[], options: TensorOptions = {}): Tensor {
    return Tensor.full(gpu, shape, 0, options);
  }

  static full(gpu: Gpu, shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
    return Tensor.fromArray(gpu, new Float32Array(numel(shape)).fill(value), shape, options);
  }

  /** A tensor over a fresh pool buffer with undefined contents (kernels write it). */
  static empty(gpu: Gpu, shape: readonly number[], label = 'tensor'): Tensor {
    const view = gpu.empty(shape, label);
    return new Tensor(new Storage(gpu, view.buffer, true), shape);
  }

  /** Adopts a kernel output (a pool buffer) as a tensor. */
  static adopt(gpu: Gpu, view: GpuTensor, options: TensorOptions = {}): Tensor {
    return new Tensor(new Storage(gpu, view.buffer, gpu.pool.owns(view.buffer)), view.shape, options);
  }

  get gpu(): Gpu {
    return this.alive().gpu;
  }

  /** The kernel-level view: buffer and shape. */
  get data(): GpuTensor {
    return { buffer: this.alive().buffer, shape: this.shape };
  }

  /**
   * The parts of a concatenation whose data nothing has read yet (F.cat's result), for consumers that read the parts
   * in place (conv2d); undefined for any other tensor. Reading `data` computes the concatenation.
   */
  get deferredConcat(): DeferredConcat | undefined {
    return this.storage?.alive ? this.storage.deferred : undefined;
  }

  get size(): number {
    return numel(this.shape);
  }

  get isLeaf(): boolean {
    return this.node === undefined;
  }

  get disposed(): boolean {
    return !this.storage?.alive;
  }

  /** A new tensor sharing this one's storage with another shape (no copy, no history). */
  view(shape: readonly number[]): Tensor {
    if (numel(shape) !== this.size) {
      throw new Error(`view: cannot view ${formatShape(this.shape)} (${this.size} elements) as ${formatShape(shape)}`);
    }
    return new Tensor(this.alive().retain(), shape);
  }

  /** A handle on the same data without history, which the caller must dispose. */
  detach(): Tensor {
    return this.view(this.shape);
  }

  /** Reads the values back (submits pending work once). */
  async toArray(): Promise<Float32Array> {
    return this.gpu.read(this.data);
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    return (await this.toArray())[0]!;
  }

  /** Back-propagates from this tensor (a scalar unless `gradient` is given) into every leaf that requires grad. */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    if (!backwardFunction) throw new Error('backward: the tape module is not loaded (import from @ulseg/autograd)');
    backwardFunction(this, gradient, options.retainGraph ?? false);
  }

  /** Marks this tensor as living beyond the current scope (parameters, state). */
  keep(): this {
    untrack(this);
    return this;
  }

  /**
   * Frees the data (when no view or saved copy still uses it) and the gradient. The tensor's place in the graph stays
   * while later results still depend on it (backward works through disposed intermediates, as in PyTorch); its saved
   * activations go when nothing downstream needs them. Safe to call twice.
   */
  dispose(): void {
    if (this.storage) this.node?.dropConsumer();
    this.storage?.release();
    this.storage = undefined;
    this.grad?.dispose();
    this.grad = undefined;
    untrack(this);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''}${this.name ? `, '${this.name}'` : ''})`;
  }

  private alive(): Storage {
    if (!this.storage?.alive) {
      throw new Error(`${this.name ? `tensor '${this.name}'` : `a tensor of shape ${formatShape(this.shape)}`} was used after dispose()`);
    }
    return this.storage;
  }
}

/** Whether an op's result should record history. */
export function recordsGrad(inputs: readonly (Tensor | undefined)[]): boolean {
  return isGradEnabled() && inputs.some((input) => input?.requiresGrad === true);
}
