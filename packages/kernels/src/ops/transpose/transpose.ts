/**
 * torch.transpose(x, 0, 1).contiguous() of x viewed as [outer, middle, inner]: y [middle, outer, inner]. gemm uses it
 * to move a batch into the reduction axis (Σ_b A_b B_bᵀ as one product with K' = batch · K).
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, rowsVariant, type FlatVariant } from '../../runtime/flat.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { TRANSPOSE_PARAMS, TRANSPOSE_WGSL } from './transpose.wgsl.js';

const NAME = 'transpose01';
const WORKGROUP_SIZE = 256;
const KERNEL: KernelSource = { name: NAME, code: TRANSPOSE_WGSL, constants: { WORKGROUP_SIZE } };

/**
 * y[b, a, i] = x[a, b, i] for x of shape [outer, middle, inner] (x's own shape may be any with that many elements;
 * `view` names the 3-D reading). `variant` forces the vec4 (needs inner % 4 == 0) or the scalar layout.
 */
export function transpose01(
  gpu: Gpu,
  x: GpuTensor,
  view: readonly [number, number, number],
  options: { out?: GpuTensor; variant?: FlatVariant } = {},
): GpuTensor {
  const [outer, middle, inner] = view;
  if (!view.every((size) => Number.isInteger(size) && size >= 0) || numel(view) !== numel(x.shape)) {
    throw new KernelArgumentError(`${NAME}: view ${formatShape(view)} does not hold the ${numel(x.shape)} elements of x ${formatShape(x.shape)}`);
  }
  const shape = [middle, outer, inner];
  const out = options.out ?? gpu.empty(shape, NAME);
  if (!sameShape(out.shape, shape)) throw new KernelArgumentError(`${NAME}: output shape ${formatShape(out.shape)} should be ${formatShape(shape)}`);
  if (out.buffer === x.buffer) throw new KernelArgumentError(`${NAME}: output must not alias the input buffer`);
  const requested = options.variant ?? 'auto';
  if (requested === 'vec4' && inner % 4 !== 0) throw new KernelArgumentError(`${NAME}: the vec4 layout needs inner % 4 == 0, got inner ${inner}`);
  const count = numel(shape);
  dispatchFlat(gpu, {
    kernel: KERNEL,
    count,
    tensors: [x, out],
    uniforms: (start) => TRANSPOSE_PARAMS.write({ count, start, outer, middle, inner }),
    workgroupSize: WORKGROUP_SIZE,
    variant: rowsVariant(inner, requested),
  });
  return out;
}
