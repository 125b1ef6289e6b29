/**
 * im2col for a 2-D convolution (NCHW): x [N, C, H, W] -> cols [N, C·KH·KW, OH·OW], one row per tap (c, kh, kw), one
 * column per output pixel, zeros where the tap falls in the padding. A convolution is then a GEMM per image,
 * y[n] = W [Cout, C·KH·KW] · cols[n] (ops/conv2d/conv2d-im2col.ts). Bandwidth-bound: lanes write 4 columns as one
 * vec4 when OH·OW % 4 == 0.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { dispatchFlat, rowsVariant, type FlatVariant } from '../../runtime/flat.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, type GpuTensor } from '../../runtime/tensor.js';
import { checkIndexRange, convGeometry, expectShape, geometryValues, type Conv2dOptions, type ConvGeometry } from '../conv2d/conv2d-geometry.js';
import { IM2COL_PARAMS, IM2COL_WGSL } from './im2col.wgsl.js';

const NAME = 'im2col';
const WORKGROUP_SIZE = 256;
const KERNEL: KernelSource = { name: NAME, code: IM2COL_WGSL, constants: { WORKGROUP_SIZE } };

export interface Im2colOptions extends Omit<Conv2dOptions, 'groups'> {
  out?: GpuTensor;
  /** `vec4` (needs OH·OW % 4 == 0) or `scalar`; `auto` (default) takes vec4 where it applies. */
  variant?: FlatVariant;
}

/** The cols shape [N, C·KH·KW, OH·OW] of geometry g. */
export function im2colShape(g: ConvGeometry): [number, number, number] {
  return [g.N, g.C * g.KH * g.KW, g.OH * g.OW];
}

/** The geometry of a groups-1 convolution of x with a [KH, KW] kernel (the weight's Cout does not matter here). */
export function im2colGeometry(kernel: string, xShape: readonly number[], size: readonly [number, number], options: Omit<Conv2dOptions, 'groups'>): ConvGeometry {
  if (xShape.length !== 4) throw new KernelArgumentError(`${kernel}: expects x [N, C, H, W], got ${formatShape(xShape)}`);
  return convGeometry(kernel, xShape, [1, xShape[1]!, size[0], size[1]], { ...options, groups: 1 });
}

/** cols of x for a kernel of `size` [KH, KW] (stride, padding, dilation as conv2d). */
export function im2col(gpu: Gpu, x: GpuTensor, size: readonly [number, number], options: Im2colOptions = {}): GpuTensor {
  const g = im2colGeometry(NAME, x.shape, size, options);
  const shape = im2colShape(g);
  const out = options.out ?? gpu.empty(shape, NAME);
  expectShape(NAME, 'output', out.shape, shape);
  if (out.buffer === x.buffer) throw new KernelArgumentError(`${NAME}: output must not alias the input buffer`);
  const variant = options.variant ?? 'auto';
  if (variant === 'vec4' && (g.OH * g.OW) % 4 !== 0) {
    throw new KernelArgumentError(`${NAME}: the vec4 layout needs OH·OW % 4 == 0, got ${g.OH} x ${g.OW}`);
  }
  const count = numel(shape);
  checkIndexRange(NAME, { 'rows N·C·KH·KW': shape[0] * shape[1], 'vec4 groups N·C·KH·KW·OH·OW / 4': count / 4 });
  dispatchFlat(gpu, {
    kernel: KERNEL,
    count,
    tensors: [x, out],
    uniforms: (start) => IM2COL_PARAMS.write(geometryValues(g, { count, start })),
    workgroupSize: WORKGROUP_SIZE,
    variant: rowsVariant(shape[2], variant),
  });
  return out;
}
