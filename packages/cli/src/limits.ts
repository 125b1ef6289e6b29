/** Size limits checked before any work, so that a size too large for the device is a message naming the flag or the file, not a kernel error. */
import { InvalidArgumentError } from 'commander';
import type { Gpu } from '@ulseg/kernels';
import { blockSpecs, encoderSpec, roundFilters, type BackboneName } from '@ulseg/model';

/** The largest model input side any command accepts (infer, train, export-onnx). */
export const MAX_RESOLUTION = 4096;

/** --image-resolution: a multiple of 32 from `minimum` to {@link MAX_RESOLUTION}. */
export function resolutionArgument(minimum = 32): (value: string) => number {
  return (value) => {
    const size = Number(value);
    if (!/^\d+$/.test(value.trim()) || size < minimum || size > MAX_RESOLUTION || size % 32 !== 0) {
      throw new InvalidArgumentError(`expected a multiple of 32 from ${minimum} to ${MAX_RESOLUTION} (the encoder downsamples 5 times), e.g. 256; got '${value}'.`);
    }
    return size;
  };
}


/**
 * Values in the largest tensor of a forward pass of any network on `inputs` images of R x R. EfficientNet: the stem
 * output (stem channels at R/2) and each MBConv block's expansion (input filters x expand ratio at its input side; a
 * dilated last stage, at R/16, stays below the earlier ones); ResNet: the stem (64 at R/2) and layer1 (64·expansion at
 * R/4). Decoders: at most 32·R² values per image (Linknet's last block, 32 at R; Unet's concatenation before its
 * fourth block, at most 128 at R/2; below that FPN's 256 ch at R/4, DeepLabV3+'s 304 at R/4, PSPNet's 512 at R/8).
 * Every one is bound whole by a kernel, so it must fit maxStorageBufferBindingSize.
 */
export function largestActivation(encoder: BackboneName, resolution: number, inputs: number): number {
  if (encoder.startsWith('resnet')) {
    const layer1 = encoder === 'resnet50' ? 256 : 64;
    return inputs * Math.max(64 * (resolution / 2) ** 2, layer1 * (resolution / 4) ** 2, 32 * resolution * resolution);
  }
  const spec = encoderSpec(encoder);
  let side = resolution / 2;
  let largest = roundFilters(32, spec.widthCoefficient) * side * side;
  for (const block of blockSpecs(spec)) {
    largest = Math.max(largest, block.inputFilters * block.expandRatio * side * side);
    side = Math.ceil(side / block.stride);
  }
  return inputs * Math.max(largest, 32 * resolution * resolution);
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/**
 * Refuses a model resolution whose largest tensor does not fit the device, naming the flag and the largest
 * resolution that fits. `inputs` images go through the model at once (`perPass` says how, e.g. `--batch-size 8`).
 */
export function checkResolutionFits(gpu: Gpu, encoder: BackboneName, resolution: number, inputs: number, flag: string, perPass: string): void {
  const limit = gpu.info.limits.maxStorageBufferBindingSize;
  if (limit === undefined) return;
  const bytes = 4 * largestActivation(encoder, resolution, inputs);
  if (bytes <= limit) return;
  let fits = resolution - 32;
  while (fits > 32 && 4 * largestActivation(encoder, fits, inputs) > limit) fits -= 32;
  const advice =
    fits >= 32 && 4 * largestActivation(encoder, fits, inputs) <= limit ? `use ${flag} ${fits} or less${inputs > 1 ? ', or fewer images per pass' : ''}` : 'pass fewer images at once';
  throw new Error(
    `${flag} ${resolution} is too large for this GPU: ${encoder} on ${inputs} image(s) per pass (${perPass}) needs a ${mib(bytes)} tensor, ` +
      `over its maxStorageBufferBindingSize of ${mib(limit)}: ${advice}`,
  );
}

/** Bytes per pixel an image of this PNG occupies on the GPU before resizing: float32 per channel, gray or RGB. */
export function gpuBytesPerPixel(png: Uint8Array): number {
  const colourType = png[25];
  return colourType === 0 || colourType === 4 ? 4 : 12;
}
