/**
 * The original's test input (ORIGINAL.md §6): torchvision `Compose([Resize((R, R)), ToTensor(), Grayscale(1)])` on the
 * image as PIL opens it, so, in this order:
 *   1. resize each 8-bit channel to R × R with Pillow's BILINEAR (a PIL image, so Pillow resamples it: fixed point,
 *      antialiased when downscaling; `torch` uses PyTorch's bilinear instead, align_corners = False, no antialias);
 *   2. x / 255;
 *   3. gray = 0.2989 R + 0.587 G + 0.114 B (torchvision's rgb_to_grayscale); a gray file passes through as it is.
 * Result: [1, 1, R, R] float32 in [0, 1].
 */
import { binary, resizeBilinear, resizePillow, rgbToGray, type Gpu, type GpuTensor } from '@ulseg/kernels';
import { bilinearReference, grayReference, pillowResizeReference } from '@ulseg/kernels/reference';
import type { DecodedImage } from '@ulseg/data';

export const INPUT_RESIZES = ['pillow', 'torch'] as const;
export type InputResize = (typeof INPUT_RESIZES)[number];

/** The image as planar [C, H, W] values 0..255: C = 3 when the file has colour channels, else 1. */
export function planarChannels(image: DecodedImage): { data: Float32Array; channels: number } {
  const pixels = image.width * image.height;
  if (image.rgb === null) return { data: Float32Array.from(image.data), channels: 1 };
  const data = new Float32Array(3 * pixels);
  for (let pixel = 0; pixel < pixels; pixel++) {
    data[pixel] = image.rgb[3 * pixel]!;
    data[pixels + pixel] = image.rgb[3 * pixel + 1]!;
    data[2 * pixels + pixel] = image.rgb[3 * pixel + 2]!;
  }
  return { data, channels: 3 };
}

/** Checks the model input size: a positive multiple of 32 (the encoder downsamples 5 times). */
export function checkResolution(resolution: number): void {
  if (!Number.isInteger(resolution) || resolution < 32 || resolution % 32 !== 0 || resolution > 4096) {
    throw new Error(`image resolution must be a multiple of 32 between 32 and 4096 (the encoder downsamples 5 times), got ${resolution}`);
  }
}

/** The model input for one image: [1, 1, R, R] on the GPU (a pool tensor the caller releases). */
export function preprocessImage(gpu: Gpu, image: DecodedImage, resolution: number, resize: InputResize = 'pillow'): GpuTensor {
  checkResolution(resolution);
  if (!INPUT_RESIZES.includes(resize)) throw new Error(`input resize must be one of ${INPUT_RESIZES.join(', ')}, got '${resize}'`);
  const { data, channels } = planarChannels(image);
  const x = gpu.upload(data, [1, channels, image.height, image.width], 'infer.image');
  const size = [resolution, resolution] as const;
  const resized = resize === 'pillow' ? resizePillow(gpu, x, size, 'bilinear') : resizeBilinear(gpu, x, size);
  const scale = gpu.upload(Float32Array.of(255), [1], 'infer.255');
  const unit = binary(gpu, 'div', resized, scale);
  const gray = channels === 3 ? rgbToGray(gpu, unit) : unit;
  for (const tensor of [x, resized, scale, ...(gray === unit ? [] : [unit])]) gpu.release(tensor);
  return gray;
}

/** Float64 reference of preprocessImage: [R · R] values. */
export function preprocessReference(image: DecodedImage, resolution: number, resize: InputResize = 'pillow'): Float64Array {
  const { data, channels } = planarChannels(image);
  const shape = [1, channels, image.height, image.width];
  const resized =
    resize === 'pillow' ? pillowResizeReference(data, shape, resolution, resolution, 'bilinear') : bilinearReference(data, shape, resolution, resolution);
  const unit = resized.map((value) => value / 255);
  return channels === 3 ? grayReference(unit, [1, 3, resolution, resolution]) : unit;
}
