/** Drop-connect (stochastic depth per sample, https://arxiv.org/abs/1603.09382 as EfficientNet uses it). */
import { dropConnect as dropConnectKernel, dropConnectAdd as dropConnectAddKernel, dropConnectBackward } from '@ulseg/kernels';
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

const dropConnectAddOp: Op<DropConnectAttributes> = {
  name: 'dropConnectAdd',
  forward: (gpu, [x, residual], { p, seed }) => ({ output: dropConnectAddKernel(gpu, x!.data, residual!.data, p, seed) }),
  // z = x·keep[n]/(1 − p) + r  ⇒  dx = dy·keep[n]/(1 − p), dr = dy
  backward: ({ gpu, attributes: { p, seed }, needsGrad }, dy) => [
    needsGrad[0] ? Tensor.adopt(gpu, dropConnectBackward(gpu, dy.data, p, seed)) : undefined,
    dy.detach(),
  ],
};

/** dropConnect(x, p, seed) + residual in one kernel (an MBConv block's output in training). */
export function dropConnectAdd(x: Tensor, residual: Tensor, p: number, seed: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropConnectAdd: p must lie in [0, 1), got ${p}`);
  return apply(dropConnectAddOp, [x, residual], { p, seed: seed >>> 0 });
}
