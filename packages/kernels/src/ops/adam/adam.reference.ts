/** CPU references of the Adam step: float64 (the math) and a float32 emulation of torch's op order (the bits). */
import { adamScalars, type AdamOptions } from './adam.js';

export interface AdamState {
  param: Float64Array | Float32Array;
  m: Float64Array | Float32Array;
  v: Float64Array | Float32Array;
}

/** One step in float64, in place: the formula of torch.optim.Adam (amsgrad off). */
export function adamReference(state: AdamState, grad: ArrayLike<number>, step: number, options: AdamOptions): void {
  const s = adamScalars(step, options);
  const { param, m, v } = state;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]! + s.weightDecay * param[i]!;
    m[i] = s.beta1 * m[i]! + s.oneMinusBeta1 * g;
    v[i] = s.beta2 * v[i]! + s.oneMinusBeta2 * g * g;
    const denom = Math.sqrt(v[i]!) / s.biasCorrection2Sqrt + s.eps;
    param[i] = param[i]! + (s.negStepSize * m[i]!) / denom;
  }
}

/**
 * One step in float32, in place, rounding after every operation in the order torch 1.13's CPU kernels use
 * (`mul_`, `add_(alpha)`, `addcmul_`, `sqrt`, `/`, `add_`, `addcdiv_`), with the host scalars rounded to float32.
 * float64 `+ - * / sqrt` of float32 operands rounded once to float32 equals the correctly rounded float32 result.
 */
export function adamFloat32Emulation(
  state: { param: Float32Array; m: Float32Array; v: Float32Array },
  grad: Float32Array,
  step: number,
  options: AdamOptions,
): void {
  const f = Math.fround;
  const s = adamScalars(step, options);
  const beta1 = f(s.beta1);
  const oneMinusBeta1 = f(s.oneMinusBeta1);
  const beta2 = f(s.beta2);
  const oneMinusBeta2 = f(s.oneMinusBeta2);
  const biasCorrection2Sqrt = f(s.biasCorrection2Sqrt);
  const eps = f(s.eps);
  const negStepSize = f(s.negStepSize);
  const weightDecay = f(s.weightDecay);
  const { param, m, v } = state;
  for (let i = 0; i < param.length; i++) {
    const p = param[i]!;
    const g = s.weightDecay !== 0 ? f(grad[i]! + f(weightDecay * p)) : grad[i]!;
    const mNext = f(f(beta1 * m[i]!) + f(oneMinusBeta1 * g));
    const vNext = f(f(beta2 * v[i]!) + f(f(oneMinusBeta2 * g) * g));
    const denom = f(f(f(Math.sqrt(vNext)) / biasCorrection2Sqrt) + eps);
    m[i] = mNext;
    v[i] = vNext;
    param[i] = f(p + f(f(negStepSize * mNext) / denom));
  }
}
