/**
 * The geometric augmentation kernel (see warp.wgsl.ts): one dispatch warps every sample of a batch by its own
 * coordinate field, image and mask together. Flips, crop-and-resize and affine use the affine field (a 2×3 inverse
 * matrix per sample, warp-matrix.ts); piecewise-affine and elastic deformations use their fields (augment-deform).
 */
import type { Gpu } from '../../runtime/gpu.js';
import type { KernelSource } from '../../runtime/kernel.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import { AUGMENT_WORKGROUP_SIZE, batchShape, checkNoAlias, checkTable, dispatchPixels, outputLike } from '../augment/augment-common.js';
import { AFFINE_STRIDE } from './warp-matrix.js';
import { WARP_WGSL } from './warp.wgsl.js';

export const WARP_FIELDS = ['affine', 'piecewise', 'elastic'] as const;
export type WarpField = (typeof WARP_FIELDS)[number];

/** Elastic smoothing radius limit (the Gaussian of ElasticTransformation, imgaug's ksize rule: σ up to ≈ 7). */
export const ELASTIC_MAX_RADIUS = 12;
/** Columns of the piecewise table: header 12 + 8 coefficients for each of at most 3 × 3 cells. */
export const PIECEWISE_MAX_CELLS = 9;

export const WARP_STRIDES: Record<WarpField, number> = {
  affine: AFFINE_STRIDE,
  piecewise: 12 + 8 * PIECEWISE_MAX_CELLS,
  elastic: 12 + ELASTIC_MAX_RADIUS + 4,
};

export function warpKernel(field: WarpField): KernelSource {
  return { name: `augmentWarp.${field}`, code: WARP_WGSL, constants: { FIELD: WARP_FIELDS.indexOf(field), WORKGROUP_SIZE: AUGMENT_WORKGROUP_SIZE } };
}

export interface AugmentedPair {
  readonly images: GpuTensor;
  readonly masks: GpuTensor;
}

/**
 * images, masks: [N, 1, H, W]; table: [N, WARP_STRIDES[field]] -> new (or the given) images and masks.
 * Rows with enabled = 0 copy their sample unchanged.
 */
export function augmentWarp(gpu: Gpu, field: WarpField, images: GpuTensor, masks: GpuTensor, table: GpuTensor, out: Partial<AugmentedPair> = {}): AugmentedPair {
  const kernel = warpKernel(field);
  const shape = batchShape(kernel.name, images, 'images');
  batchShape(kernel.name, masks, 'masks', shape);
  checkTable(kernel.name, table, shape.batch, WARP_STRIDES[field]);
  const imagesOut = outputLike(gpu, kernel.name, shape, out.images, 'output images');
  const masksOut = outputLike(gpu, kernel.name, shape, out.masks, 'output masks');
  checkNoAlias(kernel.name, [table, images, masks], [imagesOut, masksOut]);
  dispatchPixels(gpu, kernel, shape, WARP_STRIDES[field], [table, images, masks, imagesOut, masksOut]);
  return { images: imagesOut, masks: masksOut };
}
