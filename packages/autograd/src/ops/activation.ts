/** ReLU, sigmoid and SiLU (Swish), with backward kernels that read the forward's input. */
import { activationBackward, unary, type ActivationBackwardOp } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

function activationOp(name: ActivationBackwardOp): Op<[Tensor], undefined, [Tensor]> {
  return {
    name,
    forward: (gpu, [x]) => ({ output: unary(gpu, name, x.data), saved: [x.detach()] }),
    // relu' = [x > 0]; sigmoid' = σ(1 − σ); silu' = σ(x)·(1 + x·(1 − σ(x)))
    backward: ({ gpu, saved: [x] }, dy) => [Tensor.adopt(gpu, activationBackward(gpu, name, x.data, dy.data))],
  };
}

const reluOp = activationOp('relu');
const sigmoidOp = activationOp('sigmoid');
const siluOp = activationOp('silu');

export const relu = (x: Tensor): Tensor => apply(reluOp, [x], undefined);
export const sigmoid = (x: Tensor): Tensor => apply(sigmoidOp, [x], undefined);
/** SiLU / Swish: x·σ(x) (https://arxiv.org/abs/1710.05941). */
export const silu = (x: Tensor): Tensor => apply(siluOp, [x], undefined);
