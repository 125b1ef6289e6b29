/** Float64 reference of squeeze-and-excitation: y = x·σ(W2·silu(W1·mean_hw(x) + b1) + b2). */
import { sigmoidReference as sigmoid } from '../../wgsl/sigmoid.reference.js';

export interface SqueezeExcitationReferenceWeights {
  reduceWeight: ArrayLike<number>;
  reduceBias: ArrayLike<number>;
  expandWeight: ArrayLike<number>;
  expandBias: ArrayLike<number>;
}

/** gate [N, C] from pooled [N, C]; R = reduceBias.length. */
export function squeezeExcitationGateReference(pooled: ArrayLike<number>, images: number, channels: number, weights: SqueezeExcitationReferenceWeights): Float64Array {
  const reduced = weights.reduceBias.length;
  const gate = new Float64Array(images * channels);
  const hidden = new Float64Array(reduced);
  for (let n = 0; n < images; n++) {
    for (let r = 0; r < reduced; r++) {
      let acc = weights.reduceBias[r]!;
      for (let c = 0; c < channels; c++) acc += weights.reduceWeight[r * channels + c]! * pooled[n * channels + c]!;
      hidden[r] = acc * sigmoid(acc);
    }
    for (let c = 0; c < channels; c++) {
      let acc = weights.expandBias[c]!;
      for (let r = 0; r < reduced; r++) acc += weights.expandWeight[c * reduced + r]! * hidden[r]!;
      gate[n * channels + c] = sigmoid(acc);
    }
  }
  return gate;
}

export function squeezeExcitationReference(x: ArrayLike<number>, shape: readonly number[], weights: SqueezeExcitationReferenceWeights): Float64Array {
  const [images = 1, channels = 1, h = 1, w = 1] = shape;
  const hw = h * w;
  const pooled = new Float64Array(images * channels);
  for (let row = 0; row < images * channels; row++) {
    let sum = 0;
    for (let s = 0; s < hw; s++) sum += x[row * hw + s]!;
    pooled[row] = sum / hw;
  }
  const gate = squeezeExcitationGateReference(pooled, images, channels, weights);
  return Float64Array.from({ length: images * channels * hw }, (_, i) => x[i]! * gate[Math.floor(i / hw)]!);
}
