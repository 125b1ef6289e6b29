/**
 * Geometric and colour helpers of the augmentation and TTA pipelines on [N, C, H, W]:
 * hflip (mirror W), vflip (mirror H), rot180 (both), and gray ([N, 3, H, W] RGB → [N, 1, H, W] luma).
 * Each flip is a permutation P with P = P⁻¹ = Pᵀ, so its backward is the same flip applied to dy.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import { dims4, formatShape, numel, type GpuTensor } from '../../runtime/tensor.js';
import { FLIP_PARAMS, FLIP_WGSL } from './flip.wgsl.js';
import { outputFor } from './resize.js';

export const FLIPS = ['hflip', 'vflip', 'rot180'] as const;
export type Flip = (typeof FLIPS)[number];

const WORKGROUP_SIZE = 256;

function checkImage(name: string, x: GpuTensor): [number, number, number, number] {
  if (x.shape.length !== 4 || x.shape.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new KernelArgumentError(`${name}: expects x of shape [N, C, H, W] with every size >= 1, got ${formatShape(x.shape)}`);
  }
  return dims4(x.shape);
}

/** y = x mirrored along W (hflip), H (vflip) or both (rot180). Self-adjoint: the backward is flip(dy). */
export function flip(gpu: Gpu, kind: Flip, x: GpuTensor, out?: GpuTensor): GpuTensor {
  if (!FLIPS.includes(kind)) throw new KernelArgumentError(`flip: unknown flip '${kind}'. Known: ${FLIPS.join(', ')}`);
  const name = `resize.${kind}`;
  const [, , h, w] = checkImage(name, x);
  const y = outputFor(gpu, name, x, x.shape, out);
  const count = numel(x.shape);
  gpu.dispatch({
    kernel: { name, code: FLIP_WGSL, entryPoint: 'flip', constants: { WORKGROUP_SIZE, FLIP_H: kind !== 'vflip', FLIP_V: kind !== 'hflip' } },
    uniforms: FLIP_PARAMS.write({ count, height: h, width: w }),
    tensors: [x, y],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return y;
}

/** y = 0.2989 R + 0.587 G + 0.114 B: [N, 3, H, W] → [N, 1, H, W] (the original inference's RGB-to-gray). */
export function rgbToGray(gpu: Gpu, x: GpuTensor, out?: GpuTensor): GpuTensor {
  const name = 'resize.gray';
  const [n, c, h, w] = checkImage(name, x);
  if (c !== 3) throw new KernelArgumentError(`${name}: expects 3 channels (RGB) in x of shape [N, 3, H, W], got ${formatShape(x.shape)}`);
  const y = outputFor(gpu, name, x, [n, 1, h, w], out);
  const count = n * h * w;
  gpu.dispatch({
    kernel: { name, code: FLIP_WGSL, entryPoint: 'gray', constants: { WORKGROUP_SIZE } },
    uniforms: FLIP_PARAMS.write({ count, height: h, width: w }),
    tensors: [x, y],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return y;
}
