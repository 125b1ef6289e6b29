/** fill: out[i] = value (any float32 bit pattern); copyTensor: destination = source, in the same compute pass. */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, FLAT_PARAMS, type FlatVariant } from '../../runtime/flat.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, type GpuTensor } from '../../runtime/tensor.js';
import { bitsOf } from './fill.reference.js';
import { COPY_WGSL, FILL_PARAMS, FILL_WGSL } from './fill.wgsl.js';

const WORKGROUP_SIZE = 256;
export const FILL_KERNEL: KernelSource = { name: 'fill', code: FILL_WGSL, constants: { WORKGROUP_SIZE } };
export const COPY_KERNEL: KernelSource = { name: 'copy', code: COPY_WGSL, constants: { WORKGROUP_SIZE } };

/**
 * Fills `out` with `value`; `bits`, when given, is the raw 32-bit pattern (e.g. a NaN payload used as poison).
 * `variant` (tests, benchmarks) forces the vec4 or the scalar layout (runtime/flat).
 */
export function fill(gpu: Gpu, out: GpuTensor, value: number, bits = bitsOf(value), variant: FlatVariant = 'auto'): GpuTensor {
  const count = numel(out.shape);
  dispatchFlat(gpu, {
    kernel: FILL_KERNEL,
    count,
    tensors: [out],
    uniforms: (start) => FILL_PARAMS.write({ count, bits, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant,
  });
  return out;
}

/** destination = source, element for element (shapes may differ if the element counts agree); `variant` as fill's. */
export function copyTensor(gpu: Gpu, source: GpuTensor, destination: GpuTensor, variant: FlatVariant = 'auto'): GpuTensor {
  const count = numel(source.shape);
  if (count !== numel(destination.shape)) {
    throw new KernelArgumentError(
      `copy: source ${formatShape(source.shape)} and destination ${formatShape(destination.shape)} hold different element counts`,
    );
  }
  if (source.buffer === destination.buffer) throw new KernelArgumentError('copy: source and destination share a buffer');
  dispatchFlat(gpu, {
    kernel: COPY_KERNEL,
    count,
    tensors: [source, destination],
    uniforms: (start) => FLAT_PARAMS.write({ count, start }),
    workgroupSize: WORKGROUP_SIZE,
    variant,
  });
  return destination;
}
