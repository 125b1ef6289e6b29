/** Float64 derivatives of the activations: dx = dy·f'(x). */
import { sigmoidReference as sigmoid } from '../../wgsl/sigmoid.reference.js';
import type { ActivationBackwardOp } from './activation-backward.js';

export const ACTIVATION_DERIVATIVE: Record<ActivationBackwardOp, (v: number) => number> = {
  relu: (v) => (v > 0 ? 1 : 0),
  sigmoid: (v) => sigmoid(v) * sigmoid(-v),
  silu: (v) => sigmoid(v) * (1 + v * sigmoid(-v)),
};

export function activationBackwardReference(op: ActivationBackwardOp, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const derivative = ACTIVATION_DERIVATIVE[op];
  return Float64Array.from({ length: x.length }, (_, i) => dy[i]! * derivative(x[i]!));
}
