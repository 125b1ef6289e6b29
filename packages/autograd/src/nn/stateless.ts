/** Parameter-free modules under PyTorch's names, with PyTorch's constructor defaults. */
import * as F from '../functional.js';
import type { Tensor } from '../tensor.js';
import type { MaxPool2dArguments } from '../ops/pooling.js';
import type { Pair } from '@ulseg/kernels';
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
