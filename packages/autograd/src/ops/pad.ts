/**
 * Zero padding, PyTorch `F.pad(x, [left, right, top, bottom])` on [N, C, H, W], composed from a depthwise 1x1
 * convolution with unit weights and that padding: its gradient (a crop) comes from the convolution's backward.
 */
import { formatShape } from '@ulseg/kernels';
import { Tensor } from '../tensor.js';
import { conv2d } from './convolution.js';

export function pad(x: Tensor, padding: readonly [number, number, number, number]): Tensor {
  if (x.shape.length !== 4) throw new Error(`pad: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  if (padding.length !== 4 || padding.some((size) => !Number.isInteger(size) || size < 0)) {
    throw new Error(`pad: padding must be [left, right, top, bottom] of non-negative integers, got [${padding.join(', ')}]`);
  }
  const channels = x.shape[1]!;
  const ones = Tensor.full(x.gpu, [channels, 1, 1, 1], 1);
  const y = conv2d(x, ones, undefined, { padding, groups: channels });
  ones.dispose();
  return y;
}
