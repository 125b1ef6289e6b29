/** Drop-connect (stochastic depth per sample, https://arxiv.org/abs/1603.09382 as EfficientNet uses it). */
import { dropConnect as dropConnectKernel, dropConnectBackward } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

interface DropConnectAttributes {
  p: number;
  seed: number;
}

const dropConnectOp: Op<DropConnectAttributes> = {
  name: 'dropConnect',
  forward: (gpu, [x], { p, seed }) => ({ output: dropConnectKernel(gpu, x!.data, p, seed) }),
  // y = x·keep[n]/(1 − p)  ⇒  dx = dy·keep[n]/(1 − p), the same mask from the same seed
  backward: ({ gpu, attributes: { p, seed } }, dy) => [Tensor.adopt(gpu, dropConnectBackward(gpu, dy.data, p, seed))],
};

/** Keeps each sample of x with probability 1 − p (scaled by 1/(1 − p)), drops it otherwise; `seed` picks the mask. */
export function dropConnect(x: Tensor, p: number, seed: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropConnect: p must lie in [0, 1), got ${p}`);
  return apply(dropConnectOp, [x], { p, seed: seed >>> 0 });
}
