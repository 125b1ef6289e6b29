/**
 * Conv2d, ConvTranspose2d and BatchNorm2d with PyTorch's parameter and buffer names and default initialisation
 * (kaiming_uniform(a=√5) for convolution weights, uniform(±1/√fan_in) biases; BN weight 1, bias 0, running
 * statistics 0 and 1), drawn from the InitContext's seeded generator.
 */
import type { Activation, GpuTensor } from '@ulseg/kernels';
import type { Random } from '@ulseg/base';
import * as F from '../functional.js';
import { Tensor } from '../tensor.js';
import type { ConvOptions } from '../ops/convolution.js';
import { kaimingUniformBound, uniform } from './init.js';
import type { InitContext } from './init-context.js';
import { Module } from './module.js';

export type ConvInit = 'default' | 'kaiming-relu' | 'xavier';

export interface Conv2dConfig extends ConvOptions {
  bias?: boolean;
  /** default: PyTorch's; kaiming-relu: smp's decoder init (bias 0); xavier: smp's head init (bias 0). */
  init?: ConvInit;
}

function initialWeights(random: Random, count: number, fanIn: number, fanOut: number, init: ConvInit): Float32Array {
  if (init === 'kaiming-relu') return uniform(random, count, Math.sqrt(6 / fanIn));
  if (init === 'xavier') return uniform(random, count, Math.sqrt(6 / (fanIn + fanOut)));
  return uniform(random, count, kaimingUniformBound(fanIn));
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly options: ConvOptions;

  constructor(ctx: InitContext, inChannels: number, outChannels: number, kernelSize: number, config: Conv2dConfig = {}) {
    super(ctx);
    const { gpu, random } = ctx;
    const groups = config.groups ?? 1;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`Conv2d ${ctx.path || '(root)'}: groups ${groups} must divide in (${inChannels}) and out (${outChannels}) channels`);
    }
    const shape = [outChannels, inChannels / groups, kernelSize, kernelSize];
    const fanIn = (inChannels / groups) * kernelSize * kernelSize;
    const fanOut = (outChannels / groups) * kernelSize * kernelSize;
    const init = config.init ?? 'default';
    this.weight = this.registerParameter('weight', Tensor.fromArray(gpu, initialWeights(random, outChannels * fanIn, fanIn, fanOut, init), shape));
    if (config.bias ?? true) {
      const values = init === 'default' ? uniform(random, outChannels, 1 / Math.sqrt(fanIn)) : new Float32Array(outChannels);
      this.bias = this.registerParameter('bias', Tensor.fromArray(gpu, values, [outChannels]));
    }
    this.options = { stride: config.stride, padding: config.padding, dilation: config.dilation, groups };
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.options);
  }
}

export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;

  constructor(
    ctx: InitContext,
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    readonly config: { stride?: number; padding?: number; bias?: boolean } = {},
  ) {
    super(ctx);
    const { gpu, random } = ctx;
    // PyTorch computes fan_in of a transposed-conv weight [Cin, Cout, k, k] from dimension 1: Cout·k·k.
    const fanIn = outChannels * kernelSize * kernelSize;
    const shape = [inChannels, outChannels, kernelSize, kernelSize];
    this.weight = this.registerParameter('weight', Tensor.fromArray(gpu, uniform(random, inChannels * fanIn, kaimingUniformBound(fanIn)), shape));
    if (config.bias ?? true) this.bias = this.registerParameter('bias', Tensor.fromArray(gpu, uniform(random, outChannels, 1 / Math.sqrt(fanIn)), [outChannels]));
  }

  forward(x: Tensor): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, { stride: this.config.stride, padding: this.config.padding });
  }
}

export interface BatchNormConfig {
  eps?: number;
  momentum?: number;
}

/** nn.convBatchNorm's folded scale and shift, and what they were made from. */
export interface FoldCache {
  readonly conv: object;
  readonly version: number;
  readonly sources: readonly (Tensor | undefined)[];
  readonly eps: number;
  readonly scale: GpuTensor;
  readonly shift: GpuTensor;
}

export function releaseFold(norm: BatchNorm2d): void {
  const cache = norm.foldCache;
  if (!cache) return;
  norm.foldCache = undefined;
  norm.weight.gpu.release(cache.scale);
  norm.weight.gpu.release(cache.shift);
}

export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly eps: number;
  /** Weight of the current batch in the running statistics; read at every training forward and settable, as in PyTorch. */
  momentum: number;
  constructor(ctx: InitContext, readonly channels: number, config: BatchNormConfig = {}) {
    super(ctx);
    const { gpu } = ctx;
    this.eps = config.eps ?? 1e-5;
    this.momentum = config.momentum ?? 0.1;
    this.weight = this.registerParameter('weight', Tensor.full(gpu, [channels], 1));
    this.bias = this.registerParameter('bias', Tensor.zeros(gpu, [channels]));
    this.registerBuffer('running_mean', Tensor.zeros(gpu, [channels]));
    this.registerBuffer('running_var', Tensor.full(gpu, [channels], 1));
    this.registerBuffer('num_batches_tracked', Tensor.zeros(gpu, []));
  }

  get runningMean(): Tensor {
    return this.buffer('running_mean');
  }

  get runningVar(): Tensor {
    return this.buffer('running_var');
  }

  forward(x: Tensor): Tensor {
    const y = F.batchNorm2d(x, this.runningMean, this.runningVar, this.weight, this.bias, this.training, this.momentum, this.eps);
    if (this.training) this.countBatch();
    return y;
  }

  /**
   * act(forward(x)) in training mode as one op (F.batchNormActivation), num_batches_tracked incremented in place by
   * its statistics pass; eval mode composes the two.
   */
  forwardActivation(x: Tensor, activation: Activation): Tensor {
    if (!this.training) return activation === 'none' ? this.forward(x) : F[activation](this.forward(x));
    const tracked = this.buffer('num_batches_tracked');
    return F.batchNormActivation(x, this.runningMean, this.runningVar, this.weight, this.bias, activation, this.momentum, this.eps, tracked);
  }

  /**
   * The eval-mode fold of this BN behind one convolution (nn.convBatchNorm), kept while the weights version and
   * every tensor it was made from are unchanged; released by dispose() of this module or any module holding it.
   */
  foldCache: FoldCache | undefined;

  override releaseCaches(): void {
    releaseFold(this);
  }

  /** num_batches_tracked += 1, on the device (no readback). */
  private countBatch(): void {
    const tracked = this.buffer('num_batches_tracked');
    const one = Tensor.full(tracked.gpu, [], 1);
    const next = F.add(tracked, one);
    one.dispose();
    this.replaceBuffer('num_batches_tracked', next);
  }
}

export interface GroupNormConfig {
  eps?: number;
  /** Learnable per-channel γ (ones) and β (zeros); default true. */
  affine?: boolean;
}

/** nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True): parameters `weight` and `bias`, no buffers. */
export class GroupNorm extends Module {
  readonly weight: Tensor | undefined;
  readonly bias: Tensor | undefined;
  readonly eps: number;

  constructor(ctx: InitContext, readonly numGroups: number, readonly numChannels: number, config: GroupNormConfig = {}) {
    super(ctx);
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new Error(`GroupNorm ${ctx.path || '(root)'}: ${numGroups} groups must divide the ${numChannels} channels`);
    }
    this.eps = config.eps ?? 1e-5;
    if (config.affine ?? true) {
      const { gpu } = ctx;
      this.weight = this.registerParameter('weight', Tensor.full(gpu, [numChannels], 1));
      this.bias = this.registerParameter('bias', Tensor.zeros(gpu, [numChannels]));
    }
  }

  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}
