/**
 * Runs an augmentation plan on a batch on the device: images, masks: [N, 1, H, W] -> new images and masks.
 * Each step is one kernel over the whole batch (samples without that op are copied), so the work is a few dispatches
 * per batch, all recorded into the current command batch; intermediate tensors go back to the pool as soon as the
 * next step has read them. The layout (`AugmentLayout`) is plain data: which kernel each step runs and its [N, stride]
 * parameter table; @ulseg/train's policy draws the per-sample ops and compiles them into one. Also `tileBatch`:
 * R·C samples tiled into a single [1, 1, R·H, C·W] (the debug grid).
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, type GpuTensor } from '../../runtime/tensor.js';
import { COPY_KERNEL, copyTensor } from '../fill/fill.js';
import { augmentWarp, WARP_FIELDS, warpKernel, type AugmentedPair, type WarpField } from '../augment-geometric/warp.js';
import { augmentIntensity, INTENSITY_KERNELS, type IntensityOp } from '../augment-intensity/intensity.js';
import { AUGMENT_WORKGROUP_SIZE, batchShape, shapeOf, type BatchShape } from './augment-common.js';
import { TILE_PARAMS, TILE_WGSL } from './augment-grid.wgsl.js';

/** Which kernel a step runs. */
export type StepKernel = { readonly family: 'warp'; readonly field: WarpField } | { readonly family: 'intensity'; readonly op: IntensityOp };

/** One kernel over the whole batch. */
export interface AugmentStep {
  readonly kernel: StepKernel;
  /** [N, stride] rows (WARP_STRIDES / INTENSITY_STRIDES of the kernel); a row of zeros copies its sample. */
  readonly table: Float32Array;
  readonly stride: number;
  /** Samples this step changes (the others are copied). */
  readonly samples: readonly number[];
}

/** What augmentBatch runs: the batch shape and the steps in order. */
export interface AugmentLayout extends BatchShape {
  readonly steps: readonly AugmentStep[];
}

export const TILE_KERNEL: KernelSource = { name: 'augmentTile', code: TILE_WGSL, constants: { WORKGROUP_SIZE: AUGMENT_WORKGROUP_SIZE } };

/** Every pipeline augmentBatch and tileBatch may use, for gpu.pipelines.warmUp before the first batch. */
export const AUGMENT_KERNELS: readonly KernelSource[] = [...WARP_FIELDS.map(warpKernel), ...INTENSITY_KERNELS, COPY_KERNEL, { ...COPY_KERNEL, entryPoint: 'main4' }, TILE_KERNEL];

/** Applies `plan` to images and masks ([N, 1, H, W], the plan's shape); the inputs are not written. */
export function augmentBatch(gpu: Gpu, images: GpuTensor, masks: GpuTensor, plan: AugmentLayout): AugmentedPair {
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
