/**
 * The debug view of the augmentation: sample n % N of images/masks ([N, 1, H, W]) repeated into R·C tiles, each
 * augmented by its own draw of the policy (augmentBatch), tiled into images and masks of shape [1, 1, R·H, C·W]
 * (tileBatch; the CLI writes them as PNG).
 */
import { augmentBatch, batchShape, KernelArgumentError, shapeOf, tileBatch, type AugmentedPair, type Gpu, type GpuTensor } from '@ulseg/kernels';
import { compileAugmentPlan, type AugmentPlan } from './augment-plan.js';
import { planAugmentation, resolveAugmentPolicy, type AugmentPolicyInput, type AugmentRandom } from './augment-policy.js';

export interface AugmentGridOptions {
  readonly policy?: AugmentPolicyInput;
  /** Leave tile (0, 0) un-augmented, for comparison. Default true. */
  readonly original?: boolean;
}

export interface AugmentGrid extends AugmentedPair {
  /** The plan the tiles were augmented with (sample r·C + c is tile (r, c)). */
  readonly plan: AugmentPlan;
}

export function augmentGrid(gpu: Gpu, images: GpuTensor, masks: GpuTensor, rows: number, cols: number, random: AugmentRandom, options: AugmentGridOptions = {}): AugmentGrid {
  const source = batchShape('augmentGrid', images, 'images');
  batchShape('augmentGrid', masks, 'masks', source);
  const shape = { batch: rows * cols, height: source.height, width: source.width };
  if (!Number.isInteger(shape.batch) || shape.batch < 1) throw new KernelArgumentError(`augmentGrid: ${rows} × ${cols} is not a grid`);
  const plane = source.height * source.width;
  const repeat = (tensor: GpuTensor): GpuTensor => {
    const batch = gpu.empty(shapeOf(shape), 'augmentGrid');
    for (let k = 0; k < shape.batch; k++) {
      const n = k % source.batch;
      gpu.copy({ ...tensor, shape: [plane], offset: (tensor.offset ?? 0) + n * plane }, { ...batch, shape: [plane], offset: k * plane });
    }
    return batch;
  };
  let plan = planAugmentation(random, shape, options.policy);
  if (options.original !== false) {
    plan = compileAugmentPlan([[], ...plan.samples.slice(1)], shape, { foldFlips: resolveAugmentPolicy(options.policy).foldFlips });
  }
  const batchImages = repeat(images);
  const batchMasks = repeat(masks);
  const augmented = augmentBatch(gpu, batchImages, batchMasks, plan);
  gpu.release(batchImages);
  gpu.release(batchMasks);
  const grid = { images: tileBatch(gpu, augmented.images, rows, cols), masks: tileBatch(gpu, augmented.masks, rows, cols), plan };
  gpu.release(augmented.images);
  gpu.release(augmented.masks);
  return grid;
}
