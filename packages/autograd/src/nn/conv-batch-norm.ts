/**
 * conv → BatchNorm2d → activation in one call: PyTorch's act(bn(conv(x))), with the eval BatchNorm folded into the
 * convolution's epilogue for inference.
 *   Fused (bn in eval mode and nothing to record: under noGrad, or no input requiring grad), one convolution kernel
 *   after a per-channel fold ([C] values; with a conv bias, one more [C] subtraction):
 *     y = act(conv(x)·s + t),  s = γ/√(running_var + ε),  t = β − running_mean·s + b·s  (b: the conv bias, if any);
 *     the result has no history.
 *   The fold (s, t) is kept on the BatchNorm2d while the weights version (weights-version.ts) and the tensors it was
 *   made from are unchanged, so a repeated inference forward pays only the convolutions.
 *   The fused form is one op (`convBatchNorm`), so traces and releasing runs see it like any other.
 *   Otherwise (training, or a gradient to record): act(bn(conv(x))) through the modules' own forwards, so batch
 *   statistics, running-statistic updates and gradients are those of the composition, which is also the fused
 *   path's test oracle.
 *   Training mode with an activation: in training the batch statistics need the whole convolution output first, so
 *   BN cannot enter the convolution's epilogue; BN and the activation run as one op instead
 *   (`BatchNorm2d.forwardActivation`, F.batchNormActivation: one pass forward, one backward, z = BN(x) never
 *   stored, num_batches_tracked counted by the statistics pass), unless `setTrainingFusion(false)` asks for the separate BN and activation ops (the bench's previous path).
 */
import { binary, convTranspose2d, foldBatchNorm2d, type Activation, type GpuTensor } from '@ulseg/kernels';
import * as F from '../functional.js';
import { apply, type Op } from '../op.js';
import { convolveMaybeConcat, type ConvOptions } from '../ops/convolution.js';
import { recordsGrad, Tensor } from '../tensor.js';
import { trainingFusionEnabled } from '../fusion.js';
import { weightsVersion } from '../weights-version.js';
import { ConvTranspose2d, releaseFold, type BatchNorm2d, type Conv2d } from './layers.js';

export type { Activation };

function activate(x: Tensor, activation: Activation): Tensor {
  return activation === 'none' ? x : F[activation](x);
}

interface FusedAttributes {
  readonly activation: Activation;
  readonly transposed: boolean;
  /** The convolution's geometry (a transposed conv's stride and padding). */
  readonly options: ConvOptions;
  readonly eps: number;
  /** (s, t) of the file comment, cached on the BatchNorm2d. */
  readonly fold: () => { scale: GpuTensor; shift: GpuTensor };
}

/**
 * The fused eval form as one op, so a trace sees it with the parameters it stands for. Inputs: x, the conv weight,
 * BN weight, bias, running_mean, running_var, then the conv bias when there is one. Never recorded (it runs only when
 * nothing requires grad), so it has no backward.
 */
const convBatchNormOp: Op<readonly Tensor[], FusedAttributes> = {
  name: 'convBatchNorm',
  forward: (gpu, [x, weight], { activation, transposed, options, fold }) => {
    const { scale, shift } = fold();
    const epilogue = { scale, bias: shift, activation };
    return {
      output: transposed
        ? convTranspose2d(gpu, x!.data, weight!.data, { stride: options.stride as number | undefined, padding: options.padding as number | undefined, ...epilogue })
        : convolveMaybeConcat(x!, weight!, { ...options, ...epilogue }),
    };
  },
  backward: () => {
    throw new Error('convBatchNorm: the fused eval form has no backward (a forward that records runs the composition)');
  },
};

/** act(norm(conv(x))), one fused kernel in eval mode without recording (see the file comment for the math). */
export function convBatchNorm(conv: Conv2d | ConvTranspose2d, norm: BatchNorm2d, x: Tensor, activation: Activation = 'none'): Tensor {
  if (norm.training || recordsGrad([x, conv.weight, conv.bias, norm.weight, norm.bias])) {
    const y = conv.forward(x);
    if (norm.training && trainingFusionEnabled()) return norm.forwardActivation(y, activation);
    return activate(norm.forward(y), activation);
  }
  const transposed = conv instanceof ConvTranspose2d;
  const options: ConvOptions = transposed ? { stride: conv.config.stride, padding: conv.config.padding } : conv.options;
  const inputs = [x, conv.weight, norm.weight, norm.bias, norm.runningMean, norm.runningVar, ...(conv.bias ? [conv.bias] : [])];
  return apply(convBatchNormOp, inputs, { activation, transposed, options, eps: norm.eps, fold: () => fold(conv, norm) });
}

/** (s, t) of the file comment for this conv and BN: the cached pair when still valid, else a new fold, cached. */
function fold(conv: Conv2d | ConvTranspose2d, norm: BatchNorm2d): { scale: GpuTensor; shift: GpuTensor } {
  const version = weightsVersion();
  const sources = [norm.weight, norm.bias, norm.runningMean, norm.runningVar, conv.bias];
  const cached = norm.foldCache;
  if (
    cached &&
    cached.conv === conv &&
    cached.version === version &&
    cached.eps === norm.eps &&
    cached.sources.every((tensor, index) => tensor === sources[index])
  ) {
    return cached;
  }
  releaseFold(norm);
  const gpu = norm.weight.gpu;
  // t = β − (running_mean − b)·s = β − running_mean·s + b·s: the conv bias joins the mean before folding.
  const mean = conv.bias ? binary(gpu, 'sub', norm.runningMean.data, conv.bias.data) : norm.runningMean.data;
  try {
    const parameters = { weight: norm.weight.data, bias: norm.bias.data, runningMean: mean, runningVar: norm.runningVar.data };
    const { scale, shift } = foldBatchNorm2d(gpu, parameters, { eps: norm.eps });
    norm.foldCache = { conv, version, sources, eps: norm.eps, scale, shift };
    return { scale, shift };
  } finally {
    if (conv.bias) gpu.release(mean);
  }
}
