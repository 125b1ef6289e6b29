/**
 * Intensity augmentations of imgaug 0.4.0 as batch kernels (images only; masks are untouched): sharpen, linear
 * contrast, Gaussian / mean / median blur, additive Gaussian noise, pixel and coarse dropout. Each launcher applies
 * per-sample parameter rows (`table: [N, stride]`, enabled flag first) so that the samples sharing an op run in one
 * dispatch; the row builders below turn imgaug's parameters into those rows.
 * Images hold grey values 0..255 as float32 and stay float: imgaug rounds to uint8 after every op, we do not
 * (results are clipped to 0..255 where imgaug's uint8 arithmetic saturates).
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { KernelSource } from '../../runtime/kernel.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import { AUGMENT_WORKGROUP_SIZE, batchShape, checkNoAlias, checkTable, dispatchPixels, outputLike, seedHalves, shapeOf, type BatchShape } from '../augment/augment-common.js';
import { FILTER_WGSL, MEDIAN_WGSL, POINTWISE_WGSL } from './intensity.wgsl.js';

export const INTENSITY_OPS = ['sharpen', 'linearContrast', 'blur', 'medianBlur', 'gaussianNoise', 'dropout'] as const;
export type IntensityOp = (typeof INTENSITY_OPS)[number];

/** Most taps of a separable blur row (Gaussian radius 15 or a 32-wide box). */
export const BLUR_MAX_TAPS = 32;
/** Largest median window (k = 15; the original uses up to 11). */
export const MEDIAN_MAX_K = 15;

export const INTENSITY_STRIDES: Record<IntensityOp, number> = {
  sharpen: 4,
  linearContrast: 4,
  blur: 4 + BLUR_MAX_TAPS,
  medianBlur: 4,
  gaussianNoise: 4,
  dropout: 8,
};

const constants = (op: number): Record<string, number> => ({ OP: op, WORKGROUP_SIZE: AUGMENT_WORKGROUP_SIZE });

const KERNELS = {
  linearContrast: { name: 'augmentIntensity.linearContrast', code: POINTWISE_WGSL, constants: constants(0) },
  gaussianNoise: { name: 'augmentIntensity.gaussianNoise', code: POINTWISE_WGSL, constants: constants(1) },
  dropout: { name: 'augmentIntensity.dropout', code: POINTWISE_WGSL, constants: constants(2) },
  sharpen: { name: 'augmentIntensity.sharpen', code: FILTER_WGSL, constants: constants(0) },
  blurRows: { name: 'augmentIntensity.blurRows', code: FILTER_WGSL, constants: constants(1) },
  blurColumns: { name: 'augmentIntensity.blurColumns', code: FILTER_WGSL, constants: constants(2) },
  medianBlur: { name: 'augmentIntensity.medianBlur', code: MEDIAN_WGSL, constants: constants(0) },
} satisfies Record<string, KernelSource>;

/** Every pipeline the intensity ops use (for gpu.pipelines.warmUp). */
export const INTENSITY_KERNELS: readonly KernelSource[] = Object.values(KERNELS);

/**
 * images: [N, 1, H, W]; table: [N, INTENSITY_STRIDES[op]] -> new (or the given) images. Rows with enabled = 0
 * copy their sample. `blur` runs two passes (rows, then columns) through a pool temporary.
 */
export function augmentIntensity(gpu: Gpu, op: IntensityOp, images: GpuTensor, table: GpuTensor, out?: GpuTensor): GpuTensor {
  const name = `augmentIntensity.${op}`;
  if (!INTENSITY_OPS.includes(op)) throw new KernelArgumentError(`augmentIntensity: unknown op '${op}'. Known: ${INTENSITY_OPS.join(', ')}`);
  const shape = batchShape(name, images, 'images');
  const stride = INTENSITY_STRIDES[op];
  checkTable(name, table, shape.batch, stride);
  const result = outputLike(gpu, name, shape, out, 'output images');
  checkNoAlias(name, [table, images], [result]);
  if (op === 'blur') {
    const between = gpu.empty(shapeOf(shape), name);
    dispatchPixels(gpu, KERNELS.blurRows, shape, stride, [table, images, between]);
    dispatchPixels(gpu, KERNELS.blurColumns, shape, stride, [table, between, result]);
    gpu.release(between);
  } else {
    dispatchPixels(gpu, KERNELS[op], shape, stride, [table, images, result]);
  }
  return result;
}

/** imgaug Sharpen(alpha, lightness): c = (1 − α) + α(8 + L) at the centre, −α on the 8 neighbours. */
export function sharpenRow(alpha: number, lightness: number): number[] {
  return [1, 1 - alpha + alpha * (8 + lightness), -alpha];
}

/** imgaug LinearContrast(alpha) on uint8: v ↦ 127 + α(v − 127) (centre int(127.5)), clipped. */
export function linearContrastRow(alpha: number): number[] {
  return [1, alpha];
}

/** imgaug's _compute_gaussian_blur_ksize: 3.3σ (σ < 3), 2.9σ (σ < 5), 2.6σ, at least 5, odd. */
export function imgaugGaussianBlurKsize(sigma: number): number {
  const raw = sigma < 3 ? 3.3 * sigma : sigma < 5 ? 2.9 * sigma : 2.6 * sigma;
  const ksize = Math.trunc(Math.max(raw, 5));
  return ksize % 2 === 0 ? ksize + 1 : ksize;
}

function blurRow(first: number, weights: readonly number[]): number[] {
  if (weights.length > BLUR_MAX_TAPS) throw new KernelArgumentError(`blur: ${weights.length} taps over the ${BLUR_MAX_TAPS} a row holds`);
  return [1, first, weights.length, 0, ...weights];
}

/**
 * imgaug GaussianBlur(sigma): cv2.GaussianBlur(ksize, σ) with cv2.getGaussianKernel weights exp(−x²/2σ²), normalised;
 * σ ≤ 1e-3 leaves the image unchanged (a single tap of weight 1). ksize: imgaug's rule, or 2⌈truncate·σ⌉ + 1.
 */
export function gaussianBlurRow(sigma: number, truncate: 'imgaug' | number = 'imgaug'): number[] {
  if (!(sigma >= 0)) throw new KernelArgumentError(`gaussianBlur: sigma must be ≥ 0, got ${sigma}`);
  if (sigma <= 1e-3) return blurRow(0, [1]);
  const ksize = truncate === 'imgaug' ? imgaugGaussianBlurKsize(sigma) : 2 * Math.ceil(truncate * sigma) + 1;
  const gauss = Array.from({ length: ksize }, (_, i) => Math.exp(-((i - (ksize - 1) / 2) ** 2) / (2 * sigma * sigma)));
  const total = gauss.reduce((a, b) => a + b, 0);
  return blurRow(-(ksize - 1) / 2, gauss.map((g) => g / total));
}

/** imgaug AverageBlur(k): cv2.blur(k × k), anchor ⌊k/2⌋: taps −⌊k/2⌋ .. k − 1 − ⌊k/2⌋, weight 1/k each way. */
export function meanBlurRow(k: number): number[] {
  if (!Number.isInteger(k) || k < 1) throw new KernelArgumentError(`meanBlur: k must be a positive integer, got ${k}`);
  return blurRow(-Math.floor(k / 2), new Array<number>(k).fill(1 / k));
}

/** imgaug MedianBlur(k): cv2.medianBlur, k odd. */
export function medianBlurRow(k: number): number[] {
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0 || k > MEDIAN_MAX_K) throw new KernelArgumentError(`medianBlur: k must be odd in 1..${MEDIAN_MAX_K}, got ${k}`);
  return [1, (k - 1) / 2];
}

/** imgaug AdditiveGaussianNoise(scale = σ), one noise value per pixel (per_channel=False). */
export function gaussianNoiseRow(sigma: number, seed: number): number[] {
  if (!(sigma >= 0)) throw new KernelArgumentError(`gaussianNoise: sigma must be ≥ 0, got ${sigma}`);
  return [1, sigma, ...seedHalves(seed)];
}

/** Dropped when the top 24 hash bits are < round(p·2^24): probability p to within 2^-25. */
export function dropoutThreshold(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new KernelArgumentError(`dropout: p must lie in [0, 1], got ${p}`);
  return Math.round(p * 2 ** 24);
}

/** imgaug Dropout(p): every pixel dropped with probability p. */
export function pixelDropoutRow(p: number, seed: number, shape: BatchShape): number[] {
  return [1, dropoutThreshold(p), ...seedHalves(seed), shape.height, shape.width];
}

/**
 * imgaug CoarseDropout(p, size_percent, min_size=3): a mask of max(⌊H·s_y⌋, 3) × max(⌊W·s_x⌋, 3) cells (s_y, s_x drawn
 * per image), each dropped with probability p, upscaled with nearest neighbour.
 */
export function coarseDropoutRow(p: number, sizePercentY: number, sizePercentX: number, seed: number, shape: BatchShape, minSize = 3): number[] {
  const cellsY = Math.min(Math.max(Math.trunc(shape.height * sizePercentY), minSize), shape.height);
  const cellsX = Math.min(Math.max(Math.trunc(shape.width * sizePercentX), minSize), shape.width);
  return [1, dropoutThreshold(p), ...seedHalves(seed), cellsY, cellsX];
}
