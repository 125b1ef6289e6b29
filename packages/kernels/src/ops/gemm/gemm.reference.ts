/** Float64 reference of gemm: C[b] = act(scale ⊙ op(A[b]) · op(B[b]) + bias). */
import { sigmoidReference as sigmoid } from '../../wgsl/sigmoid.reference.js';
import { gemmShape } from './gemm.js';
import type { Activation } from './tiles.js';

export interface GemmReferenceOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: ArrayLike<number>;
  scale?: ArrayLike<number>;
  channelAxis?: 'row' | 'column';
  activation?: Activation;
}

export function activationReference(activation: Activation | undefined, v: number): number {
  switch (activation ?? 'none') {
    case 'relu':
      return Math.max(v, 0);
    case 'sigmoid':
      return sigmoid(v);
    case 'silu':
      return v * sigmoid(v);
    default:
      return v;
  }
}

export function gemmReference(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  options: GemmReferenceOptions = {},
): { data: Float64Array; shape: number[] } {
  const { batch, batchA, batchB, M, N, K, outShape } = gemmShape(aShape, bShape, options.transposeA, options.transposeB);
  const aAt = (z: number, m: number, k: number): number =>
    a[(batchA === 1 ? 0 : z) * M * K + (options.transposeA ? k * M + m : m * K + k)]!;
  const bAt = (z: number, k: number, n: number): number =>
    b[(batchB === 1 ? 0 : z) * K * N + (options.transposeB ? n * K + k : k * N + n)]!;
  const perRow = (options.channelAxis ?? 'row') === 'row';
  const data = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += aAt(z, m, k) * bAt(z, k, n);
        const channel = perRow ? m : n;
        if (options.scale) sum *= options.scale[channel]!;
        if (options.bias) sum += options.bias[channel]!;
        data[(z * M + m) * N + n] = activationReference(options.activation, sum);
      }
    }
  }
  return { data, shape: outShape };
}
