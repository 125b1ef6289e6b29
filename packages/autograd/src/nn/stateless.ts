/** Parameter-free modules under PyTorch's names, with PyTorch's constructor defaults. */
import * as F from '../functional.js';
import type { Tensor } from '../tensor.js';
import type { MaxPool2dArguments } from '../ops/pooling.js';
import type { Pair } from '@ulseg/kernels';
import type { Random } from '@ulseg/base';
import type { InitContext } from './init-context.js';
import { Module } from './module.js';

/** nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0). */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: MaxPool2dArguments = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, this.options);
  }
}

/** nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None). */
export class Upsample extends Module {
  constructor(readonly options: F.InterpolateOptions) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.interpolate(x, this.options);
  }
}

/** nn.UpsamplingNearest2d(size=None, scale_factor=None): nearest. */
export class UpsamplingNearest2d extends Upsample {
  constructor(options: { size?: readonly [number, number]; scaleFactor?: number | readonly [number, number] }) {
    super({ ...options, mode: 'nearest' });
  }
}

/** nn.UpsamplingBilinear2d(size=None, scale_factor=None): bilinear with align_corners=True. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(options: { size?: readonly [number, number]; scaleFactor?: number | readonly [number, number] }) {
    super({ ...options, mode: 'bilinear', alignCorners: true });
  }
}

/** nn.AdaptiveAvgPool2d(output_size). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number, number]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
}

/**
 * nn.Dropout(p=0.5): in training each element is zeroed with probability p (survivors scaled by 1/(1 − p)), with a
 * fresh mask per forward from the InitContext's generator (the model's seeded one); identity in eval mode.
 */
export class Dropout extends Module {
  readonly random: Random;

  constructor(
    ctx: InitContext,
    readonly p = 0.5,
  ) {
    super(ctx);
    this.random = ctx.random;
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: p must lie in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training, this.training && this.p > 0 ? this.random.nextUint32() : undefined);
  }
}

/**
 * Drop-connect on a residual branch (EfficientNet's per-sample stochastic depth, https://arxiv.org/abs/1603.09382):
 * forward([x, residual]) = x·keep[n]/(1 − p) + residual in training with p > 0 and a generator (one fused kernel,
 * F.dropConnectAdd, the mask seeded from `random`, one draw per forward), x + residual otherwise (eval mode, p = 0, or
 * no generator). `p` is settable between forwards (EfficientNet scales it by the block's depth and a rate that
 * training may change); `random` is set by the owner of the drop-connect stream (the segmentation model's).
 */
export class DropConnect extends Module<readonly [Tensor, Tensor], Tensor> {
  #p: number;
  /** Draws one mask seed per training forward; undefined: no drop-connect. */
  random: Random | undefined;

  constructor(p: number) {
    super();
    this.#p = DropConnect.check(p);
  }

  get p(): number {
    return this.#p;
  }

  set p(value: number) {
    this.#p = DropConnect.check(value);
  }

  private static check(p: number): number {
    if (!(p >= 0 && p < 1)) throw new Error(`DropConnect: p must lie in [0, 1), got ${p}`);
    return p;
  }

  forward([x, residual]: readonly [Tensor, Tensor]): Tensor {
    if (this.training && this.#p > 0 && this.random) return F.dropConnectAdd(x, residual, this.#p, this.random.nextUint32());
    return F.add(x, residual);
  }
}

/** nn.Dropout2d(p=0.5): as Dropout, but whole channels of each sample of [N, C, H, W]. */
export class Dropout2d extends Dropout {
  override forward(x: Tensor): Tensor {
    return F.dropout2d(x, this.p, this.training, this.training && this.p > 0 ? this.random.nextUint32() : undefined);
  }
}
