/**
 * F.batchNorm2d with PyTorch's argument order and semantics. Training: batch statistics, running statistics updated
 * in place (unbiased variance), backward through mean and variance. Eval: the running statistics, and a backward
 * composed from element-wise ops (dx = dy·γ/√(var + eps)).
 * https://arxiv.org/abs/1502.03167
 */
import { batchNorm2dBackward, batchNorm2dInference, batchNorm2dTraining, binary, formatShape, reduce, unary } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';
import { markWeightsChanged } from '../weights-version.js';

interface BatchNormAttributes {
  runningMean: Tensor | undefined;
  runningVar: Tensor | undefined;
  training: boolean;
  momentum: number;
  eps: number;
}

const batchNormOp: Op<[x: Tensor, weight: Tensor, bias: Tensor], BatchNormAttributes, [Tensor, Tensor] | [Tensor, Tensor, Tensor, Tensor]> = {
  name: 'batchNorm2d',
  forward: (gpu, [x, weight, bias], { runningMean, runningVar, training, momentum, eps }) => {
    const parameters = { weight: weight.data, bias: bias.data, runningMean: runningMean?.data, runningVar: runningVar?.data };
    if (training) {
      if (runningMean || runningVar) markWeightsChanged();
      const { y, mean, invstd } = batchNorm2dTraining(gpu, x.data, parameters, { momentum, eps });
      return { output: y, saved: [x.detach(), weight.detach(), Tensor.adopt(gpu, mean), Tensor.adopt(gpu, invstd)] };
    }
    if (!runningMean || !runningVar) throw new Error('batchNorm2d: eval mode needs running_mean and running_var');
    return { output: batchNorm2dInference(gpu, x.data, parameters, { eps }), saved: [x.detach(), weight.detach()] };
  },
  // Training: dγ = Σ dy·x̂, dβ = Σ dy, dx = γ·invstd/n·(n·dy − dβ − x̂·dγ). Eval: x̂ = (x − μ_r)/√(σ²_r + eps),
  // dx = dy·γ/√(σ²_r + eps), dγ = Σ dy·x̂, dβ = Σ dy.
  backward: ({ gpu, saved, attributes }, dy) => {
    const [x, weight, mean, invstd] = saved;
    if (attributes.training) {
      const { dx, dweight, dbias } = batchNorm2dBackward(gpu, dy.data, x.data, weight.data, { mean: mean!.data, invstd: invstd!.data });
      return [Tensor.adopt(gpu, dx), Tensor.adopt(gpu, dweight), Tensor.adopt(gpu, dbias)];
    }
    const channels = x.shape[1]!;
    const perChannel = (tensor: { buffer: GPUBuffer }) => ({ buffer: tensor.buffer, shape: [1, channels, 1, 1] });
    const eps = gpu.upload([attributes.eps], []);
    const variance = binary(gpu, 'add', attributes.runningVar!.data, eps);
    const std = unary(gpu, 'sqrt', variance);
    const inverse = unary(gpu, 'reciprocal', std);
    const scale = binary(gpu, 'mul', weight.data, inverse);
    const dx = binary(gpu, 'mul', dy.data, perChannel(scale));
    const centred = binary(gpu, 'sub', x.data, perChannel(attributes.runningMean!.data));
    const normalised = binary(gpu, 'mul', centred, perChannel(inverse));
    const product = binary(gpu, 'mul', dy.data, normalised);
    const dweight = reduce(gpu, 'sum', product, { axes: [0, 2, 3] });
    const dbias = reduce(gpu, 'sum', dy.data, { axes: [0, 2, 3] });
    for (const temporary of [eps, variance, std, inverse, scale, centred, normalised, product]) gpu.release(temporary);
    return [Tensor.adopt(gpu, dx), Tensor.adopt(gpu, dweight), Tensor.adopt(gpu, dbias)];
  },
};

/**
 * PyTorch `F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)` for [N, C, H, W].
 * In training mode the running statistics (when given) are updated in place.
 */
export function batchNorm2d(
  x: Tensor,
  runningMean: Tensor | undefined,
  runningVar: Tensor | undefined,
  weight: Tensor,
  bias: Tensor,
  training: boolean,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (x.shape.length !== 4) throw new Error(`batchNorm2d: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  return apply(batchNormOp, [x, weight, bias], { runningMean, runningVar, training, momentum, eps });
}
