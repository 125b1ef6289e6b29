/** Float64 reference of squeeze-and-excitation's training forward and backward (see squeeze-excitation-training.ts). */
import { sigmoidReference as sigmoid } from '../../wgsl/sigmoid.reference.js';
import type { SqueezeExcitationReferenceWeights } from '../squeeze-excitation-fused/squeeze-excitation-fused.reference.js';

export interface SqueezeExcitationReferenceGradients {
  dx: Float64Array;
  dReduceWeight: Float64Array;
  dReduceBias: Float64Array;
  dExpandWeight: Float64Array;
  dExpandBias: Float64Array;
}

/** Every intermediate of the forward per image: p [N, C], u and h [N, R], a and g [N, C], y [N, C, H, W]. */
export function squeezeExcitationTrainingReference(x: ArrayLike<number>, shape: readonly number[], weights: SqueezeExcitationReferenceWeights) {
  const [images = 1, channels = 1, height = 1, width = 1] = shape;
  const hw = height * width;
  const reduced = weights.reduceBias.length;
  const p = new Float64Array(images * channels);
  for (let row = 0; row < images * channels; row++) {
    for (let s = 0; s < hw; s++) p[row] = p[row]! + x[row * hw + s]!;
    p[row] = p[row]! / hw;
  }
  const u = new Float64Array(images * reduced);
  const h = new Float64Array(images * reduced);
  const g = new Float64Array(images * channels);
  for (let n = 0; n < images; n++) {
    for (let r = 0; r < reduced; r++) {
      let acc = weights.reduceBias[r]!;
      for (let c = 0; c < channels; c++) acc += weights.reduceWeight[r * channels + c]! * p[n * channels + c]!;
      u[n * reduced + r] = acc;
      h[n * reduced + r] = acc * sigmoid(acc);
    }
    for (let c = 0; c < channels; c++) {
      let acc = weights.expandBias[c]!;
      for (let r = 0; r < reduced; r++) acc += weights.expandWeight[c * reduced + r]! * h[n * reduced + r]!;
      g[n * channels + c] = sigmoid(acc);
    }
  }
  const y = Float64Array.from({ length: images * channels * hw }, (_, i) => x[i]! * g[Math.floor(i / hw)]!);
  return { p, u, h, g, y };
}

/** The analytic gradients, in float64: the chain of the file comment of squeeze-excitation-training.wgsl.ts. */
export function squeezeExcitationBackwardReference(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  shape: readonly number[],
  weights: SqueezeExcitationReferenceWeights,
): SqueezeExcitationReferenceGradients {
  const [images = 1, channels = 1, height = 1, width = 1] = shape;
  const hw = height * width;
  const reduced = weights.reduceBias.length;
  const { p, u, h, g } = squeezeExcitationTrainingReference(x, shape, weights);
  const da = new Float64Array(images * channels);
  for (let row = 0; row < images * channels; row++) {
    let ds = 0;
    for (let s = 0; s < hw; s++) ds += dy[row * hw + s]! * x[row * hw + s]!;
    da[row] = ds * g[row]! * (1 - g[row]!);
  }
  const du = new Float64Array(images * reduced);
  for (let n = 0; n < images; n++) {
    for (let r = 0; r < reduced; r++) {
      let dh = 0;
      for (let c = 0; c < channels; c++) dh += weights.expandWeight[c * reduced + r]! * da[n * channels + c]!;
      const v = u[n * reduced + r]!;
      du[n * reduced + r] = dh * sigmoid(v) * (1 + v * sigmoid(-v));
    }
  }
  const dReduceWeight = new Float64Array(reduced * channels);
  const dReduceBias = new Float64Array(reduced);
  const dExpandWeight = new Float64Array(channels * reduced);
  const dExpandBias = new Float64Array(channels);
  const dp = new Float64Array(images * channels);
  for (let n = 0; n < images; n++) {
    for (let r = 0; r < reduced; r++) {
      dReduceBias[r] = dReduceBias[r]! + du[n * reduced + r]!;
      for (let c = 0; c < channels; c++) {
        dReduceWeight[r * channels + c] = dReduceWeight[r * channels + c]! + du[n * reduced + r]! * p[n * channels + c]!;
        dExpandWeight[c * reduced + r] = dExpandWeight[c * reduced + r]! + da[n * channels + c]! * h[n * reduced + r]!;
        dp[n * channels + c] = dp[n * channels + c]! + weights.reduceWeight[r * channels + c]! * du[n * reduced + r]!;
      }
    }
    for (let c = 0; c < channels; c++) dExpandBias[c] = dExpandBias[c]! + da[n * channels + c]!;
  }
  const dx = Float64Array.from({ length: images * channels * hw }, (_, i) => {
    const row = Math.floor(i / hw);
    return dy[i]! * g[row]! + dp[row]! / hw;
  });
  return { dx, dReduceWeight, dReduceBias, dExpandWeight, dExpandBias };
}
