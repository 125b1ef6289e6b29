/** The squeeze-excitation pieces: global average pooling and per-channel scaling. */
import {
  channelScale,
  channelScaleBackward,
  formatShape,
  SE_MAX_REDUCED,
  squeezeExcitation as squeezeExcitationKernel,
  squeezeExcitationBackward,
  squeezeExcitationTraining,
} from '@ulseg/kernels';
import { trainingFusionEnabled } from '../fusion.js';
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

/**
 * The recorded form (inputs x, w1, b1, w2, b2): pool, gate, scale forward (3 dispatches), p and g saved; the backward
 * in 4 dispatches (kernels' squeeze-excitation-training).
 */
const trainingOp: Op<[x: Tensor, reduceWeight: Tensor, reduceBias: Tensor, expandWeight: Tensor, expandBias: Tensor], undefined, [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]> = {
  name: 'squeezeExcitationTraining',
  forward: (gpu, [x, reduceWeight, reduceBias, expandWeight, expandBias]) => {
    const weights = { reduceWeight: reduceWeight.data, reduceBias: reduceBias.data, expandWeight: expandWeight.data, expandBias: expandBias.data };
    const { y, pooled, gate } = squeezeExcitationTraining(gpu, x.data, weights);
    return {
      output: y,
      saved: [x.detach(), reduceWeight.detach(), reduceBias.detach(), expandWeight.detach(), expandBias.detach(), Tensor.adopt(gpu, pooled), Tensor.adopt(gpu, gate)],
    };
  },
  // y = x·g, g = σ(W2·silu(W1·mean_hw(x) + b1) + b2): dx = dy·g + dp/(H·W), the MLP's chain for dp and the weights
  backward: ({ gpu, saved: [x, reduceWeight, reduceBias, expandWeight, expandBias, pooled, gate] }, dy) => {
    const weights = { reduceWeight: reduceWeight.data, reduceBias: reduceBias.data, expandWeight: expandWeight.data, expandBias: expandBias.data };
    const grads = squeezeExcitationBackward(gpu, dy.data, x.data, weights, { pooled: pooled.data, gate: gate.data });
    return [grads.dx, grads.dReduceWeight, grads.dReduceBias, grads.dExpandWeight, grads.dExpandBias].map((tensor) => Tensor.adopt(gpu, tensor));
  },
};

/** x·s with s of shape [N, C, 1, 1] (or [N, C]) broadcast over H and W: the excitation's scaling. */
export function channelMultiply(x: Tensor, s: Tensor): Tensor {
  return apply(channelScaleOp, [x, s], undefined);
}

/**
 * Squeeze-and-excitation: y = x·σ(conv1x1(silu(conv1x1(mean_hw(x), w1, b1)), w2, b2)), weights in PyTorch's layouts
 * (w1 [R, C, 1, 1], w2 [C, R, 1, 1]). Without grad (inference) it runs the fused kernel (3 dispatches); when anything
 * records a gradient, one recorded op of the same 3 dispatches and a 4-dispatch backward (R ≤ SE_MAX_REDUCED, unless
 * setTrainingFusion(false)), else the composition, whose backward the tape already knows.
 */
export function squeezeExcitation(x: Tensor, reduceWeight: Tensor, reduceBias: Tensor, expandWeight: Tensor, expandBias: Tensor): Tensor {
  if (x.shape.length !== 4) throw new Error(`squeezeExcitation: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  const inputs = [x, reduceWeight, reduceBias, expandWeight, expandBias];
  const fits = (reduceWeight.shape[0] ?? 0) <= SE_MAX_REDUCED;
  if (!recordsGrad(inputs) && fits) return apply(fusedOp, inputs, undefined);
  if (fits && trainingFusionEnabled()) return apply(trainingOp, inputs, undefined);
  const gate = sigmoid(conv2d(silu(conv2d(adaptiveAvgPool2d(x), reduceWeight, reduceBias)), expandWeight, expandBias));
  return channelMultiply(x, gate);
}
