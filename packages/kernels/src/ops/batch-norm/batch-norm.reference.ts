/** Float64 references of BatchNorm2d (training and inference forward, fold, backward), x: [N, C, H, W]. */

export interface BatchNormReferenceParameters {
  weight: ArrayLike<number>;
  bias: ArrayLike<number>;
  runningMean: ArrayLike<number>;
  runningVar: ArrayLike<number>;
}

function sizes(shape: readonly number[]): { batch: number; channels: number; hw: number; n: number } {
  const [batch = 1, channels = 1, h = 1, w = 1] = shape;
  return { batch, channels, hw: h * w, n: batch * h * w };
}

/** Calls visit(c, index) for every element, index = (b·C + c)·HW + s. */
function forEachElement(shape: readonly number[], visit: (c: number, index: number) => void): void {
  const { batch, channels, hw } = sizes(shape);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      for (let s = 0; s < hw; s++) visit(c, (b * channels + c) * hw + s);
    }
  }
}

/** Per-channel mean and biased variance (two-pass, float64). */
export function batchStatistics(x: ArrayLike<number>, shape: readonly number[]): { mean: Float64Array; variance: Float64Array } {
  const { channels, n } = sizes(shape);
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  forEachElement(shape, (c, i) => (mean[c] = mean[c]! + x[i]!));
  for (let c = 0; c < channels; c++) mean[c] = mean[c]! / n;
  forEachElement(shape, (c, i) => (variance[c] = variance[c]! + (x[i]! - mean[c]!) ** 2));
  for (let c = 0; c < channels; c++) variance[c] = variance[c]! / n;
  return { mean, variance };
}

export function batchNormTrainingReference(
  x: ArrayLike<number>,
  shape: readonly number[],
  parameters: BatchNormReferenceParameters,
  momentum: number,
  eps: number,
): { y: Float64Array; mean: Float64Array; invstd: Float64Array; runningMean: Float64Array; runningVar: Float64Array } {
  const { channels, n } = sizes(shape);
  const { mean, variance } = batchStatistics(x, shape);
  const invstd = Float64Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
  const y = new Float64Array(x.length);
  forEachElement(shape, (c, i) => (y[i] = (x[i]! - mean[c]!) * invstd[c]! * parameters.weight[c]! + parameters.bias[c]!));
  const runningMean = Float64Array.from({ length: channels }, (_, c) => (1 - momentum) * parameters.runningMean[c]! + momentum * mean[c]!);
  const runningVar = Float64Array.from(
    { length: channels },
    (_, c) => (1 - momentum) * parameters.runningVar[c]! + (momentum * variance[c]! * n) / (n - 1),
  );
  return { y, mean, invstd, runningMean, runningVar };
}

export function batchNormInferenceReference(x: ArrayLike<number>, shape: readonly number[], parameters: BatchNormReferenceParameters, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  forEachElement(shape, (c, i) => {
    y[i] = ((x[i]! - parameters.runningMean[c]!) / Math.sqrt(parameters.runningVar[c]! + eps)) * parameters.weight[c]! + parameters.bias[c]!;
  });
  return y;
}

export function foldBatchNormReference(parameters: BatchNormReferenceParameters, eps: number): { scale: Float64Array; shift: Float64Array } {
  const scale = Float64Array.from({ length: parameters.weight.length }, (_, c) => parameters.weight[c]! / Math.sqrt(parameters.runningVar[c]! + eps));
  const shift = Float64Array.from(scale, (s, c) => parameters.bias[c]! - parameters.runningMean[c]! * s);
  return { scale, shift };
}

/** dx, dγ, dβ of the training-mode forward, with the batch statistics recomputed from x in float64. */
export function batchNormBackwardReference(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  shape: readonly number[],
  weight: ArrayLike<number>,
  eps: number,
): { dx: Float64Array; dweight: Float64Array; dbias: Float64Array } {
  const { channels, n } = sizes(shape);
  const { mean, variance } = batchStatistics(x, shape);
  const invstd = Float64Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
  const dweight = new Float64Array(channels);
  const dbias = new Float64Array(channels);
  forEachElement(shape, (c, i) => {
    dbias[c] = dbias[c]! + dy[i]!;
    dweight[c] = dweight[c]! + dy[i]! * (x[i]! - mean[c]!) * invstd[c]!;
  });
  const dx = new Float64Array(x.length);
  forEachElement(shape, (c, i) => {
    const xhat = (x[i]! - mean[c]!) * invstd[c]!;
    dx[i] = ((weight[c]! * invstd[c]!) / n) * (n * dy[i]! - dbias[c]! - xhat * dweight[c]!);
  });
  return { dx, dweight, dbias };
}
