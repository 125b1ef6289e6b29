/**
 * Drop-connect (stochastic depth per sample, https://arxiv.org/abs/1603.09382 as EfficientNet uses it), dropout and
 * Dropout2d (docs/ORIGINAL.md §9).
 */
import {
  dropConnect as dropConnectKernel,
  dropConnectAdd as dropConnectAddKernel,
  dropConnectBackward,
  dropout as dropoutKernel,
  dropoutBackward,
  type DropoutUnit,
} from '@ulseg/kernels';
import { mulScalar } from './arithmetic.js';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

interface DropConnectAttributes {
  p: number;
  seed: number;
}

const dropConnectOp: Op<[Tensor], DropConnectAttributes> = {
  name: 'dropConnect',
  forward: (gpu, [x], { p, seed }) => ({ output: dropConnectKernel(gpu, x.data, p, seed) }),
  // y = x·keep[n]/(1 − p)  ⇒  dx = dy·keep[n]/(1 − p), the same mask from the same seed
  backward: ({ gpu, attributes: { p, seed } }, dy) => [Tensor.adopt(gpu, dropConnectBackward(gpu, dy.data, p, seed))],
};

/** Keeps each sample of x with probability 1 − p (scaled by 1/(1 − p)), drops it otherwise; `seed` picks the mask. */
export function dropConnect(x: Tensor, p: number, seed: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropConnect: p must lie in [0, 1), got ${p}`);
  return apply(dropConnectOp, [x], { p, seed: seed >>> 0 });
}

const dropConnectAddOp: Op<[x: Tensor, residual: Tensor], DropConnectAttributes> = {
  name: 'dropConnectAdd',
  forward: (gpu, [x, residual], { p, seed }) => ({ output: dropConnectAddKernel(gpu, x.data, residual.data, p, seed) }),
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

interface DropoutAttributes {
  p: number;
  seed: number;
  unit: DropoutUnit;
}

const dropoutOp: Op<[Tensor], DropoutAttributes> = {
  name: 'dropout',
  forward: (gpu, [x], { p, seed, unit }) => ({ output: dropoutKernel(gpu, x.data, p, seed, unit) }),
  // y = x·keep(unit)/(1 − p)  ⇒  dx = dy·keep(unit)/(1 − p), the same mask from the same seed
  backward: ({ gpu, attributes: { p, seed, unit } }, dy) => [Tensor.adopt(gpu, dropoutBackward(gpu, dy.data, p, seed, unit))],
};

function applyDropout(name: string, x: Tensor, p: number, training: boolean, seed: number | undefined, unit: DropoutUnit): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`${name}: p must lie in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mulScalar(x, 0);
  if (seed === undefined) throw new Error(`${name}: training with p > 0 needs a seed (draw one from the model's generator)`);
  return apply(dropoutOp, [x], { p, seed: seed >>> 0, unit });
}

/**
 * PyTorch `F.dropout(x, p=0.5, training=True)`: in training each element is zeroed with probability p and the rest
 * scaled by 1/(1 − p), the mask drawn from `seed`; in evaluation (or p = 0) x itself.
 */
export function dropout(x: Tensor, p = 0.5, training = true, seed?: number): Tensor {
  return applyDropout('dropout', x, p, training, seed, 'element');
}

/** PyTorch `F.dropout2d(x, p=0.5, training=True)` on [N, C, H, W]: whole channels of each sample zeroed with probability p. */
export function dropout2d(x: Tensor, p = 0.5, training = true, seed?: number): Tensor {
  return applyDropout('dropout2d', x, p, training, seed, 'channel');
}
