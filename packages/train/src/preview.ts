/**
 * A picture of what the network is trained on: N training inputs of fold `fold`'s first epoch, each exactly as the
 * loop builds it (same streams, same kernels: augmented, resized to R x R), as a grid of tiles. Each tile is the input
 * in gray with its mask's outline in red and the mask tinted red; tiles are separated by 2 px of dark gray.
 * Output: 8-bit RGB, row-major, interleaved (what @ulseg/data's encodeRgbPng takes).
 */
import type { Gpu } from '@ulseg/kernels';
import type { AugmentPolicyInput } from './augment/augment-policy.js';
import { trainingBatch, type TrainingSample } from './batches.js';
import { augmentationRandom } from './streams.js';

export interface PreviewImage {
  readonly width: number;
  readonly height: number;
  /** RGB, width·height·3 bytes. */
  readonly data: Uint8Array;
}

export interface AugmentPreviewOptions {
  /** Tiles; sample k is training sample k mod count. */
  readonly count: number;
  readonly resolution: number;
  readonly seed: number;
  /** Whose first-epoch streams to show (1-based), default 1. */
  readonly fold?: number;
  readonly policy?: AugmentPolicyInput;
  /** Default ceil(√count). */
  readonly columns?: number;
  /** false: resize only (what --no-augment trains on). Default true. */
  readonly augment?: boolean;
}

const GAP = 2;
const GAP_GREY = 40;

/** Whether (y, x) is a foreground pixel with a background 4-neighbour or on the border. */
function onOutline(mask: Float32Array, offset: number, size: number, y: number, x: number): boolean {
  const at = (yy: number, xx: number): boolean => yy >= 0 && xx >= 0 && yy < size && xx < size && mask[offset + yy * size + xx]! >= 0.5;
  return at(y, x) && !(at(y - 1, x) && at(y + 1, x) && at(y, x - 1) && at(y, x + 1));
}

export async function augmentPreview(gpu: Gpu, samples: readonly TrainingSample[], options: AugmentPreviewOptions): Promise<PreviewImage> {
  const { count, resolution: size } = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`augment preview: the number of tiles must be a positive integer, got ${count}`);
  if (samples.length === 0) throw new Error('augment preview: no training samples');
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const width = columns * size + (columns - 1) * GAP;
  const height = rows * size + (rows - 1) * GAP;
  const data = new Uint8Array(width * height * 3).fill(GAP_GREY);
  const chunk = 8;
  for (let first = 0; first < count; first += chunk) {
    const positions = Array.from({ length: Math.min(chunk, count - first) }, (_, index) => first + index);
    const batch = trainingBatch(
      gpu,
      positions.map((position) => samples[position % samples.length]!),
      size,
      options.augment === false ? undefined : { policy: options.policy ?? {}, random: (index) => augmentationRandom(options.seed, options.fold ?? 1, 0, first + index) },
    );
    const [images, masks] = await gpu.readMany([batch.images, batch.masks]);
    gpu.release(batch.images);
    gpu.release(batch.masks);
    positions.forEach((position, index) => {
      const top = Math.floor(position / columns) * (size + GAP);
      const left = (position % columns) * (size + GAP);
      const offset = index * size * size;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const grey = Math.round(Math.min(Math.max(images![offset + y * size + x]! * 255, 0), 255));
          const inside = masks![offset + y * size + x]! >= 0.5;
          const pixel = ((top + y) * width + left + x) * 3;
          if (onOutline(masks!, offset, size, y, x)) data.set([255, 0, 0], pixel);
          else if (inside) data.set([Math.round(0.7 * grey + 0.3 * 255), Math.round(0.7 * grey), Math.round(0.7 * grey)], pixel);
          else data.set([grey, grey, grey], pixel);
        }
      }
    });
  }
  return { width, height, data };
}
