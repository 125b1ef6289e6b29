/**
 * Runs an augmentation plan on a batch on the device: images, masks: [N, 1, H, W] -> new images and masks.
 * Each step is one kernel over the whole batch (samples without that op are copied), so the work is a few dispatches
 * per batch, all recorded into the current command batch; intermediate tensors go back to the pool as soon as the
 * next step has read them. Also the debug grid: one image augmented R·C times, tiled into a single [1, 1, R·H, C·W].
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, type GpuTensor } from '../../runtime/tensor.js';
import { COPY_KERNEL, copyTensor } from '../fill/fill.js';
import { augmentWarp, WARP_FIELDS, warpKernel, type AugmentedPair } from '../augment-geometric/warp.js';
import { augmentIntensity, INTENSITY_KERNELS } from '../augment-intensity/intensity.js';
import { AUGMENT_WORKGROUP_SIZE, batchShape, shapeOf } from './augment-common.js';
import { TILE_PARAMS, TILE_WGSL } from './augment-grid.wgsl.js';
import { compileAugmentPlan, type AugmentPlan } from './augment-plan.js';
import { planAugmentation, resolveAugmentPolicy, type AugmentPolicyInput, type AugmentRandom } from './augment-policy.js';

export const TILE_KERNEL: KernelSource = { name: 'augmentTile', code: TILE_WGSL, constants: { WORKGROUP_SIZE: AUGMENT_WORKGROUP_SIZE } };

/** Every pipeline augmentBatch and augmentGrid may use, for gpu.pipelines.warmUp before the first batch. */
export const AUGMENT_KERNELS: readonly KernelSource[] = [...WARP_FIELDS.map(warpKernel), ...INTENSITY_KERNELS, COPY_KERNEL, { ...COPY_KERNEL, entryPoint: 'main4' }, TILE_KERNEL];

/** Applies `plan` to images and masks ([N, 1, H, W], the plan's shape); the inputs are not written. */
export function augmentBatch(gpu: Gpu, images: GpuTensor, masks: GpuTensor, plan: AugmentPlan): AugmentedPair {
  const shape = batchShape('augmentBatch', images, 'images', plan);
  batchShape('augmentBatch', masks, 'masks', shape);
  if (images.buffer === masks.buffer) throw new KernelArgumentError('augmentBatch: images and masks must be different tensors');
  // All parameter tables in one upload, each at an offset the storage binding alignment allows.
  const alignment = Math.max(gpu.limits.minStorageBufferOffsetAlignment / 4, 1);
  let total = 0;
  const offsets = plan.steps.map((step) => {
    const offset = total;
    total += Math.ceil(step.table.length / alignment) * alignment;
    return offset;
  });
  const packed = new Float32Array(Math.max(total, 1));
  plan.steps.forEach((step, k) => packed.set(step.table, offsets[k]));
  const parameters = plan.steps.length > 0 ? gpu.upload(packed, [packed.length], 'augment parameters') : undefined;
  let current: AugmentedPair = { images, masks };
  const retire = (tensor: GpuTensor, next: GpuTensor): void => {
    if (tensor !== images && tensor !== masks && tensor !== next) gpu.release(tensor);
  };
  plan.steps.forEach((step, k) => {
    const table: GpuTensor = { buffer: parameters!.buffer, shape: [shape.batch, step.stride], offset: offsets[k]! };
    if (step.kernel.family === 'warp') {
      const next = augmentWarp(gpu, step.kernel.field, current.images, current.masks, table);
      retire(current.images, next.images);
      retire(current.masks, next.masks);
      current = next;
    } else {
      const nextImages = augmentIntensity(gpu, step.kernel.op, current.images, table);
      retire(current.images, nextImages);
      current = { images: nextImages, masks: current.masks };
    }
  });
  if (parameters) gpu.release(parameters);
  const fresh = (tensor: GpuTensor, input: GpuTensor): GpuTensor => (tensor === input ? copyTensor(gpu, input, gpu.empty(shapeOf(shape), 'augmentBatch')) : tensor);
  return { images: fresh(current.images, images), masks: fresh(current.masks, masks) };
}

/** x: [R·C, 1, H, W] -> [1, 1, R·H, C·W], sample r·C + c at tile (r, c). */
export function tileBatch(gpu: Gpu, x: GpuTensor, rows: number, cols: number, out?: GpuTensor): GpuTensor {
  const { batch, height, width } = batchShape(TILE_KERNEL.name, x, 'x');
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols !== batch) {
    throw new KernelArgumentError(`augmentTile: ${rows} × ${cols} tiles do not hold a batch of ${batch}`);
  }
  const shape = [1, 1, rows * height, cols * width];
  const y = out ?? gpu.empty(shape, TILE_KERNEL.name);
  if (formatShape(y.shape) !== formatShape(shape)) throw new KernelArgumentError(`augmentTile: output shape ${formatShape(y.shape)}, expected ${formatShape(shape)}`);
  if (y.buffer === x.buffer) throw new KernelArgumentError('augmentTile: output must not alias the input');
  const count = batch * height * width;
  gpu.dispatch({
    kernel: TILE_KERNEL,
    uniforms: TILE_PARAMS.write({ count, height, width, cols }),
    tensors: [x, y],
    workgroups: flatGrid(count, AUGMENT_WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return y;
}

export interface AugmentGridOptions {
  readonly policy?: AugmentPolicyInput;
  /** Leave tile (0, 0) un-augmented, for comparison. Default true. */
  readonly original?: boolean;
}

export interface AugmentGrid extends AugmentedPair {
  /** The plan the tiles were augmented with (sample r·C + c is tile (r, c)). */
  readonly plan: AugmentPlan;
}

/**
 * Debug view: sample n % N of images/masks ([N, 1, H, W]) repeated into R·C tiles, each augmented by its own draw
 * of the policy, tiled into images and masks of shape [1, 1, R·H, C·W] (the CLI writes them as PNG).
 */
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
