/** Helpers shared by the augmentation cases (no GPU code of their own; browser-safe). */
import type { Gpu } from '../../runtime/gpu.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import { poisoned, type Random, type Tolerance } from '../../testing/index.js';
import { shapeOf, type BatchShape } from './augment-common.js';

/** Interpolated float32 grey values 0..255 against float64: a few ulp of 255 per tap (≈ 1.5e-5 each). */
export const AUGMENT_IMAGE_TOLERANCE: Tolerance = { maxAbsolute: 1e-3 };

/**
 * Noise uses f32 log, sqrt and cos: WGSL promises cos within 2^-11 absolute on [−π, π], so |Δz| ≤ √(2 ln 2^24)·2^-11
 * ≈ 2.8e-3 and |Δy| ≤ σ·2.8e-3 ≈ 0.036 grey levels at σ = 12.75 (measured at σ = 12.75: lavapipe 2e-5,
 * SwiftShader 8e-3).
 */
export const NOISE_TOLERANCE: Tolerance = { maxAbsolute: 0.04 };

/** Odd sizes, as the kernel conventions ask. */
export const SHAPE: BatchShape = { batch: 3, height: 37, width: 29 };

/** Grey values in [1, 255] (never 0, so a fill or a dropped pixel shows), integers when `integers`. */
export function randomImages(random: Random, shape: BatchShape, integers = false): Float32Array {
  const count = shape.batch * shape.height * shape.width;
  return Float32Array.from({ length: count }, () => (integers ? random.integer(1, 255) : random.uniform(1, 255)));
}

/** Masks of 0/1 made of a few random rectangles per sample plus salt noise (so every pixel position matters). */
export function randomMasks(random: Random, shape: BatchShape): Float32Array {
  const { batch, height, width } = shape;
  const masks = new Float32Array(batch * height * width);
  for (let n = 0; n < batch; n++) {
    for (let r = 0; r < 3; r++) {
      const y0 = random.integer(0, height - 1);
      const x0 = random.integer(0, width - 1);
      const y1 = Math.min(height, y0 + random.integer(2, height / 2));
      const x1 = Math.min(width, x0 + random.integer(2, width / 2));
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) masks[(n * height + y) * width + x] = 1;
    }
    for (let i = 0; i < height * width; i++) if (random.next() < 0.1) masks[n * height * width + i] = 1 - masks[n * height * width + i]!;
  }
  return masks;
}

export function uploadBatch(gpu: Gpu, data: Float32Array, shape: BatchShape): GpuTensor {
  return gpu.upload(data, shapeOf(shape));
}

/** Poisoned [N, 1, H, W] outputs for images and masks. */
export function poisonedPair(gpu: Gpu, shape: BatchShape): { images: GpuTensor; masks: GpuTensor } {
  return { images: poisoned(gpu, shapeOf(shape)), masks: poisoned(gpu, shapeOf(shape)) };
}

export async function readPair(gpu: Gpu, pair: { images: GpuTensor; masks: GpuTensor }): Promise<{ images: Float32Array; masks: Float32Array }> {
  return { images: await gpu.read(pair.images), masks: await gpu.read(pair.masks) };
}

/** Throws unless `a` and `b` are equal element for element. */
export function assertEqualArrays(a: ArrayLike<number>, b: ArrayLike<number>, label: string): void {
  if (a.length !== b.length) throw new Error(`${label}: ${a.length} values against ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i]) && a[i] !== b[i]) throw new Error(`${label}: first difference at index ${i}: ${a[i]} vs ${b[i]}`);
  }
}

/** Fraction of elements where a ≠ b. */
export function mismatchFraction(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let differ = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
  return differ / a.length;
}
