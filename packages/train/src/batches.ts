/**
 * Model inputs from 8-bit scans, assembled on the device (ORIGINAL.md §3 and the original's dataset.py):
 *   training:   gray uint8 [H, W] → augment (GPU kernels, per sample at its own size) → Pillow bicubic to R x R
 *               (rounded to uint8, as PIL) → /255;  mask {0, 1} → the same geometric augment (nearest, fill 0) →
 *               Pillow nearest to R x R.
 *   evaluation: image and mask {0, 255} → Pillow bilinear to R x R → /255 (so masks are soft at the edges, as the
 *               original's validation masks).
 * Output: images, masks [N, 1, R, R] float32, sample n at element offset n·R² (R is a multiple of 32, so every
 * plane starts at a multiple of 4 KiB and can be bound on its own).
 */
import type { GrayImage } from '@ulseg/data';
import { augmentBatch, binary, resizeNearest, resizePillow, type Gpu, type GpuTensor } from '@ulseg/kernels';
import { planAugmentation, type AugmentPolicyInput, type AugmentRandom } from './augment/augment-policy.js';

/** A scan and its mask ({0, 255}, the image's size), as @ulseg/data's loaders give them. */
export interface TrainingSample {
  readonly id: string;
  readonly image: GrayImage;
  readonly mask: GrayImage;
}

/** images: [N, 1, R, R] in 0..1; masks: [N, 1, R, R] in {0, 1} (training) or [0, 1] (evaluation). Pool buffers: release both. */
export interface Batch {
  readonly images: GpuTensor;
  readonly masks: GpuTensor;
}

export interface Augmentation {
  readonly policy: AugmentPolicyInput;
  /** The generator of the sample at `position` within the batch. */
  readonly random: (position: number) => AugmentRandom;
}

function checkSample(sample: TrainingSample): [height: number, width: number] {
  const { image, mask } = sample;
  if (image.width !== mask.width || image.height !== mask.height) {
    throw new Error(`${sample.id}: mask ${mask.width}x${mask.height} does not match image ${image.width}x${image.height}`);
  }
  if (image.data.length !== image.width * image.height || mask.data.length !== mask.width * mask.height) {
    throw new Error(`${sample.id}: image or mask data does not hold width x height bytes`);
  }
  return [image.height, image.width];
}

/** The 8-bit plane as float32, multiplied by `scale`. */
function planeOf(image: GrayImage, scale: number): Float32Array {
  const out = new Float32Array(image.data.length);
  for (let index = 0; index < out.length; index++) out[index] = image.data[index]! * scale;
  return out;
}

function planeView(tensor: GpuTensor, index: number, resolution: number): GpuTensor {
  return { buffer: tensor.buffer, shape: [1, 1, resolution, resolution], offset: index * resolution * resolution };
}

function checkBatch(samples: readonly TrainingSample[], resolution: number): void {
  if (samples.length === 0) throw new Error('a batch needs at least one sample');
  if (!Number.isInteger(resolution) || resolution < 32 || resolution % 32 !== 0) {
    throw new Error(`batch resolution must be a positive multiple of 32, got ${resolution}`);
  }
}

/** x / 255, into a new tensor; `x` is released. */
function divideBy255(gpu: Gpu, x: GpuTensor): GpuTensor {
  const divisor = gpu.upload([255], [1], '255');
  const y = binary(gpu, 'div', x, divisor);
  gpu.release(divisor);
  gpu.release(x);
  return y;
}

/** Training inputs: augmented (when `augmentation` is given) and resized as the original's Train_Dataset. */
export function trainingBatch(gpu: Gpu, samples: readonly TrainingSample[], resolution: number, augmentation?: Augmentation): Batch {
  checkBatch(samples, resolution);
  const sizes = samples.map(checkSample);
  const shape = [samples.length, 1, resolution, resolution];
  const images = gpu.empty(shape, 'training images 0..255');
  const masks = gpu.empty(shape, 'training masks');
  samples.forEach((sample, position) => {
    const [height, width] = sizes[position]!;
    let image = gpu.upload(planeOf(sample.image, 1), [1, 1, height, width], `${sample.id} image`);
    let mask = gpu.upload(planeOf(sample.mask, 1 / 255), [1, 1, height, width], `${sample.id} mask`);
    if (augmentation) {
      const plan = planAugmentation(augmentation.random(position), { batch: 1, height, width }, augmentation.policy);
      const augmented = augmentBatch(gpu, image, mask, plan);
      gpu.release(image);
      gpu.release(mask);
      image = augmented.images;
      mask = augmented.masks;
    }
    resizePillow(gpu, image, [resolution, resolution], 'bicubic', planeView(images, position, resolution));
    resizeNearest(gpu, mask, [resolution, resolution], planeView(masks, position, resolution));
    gpu.release(image);
    gpu.release(mask);
  });
  return { images: divideBy255(gpu, images), masks };
}

/** Validation (and BN recalibration) inputs: Pillow bilinear of image and mask, as the original's Valid_Dataset. */
export function evaluationBatch(gpu: Gpu, samples: readonly TrainingSample[], resolution: number): Batch {
  checkBatch(samples, resolution);
  const sizes = samples.map(checkSample);
  const shape = [samples.length, 1, resolution, resolution];
  const images = gpu.empty(shape, 'evaluation images 0..255');
  const masks = gpu.empty(shape, 'evaluation masks 0..255');
  samples.forEach((sample, position) => {
    const [height, width] = sizes[position]!;
    const image = gpu.upload(planeOf(sample.image, 1), [1, 1, height, width], `${sample.id} image`);
    const mask = gpu.upload(planeOf(sample.mask, 1), [1, 1, height, width], `${sample.id} mask`);
    resizePillow(gpu, image, [resolution, resolution], 'bilinear', planeView(images, position, resolution));
    resizePillow(gpu, mask, [resolution, resolution], 'bilinear', planeView(masks, position, resolution));
    gpu.release(image);
    gpu.release(mask);
  });
  return { images: divideBy255(gpu, images), masks: divideBy255(gpu, masks) };
}

/** Splits `count` items into consecutive batches of `size` (the last one shorter), as a DataLoader without drop_last. */
export function batchRanges(count: number, size: number): [start: number, end: number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < count; start += size) ranges.push([start, Math.min(start + size, count)]);
  return ranges;
}
