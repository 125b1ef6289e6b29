/**
 * col2im, the adjoint of im2col (ops/im2col): cols [N, C·KH·KW, OH·OW] -> x [N, C, H, W], every pixel the sum of
 * the at most KH·KW columns that read it. The input gradient of a convolution is col2im(Wᵀ · dy)
 * (ops/conv2d/conv2d-im2col.ts). Each lane gathers its own sums (no atomics); lanes write 4 pixels of a row as one
 * vec4 when W % 4 == 0.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, rowsVariant, type FlatVariant } from '../../runtime/flat.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { numel, type GpuTensor } from '../../runtime/tensor.js';
import { checkIndexRange, expectShape, geometryValues, type Conv2dOptions } from '../conv2d/conv2d-geometry.js';
import { im2colGeometry, im2colShape } from '../im2col/im2col.js';
import { COL2IM_PARAMS, COL2IM_WGSL } from './col2im.wgsl.js';

const NAME = 'col2im';
const WORKGROUP_SIZE = 256;
const KERNEL: KernelSource = { name: NAME, code: COL2IM_WGSL, constants: { WORKGROUP_SIZE } };

export interface Col2imOptions extends Omit<Conv2dOptions, 'groups'> {
  out?: GpuTensor;
  /** `vec4` (needs W % 4 == 0) or `scalar`; `auto` (default) takes vec4 where it applies. */
  variant?: FlatVariant;
}

/** x of `xShape` [N, C, H, W] from cols [N, C·KH·KW, OH·OW] of a kernel of `size` [KH, KW]. */
export function col2im(gpu: Gpu, cols: GpuTensor, xShape: readonly number[], size: readonly [number, number], options: Col2imOptions = {}): GpuTensor {
  const g = im2colGeometry(NAME, xShape, size, options);
  expectShape(NAME, 'cols', cols.shape, im2colShape(g), `im2col of x ${JSON.stringify(xShape)} with a ${size[0]} x ${size[1]} kernel`);
  const out = options.out ?? gpu.empty(xShape, NAME);
  expectShape(NAME, 'output', out.shape, xShape);
  if (out.buffer === cols.buffer) throw new KernelArgumentError(`${NAME}: output must not alias the input buffer`);
  const variant = options.variant ?? 'auto';
  if (variant === 'vec4' && g.W % 4 !== 0) throw new KernelArgumentError(`${NAME}: the vec4 layout needs W % 4 == 0, got W = ${g.W}`);
  const count = numel(xShape);
  checkIndexRange(NAME, { 'rows N·C·H': g.N * g.C * g.H, 'vec4 groups N·C·H·W / 4': count / 4 });
  dispatchFlat(gpu, {
    kernel: KERNEL,
    count,
    tensors: [cols, out],
    uniforms: (start) => COL2IM_PARAMS.write(geometryValues(g, { count, start })),
    workgroupSize: WORKGROUP_SIZE,
    variant: rowsVariant(g.W, variant),
  });
  return out;
}
