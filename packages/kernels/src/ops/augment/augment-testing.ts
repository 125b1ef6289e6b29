/**
 * Helpers shared by the augmentation cases, here and in @ulseg/train (no GPU code of their own; browser-safe).
 * Exported through @ulseg/kernels/testing.
 */
import type { Random } from '@ulseg/base';
import type { Gpu } from '../../runtime/gpu.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import { assertClose, type Tolerance } from '../../testing/assert-close.js';
import { poisoned } from '../../testing/poison.js';
import { augmentWarp, WARP_STRIDES } from '../augment-geometric/warp.js';
import { affineSource, warpReference } from '../augment-geometric/warp.reference.js';
import { elasticSource, piecewiseSource } from '../augment-deform/deform.reference.js';
import { augmentIntensity } from '../augment-intensity/intensity.js';
import { intensityReference } from '../augment-intensity/intensity.reference.js';
import { shapeOf, type BatchShape } from './augment-common.js';
import type { AugmentLayout } from './augment-batch.js';

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

/**
 * Runs the layout step by step, reading every intermediate, and checks each step against its reference applied to
 * the GPU's own previous result (masks exact); returns the last images and masks.
 */
export async function augmentStepwise(gpu: Gpu, plan: AugmentLayout, images: Float32Array, masks: Float32Array): Promise<{ images: Float32Array; masks: Float32Array }> {
  let current = { images, masks };
  for (const [k, step] of plan.steps.entries()) {
    const table = gpu.upload(step.table, [plan.batch, step.stride]);
    const inputs = { images: uploadBatch(gpu, current.images, plan), masks: uploadBatch(gpu, current.masks, plan) };
    const label = `step ${k} (${step.kernel.family === 'warp' ? step.kernel.field : step.kernel.op})`;
    if (step.kernel.family === 'warp') {
      const source = { affine: affineSource, piecewise: piecewiseSource, elastic: elasticSource }[step.kernel.field];
      const got = await readPair(gpu, augmentWarp(gpu, step.kernel.field, inputs.images, inputs.masks, table));
      const want = warpReference(current.images, current.masks, plan, step.table, WARP_STRIDES[step.kernel.field], source);
      assertClose(got.masks, want.masks, 'exact', `${label}: masks`);
      assertClose(got.images, want.images, AUGMENT_IMAGE_TOLERANCE, `${label}: images`);
      current = got;
    } else {
      const op = step.kernel.op;
      const got = await gpu.read(augmentIntensity(gpu, op, inputs.images, table));
      const tolerance: Tolerance | 'exact' = op === 'gaussianNoise' ? NOISE_TOLERANCE : op === 'medianBlur' || op === 'dropout' ? 'exact' : AUGMENT_IMAGE_TOLERANCE;
      assertClose(got, intensityReference(op, current.images, plan, step.table), tolerance, label);
      current = { images: got, masks: current.masks };
    }
  }
  return current;
}
