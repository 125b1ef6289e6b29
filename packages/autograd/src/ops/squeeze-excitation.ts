/** The squeeze-excitation pieces: global average pooling and per-channel scaling. */
import {
  channelScale,
  channelScaleBackward,
  formatShape,
  SE_MAX_REDUCED,
  squeezeExcitation as squeezeExcitationKernel,
} from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { recordsGrad, Tensor } from '../tensor.js';
import { conv2d } from './convolution.js';
import { adaptiveAvgPool2d } from './pooling.js';
import { sigmoid, silu } from './activation.js';

const channelScaleOp: Op<[x: Tensor, s: Tensor], undefined, [Tensor, Tensor]> = {
  name: 'channelScale',
  forward: (gpu, [x, s]) => ({ output: channelScale(gpu, x.data, s.data), saved: [x.detach(), s.detach()] }),
  // y = x·s[n,c]  ⇒  dx = dy·s,  ds = Σ_hw dy·x
  backward: ({ gpu, saved: [x, s] }, dy) => {
    const { dx, ds } = channelScaleBackward(gpu, dy.data, x.data, s.data);
    return [Tensor.adopt(gpu, dx), Tensor.adopt(gpu, ds)];
  },
};

/** The fused inference form (inputs x, w1, b1, w2, b2): never recorded, so it has no backward. */
const fusedOp: Op<[x: Tensor, reduceWeight: Tensor, reduceBias: Tensor, expandWeight: Tensor, expandBias: Tensor]> = {
  name: 'squeezeExcitation',
  forward: (gpu, [x, reduceWeight, reduceBias, expandWeight, expandBias]) => ({
    output: squeezeExcitationKernel(gpu, x.data, {
      reduceWeight: reduceWeight.data,
      reduceBias: reduceBias.data,
      expandWeight: expandWeight.data,
      expandBias: expandBias.data,
    }),
  }),
  backward: () => {
    throw new Error('squeezeExcitation: the fused inference form has no backward (a forward that records runs the composition)');
  },
};

/** x·s with s of shape [N, C, 1, 1] (or [N, C]) broadcast over H and W: the excitation's scaling. */
export function channelMultiply(x: Tensor, s: Tensor): Tensor {
  return apply(channelScaleOp, [x, s], undefined);
}

/**
 * Squeeze-and-excitation: y = x·σ(conv1x1(silu(conv1x1(mean_hw(x), w1, b1)), w2, b2)), weights in PyTorch's layouts
 * (w1 [R, C, 1, 1], w2 [C, R, 1, 1]). Without grad (inference) it runs the fused kernel (3 dispatches); when anything
 * records a gradient it runs the composition, whose backward the tape already knows.
 */
export function squeezeExcitation(x: Tensor, reduceWeight: Tensor, reduceBias: Tensor, expandWeight: Tensor, expandBias: Tensor): Tensor {
  if (x.shape.length !== 4) throw new Error(`squeezeExcitation: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  const inputs = [x, reduceWeight, reduceBias, expandWeight, expandBias];
  if (!recordsGrad(inputs) && (reduceWeight.shape[0] ?? 0) <= SE_MAX_REDUCED) return apply(fusedOp, inputs, undefined);
  const gate = sigmoid(conv2d(silu(conv2d(adaptiveAvgPool2d(x), reduceWeight, reduceBias)), expandWeight, expandBias));
  return channelMultiply(x, gate);
}
