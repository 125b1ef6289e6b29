/** Size limits checked before any work, so that a size too large for the device is a message naming the flag or the file, not a kernel error. */
import { InvalidArgumentError } from 'commander';
import { traceEval } from '@ulseg/autograd';
import { numel, type Gpu } from '@ulseg/kernels';
import { SegmentationModel, smallestInput, type BackboneName, type DecoderAttention, type NetworkName } from '@ulseg/model';

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


/** The architecture whose activations are bounded (a checkpoint's, or the one train builds). */
export interface ActivationModel {
  readonly network: NetworkName;
  readonly encoder: BackboneName;
  readonly decoderAttention?: DecoderAttention;
  readonly inChannels: number;
}

/**
 * Values per image and per input pixel in the largest tensor of the model's forward pass: the largest op output of a
 * trace of its eval forward on a [1, C, S, S] input, over S², where S is 32 or the network's smallest input (PAN: 128).
 * At any side R that is a multiple of 32 every feature map's side is R/S times its side in the trace (exact halvings),
 * so the largest tensor holds this times R² values per image (pooled maps of fixed size only fall further below it). Every op output is bound whole by a
 * kernel, so it must fit maxStorageBufferBindingSize. The trace runs the model's own forward: no per-network table.
 */
export function largestActivationPerPixel(gpu: Gpu, model: ActivationModel): number {
  const network = new SegmentationModel(gpu, { network: model.network, encoder: model.encoder, decoderAttention: model.decoderAttention ?? 'none', inChannels: model.inChannels, classes: 1 });
  const side = smallestInput(model.network);
  try {
    const traced = traceEval(network, gpu, [1, model.inChannels, side, side]);
    traced.dispose();
    return Math.max(...traced.ops.map((op) => numel(op.shape))) / side ** 2;
  } finally {
    network.dispose();
  }
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/**
 * Refuses a model resolution whose largest tensor does not fit the device, naming the flag and the largest
 * resolution that fits. `inputs` images go through the model at once (`perPass` says how, e.g. `--batch-size 8`).
 */
export function checkResolutionFits(gpu: Gpu, model: ActivationModel, resolution: number, inputs: number, flag: string, perPass: string): void {
  const limit = gpu.info.limits.maxStorageBufferBindingSize;
  if (limit === undefined) return;
  const perPixel = largestActivationPerPixel(gpu, model);
  const bytesAt = (side: number): number => 4 * inputs * perPixel * side * side;
  const bytes = bytesAt(resolution);
  if (bytes <= limit) return;
  let fits = resolution - 32;
  while (fits > 32 && bytesAt(fits) > limit) fits -= 32;
  const advice = fits >= 32 && bytesAt(fits) <= limit ? `use ${flag} ${fits} or less${inputs > 1 ? ', or fewer images per pass' : ''}` : 'pass fewer images at once';
  throw new Error(
    `${flag} ${resolution} is too large for this GPU: ${model.encoder} on ${inputs} image(s) per pass (${perPass}) needs a ${mib(bytes)} tensor, ` +
      `over its maxStorageBufferBindingSize of ${mib(limit)}: ${advice}`,
  );
}

/** Bytes per pixel an image of this PNG occupies on the GPU before resizing: float32 per channel, gray or RGB. */
export function gpuBytesPerPixel(png: Uint8Array): number {
  const colourType = png[25];
  return colourType === 0 || colourType === 4 ? 4 : 12;
}
