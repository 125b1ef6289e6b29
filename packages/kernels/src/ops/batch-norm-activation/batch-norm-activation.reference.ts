/** Float64 reference of training-mode BatchNorm2d followed by an activation, forward and backward, x: [N, C, H, W]. */
import { sigmoidReference as sigmoid } from '../../wgsl/sigmoid.reference.js';
import type { Activation } from '../gemm/tiles.js';
import { batchNormBackwardReference, batchNormTrainingReference, batchStatistics, type BatchNormReferenceParameters } from '../batch-norm/batch-norm.reference.js';

/** f and f' of each activation. */
export const ACTIVATION_REFERENCE: Record<Activation, { f: (z: number) => number; derivative: (z: number) => number }> = {
  none: { f: (z) => z, derivative: () => 1 },
  relu: { f: (z) => Math.max(z, 0), derivative: (z) => (z > 0 ? 1 : 0) },
  sigmoid: { f: sigmoid, derivative: (z) => sigmoid(z) * sigmoid(-z) },
  silu: { f: (z) => z * sigmoid(z), derivative: (z) => sigmoid(z) * (1 + z * sigmoid(-z)) },
};

/** y = f(z), z = BN(x) with batch statistics; the statistics and running update as batchNormTrainingReference. */
export function batchNormActivationReference(
  x: ArrayLike<number>,
  shape: readonly number[],
  parameters: BatchNormReferenceParameters,
  activation: Activation,
  momentum: number,
  eps: number,
): ReturnType<typeof batchNormTrainingReference> & { z: Float64Array } {
  const bn = batchNormTrainingReference(x, shape, parameters, momentum, eps);
  const f = ACTIVATION_REFERENCE[activation].f;
  return { ...bn, z: bn.y, y: Float64Array.from(bn.y, f) };
}

/** dx, dγ, dβ of y = f(BN(x)): g = dy·f'(z) through BN's backward, statistics recomputed from x in float64. */
export function batchNormActivationBackwardReference(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  shape: readonly number[],
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  activation: Activation,
  eps: number,
): { dx: Float64Array; dweight: Float64Array; dbias: Float64Array } {
  const { mean, variance } = batchStatistics(x, shape);
  const [, channels = 1, h = 1, w = 1] = shape;
  const hw = h * w;
  const derivative = ACTIVATION_REFERENCE[activation].derivative;
  const g = Float64Array.from({ length: x.length }, (_, i) => {
    const c = Math.floor(i / hw) % channels;
    const z = ((x[i]! - mean[c]!) / Math.sqrt(variance[c]! + eps)) * weight[c]! + bias[c]!;
    return dy[i]! * derivative(z);
  });
  return batchNormBackwardReference(g, x, shape, weight, eps);
}
