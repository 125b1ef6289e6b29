/**
 * F.batchNormActivation: act(F.batch_norm(x, …, training=True)) as one op, forward and backward each one
 * element-wise pass after the statistics (kernels' batch-norm-activation): the activation's own pass and its
 * backward pass are gone, and its input z = BN(x) is never stored (the backward recomputes it from x and the saved
 * batch statistics). Training mode only; eval BN folds into the convolution instead (nn.convBatchNorm).
 */
import { batchNorm2dActivationBackward, batchNorm2dActivationTraining, formatShape, type Activation } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';
import { markWeightsChanged } from '../weights-version.js';

interface BatchNormActivationAttributes {
  runningMean: Tensor | undefined;
  runningVar: Tensor | undefined;
  /** Incremented in place by the statistics pass. */
  numBatchesTracked: Tensor | undefined;
  momentum: number;
  eps: number;
  activation: Activation;
}

const batchNormActivationOp: Op<[x: Tensor, weight: Tensor, bias: Tensor], BatchNormActivationAttributes, [Tensor, Tensor, Tensor, Tensor, Tensor]> = {
  name: 'batchNormActivation',
  forward: (gpu, [x, weight, bias], { runningMean, runningVar, numBatchesTracked, momentum, eps, activation }) => {
    if (runningMean || runningVar) markWeightsChanged();
    const parameters = { weight: weight.data, bias: bias.data, runningMean: runningMean?.data, runningVar: runningVar?.data };
    const { y, mean, invstd } = batchNorm2dActivationTraining(gpu, x.data, parameters, { activation, momentum, eps, numBatchesTracked: numBatchesTracked?.data });
    return { output: y, saved: [x.detach(), weight.detach(), bias.detach(), Tensor.adopt(gpu, mean), Tensor.adopt(gpu, invstd)] };
  },
  // g = dy·f'(z), z = x̂·γ + β;  dγ = Σ g·x̂,  dβ = Σ g,  dx = γ·invstd/n·(n·g − dβ − x̂·dγ)
  backward: ({ gpu, saved, attributes }, dy) => {
    const [x, weight, bias, mean, invstd] = saved;
    const { dx, dweight, dbias } = batchNorm2dActivationBackward(
      gpu,
      dy.data,
      x.data,
      { weight: weight.data, bias: bias.data },
      { mean: mean.data, invstd: invstd.data },
      { activation: attributes.activation },
    );
    return [Tensor.adopt(gpu, dx), Tensor.adopt(gpu, dweight), Tensor.adopt(gpu, dbias)];
  },
};

/**
 * act(F.batch_norm(x, running_mean, running_var, weight, bias, training=True, momentum, eps)) for [N, C, H, W],
 * act one of none, relu, sigmoid, silu; the running statistics and `numBatchesTracked` (+1; when given) are updated
 * in place.
 */
export function batchNormActivation(
  x: Tensor,
  runningMean: Tensor | undefined,
  runningVar: Tensor | undefined,
  weight: Tensor,
  bias: Tensor,
  activation: Activation,
  momentum = 0.1,
  eps = 1e-5,
  numBatchesTracked?: Tensor,
): Tensor {
  if (x.shape.length !== 4) throw new Error(`batchNormActivation: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  return apply(batchNormActivationOp, [x, weight, bias], { runningMean, runningVar, numBatchesTracked, momentum, eps, activation });
}
