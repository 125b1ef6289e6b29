/**
 * conv2d over the channel concatenation of two tensors without materialising it: y = conv2d(cat([xa, xb], 1), w),
 * forward, input gradient (dxa and dxb written straight into two buffers, no narrow of one dx) and weight gradient
 * (reading both). Channels [0, C1) of the concatenation are xa's, [C1, C) xb's. Ungrouped convolutions of any kernel
 * size, stride, dilation and padding, on the implicit-GEMM kernels of conv2d (the 1x1 ones too: there is no gemm
 * route for a split operand). The bias gradient does not involve x: conv2dBackwardBias.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { GemmVariant } from '../../device/profile.js';
import type { Gpu } from '../../runtime/gpu.js';
import { formatShape, numel, type GpuTensor } from '../../runtime/tensor.js';
import { concatShape } from '../concat/concat.js';
import { activationCode, chooseTile, epilogueFlags, gemmModule, implicitGemmVariant, tileCols, tileGrid, tileRows, type Activation } from '../gemm/tiles.js';
import { reduce } from '../reduce/reduce.js';
import { inputGradientPhases, weightSplits } from '../conv2d/conv2d-backward.js';
import { convResult, isPointwise } from '../conv2d/conv2d.js';
import {
  checkIndexRange,
  convGeometry,
  expectShape,
  geometryValues,
  outputShape,
  type Conv2dOptions,
  type ConvGeometry,
} from '../conv2d/conv2d-geometry.js';
import {
  CONV2D_CONCAT_BACKWARD_INPUT_HEADER_WGSL,
  CONV2D_CONCAT_BACKWARD_WEIGHT_HEADER_WGSL,
  CONV2D_CONCAT_HEADER_WGSL,
  CONV2D_CONCAT_INPUT_PARAMS,
  CONV2D_CONCAT_PARAMS,
  CONV2D_CONCAT_WEIGHT_PARAMS,
} from './conv2d-concat.wgsl.js';

export interface Conv2dConcatOptions extends Conv2dOptions {
  bias?: GpuTensor;
  /** Per-output-channel factor before the bias (folded eval BatchNorm). */
  scale?: GpuTensor;
  activation?: Activation;
  out?: GpuTensor;
  /** The implicit-GEMM core ('tiled', the only one it runs on); the profile's `conv` when omitted. */
  variant?: GemmVariant;
}

export interface Conv2dConcatBackwardWeightOptions extends Conv2dOptions {
  out?: GpuTensor;
  variant?: GemmVariant;
  /** Chunks of N·OH·OW reduced separately, then summed; chosen from the shape when omitted. */
  splits?: number;
}

export interface Conv2dConcatBackwardInputOptions extends Conv2dOptions {
  /** Gradients of xa and xb (fresh buffers when omitted). */
  out?: readonly [GpuTensor, GpuTensor];
  variant?: GemmVariant;
}

const FORWARD = 'conv2dConcat';
const INPUT = 'conv2dConcatBackwardInput';
const WEIGHT = 'conv2dConcatBackwardWeight';

/** The geometry of the convolution over cat([a, b], 1) and C1 = a's channels; throws naming both parts. */
export function concatConvGeometry(
  kernel: string,
  shapes: readonly [readonly number[], readonly number[]],
  weightShape: readonly number[],
  options: Conv2dOptions,
): { g: ConvGeometry; c1: number } {
  if (shapes[0].length !== 4 || shapes[1].length !== 4) {
    throw new KernelArgumentError(`${kernel}: expects two inputs [N, C, H, W], got ${formatShape(shapes[0])} and ${formatShape(shapes[1])}`);
  }
  if ((options.groups ?? 1) !== 1) throw new KernelArgumentError(`${kernel}: ungrouped convolutions only, got groups = ${options.groups}`);
  const whole = concatShape(kernel, shapes, 1);
  const g = convGeometry(kernel, whole, weightShape, options);
  return { g, c1: shapes[0][1]! };
}

/** y = act(conv2d(cat([xa, xb], 1), w) · scale + bias). */
export function conv2dConcat(gpu: Gpu, [xa, xb]: readonly [GpuTensor, GpuTensor], w: GpuTensor, options: Conv2dConcatOptions = {}): GpuTensor {
  const { g, c1 } = concatConvGeometry(FORWARD, [xa.shape, xb.shape], w.shape, options);
  const out = convResult(gpu, FORWARD, g, { shape: outputShape(g), channels: g.Cout, inputs: [xa, xb, w] }, options);
  const act = activationCode(FORWARD, options.activation);
  checkIndexRange(FORWARD, { 'C · KH · KW': g.C * g.KH * g.KW, 'OH · OW': g.OH * g.OW });
  const tile = chooseTile(gpu, FORWARD, g.Cout, g.OH * g.OW, implicitGemmVariant(FORWARD, options.variant ?? gpu.deviceProfile.conv));
  const flags = epilogueFlags({ scale: Boolean(options.scale), shift: Boolean(options.bias), act });
  gpu.dispatch({
    kernel: gemmModule(FORWARD, CONV2D_CONCAT_HEADER_WGSL, tile),
    uniforms: CONV2D_CONCAT_PARAMS.write(geometryValues(g, { flags, C1: c1 })),
    tensors: [xa, xb, w, options.scale ?? w, options.bias ?? w, out],
    workgroups: tileGrid(gpu, FORWARD, tile, g.Cout, g.OH * g.OW, g.N),
  });
  return out;
}

/** [dL/dxa, dL/dxb] for y = conv2d(cat([xa, xb], 1), w), from dy [N, Cout, OH, OW]. */
export function conv2dConcatBackwardInput(
  gpu: Gpu,
  dy: GpuTensor,
  w: GpuTensor,
  shapes: readonly [readonly number[], readonly number[]],
  options: Conv2dConcatBackwardInputOptions = {},
): [GpuTensor, GpuTensor] {
  const { g, c1 } = concatConvGeometry(INPUT, shapes, w.shape, options);
  expectShape(INPUT, 'dy', dy.shape, outputShape(g), `the output of inputs ${formatShape(shapes[0])} + ${formatShape(shapes[1])} and weight ${formatShape(w.shape)}`);
  const [dxa, dxb] = options.out ?? [gpu.empty(shapes[0], `${INPUT} a`), gpu.empty(shapes[1], `${INPUT} b`)];
  expectShape(INPUT, 'first output', dxa.shape, shapes[0]);
  expectShape(INPUT, 'second output', dxb.shape, shapes[1]);
  if (dxa.buffer === dxb.buffer) throw new KernelArgumentError(`${INPUT}: the two outputs must be different buffers`);
  for (const input of [dy, w]) {
    if (input.buffer === dxa.buffer || input.buffer === dxb.buffer) throw new KernelArgumentError(`${INPUT}: an output must not alias an input buffer`);
  }
  const { rows, cols, maxRows, maxCols, phases, stepH, stepW } = inputGradientPhases(INPUT, g);
  checkIndexRange(INPUT, { 'Cout · KH · KW': g.Cout * g.KH * g.KW, 'H · W': g.H * g.W });
  const tile = chooseTile(gpu, INPUT, g.C, maxRows * maxCols, implicitGemmVariant(INPUT, options.variant ?? gpu.deviceProfile.conv));
  const uniforms = CONV2D_CONCAT_INPUT_PARAMS.write(geometryValues(g, { phases, step_h: stepH, step_w: stepW, C1: c1, rows, cols }));
  gpu.dispatch({
    kernel: gemmModule(INPUT, CONV2D_CONCAT_BACKWARD_INPUT_HEADER_WGSL, tile),
    uniforms,
    tensors: [dy, w, dxa, dxb],
    workgroups: tileGrid(gpu, INPUT, tile, g.C, maxRows * maxCols, g.N * phases),
  });
  return [dxa, dxb];
}

/** dL/dw for y = conv2d(cat([xa, xb], 1), w): [Cout, C, KH, KW]. */
export function conv2dConcatBackwardWeight(
  gpu: Gpu,
  [xa, xb]: readonly [GpuTensor, GpuTensor],
  dy: GpuTensor,
  weightShape: readonly number[],
  options: Conv2dConcatBackwardWeightOptions = {},
): GpuTensor {
  const { g, c1 } = concatConvGeometry(WEIGHT, [xa.shape, xb.shape], weightShape, options);
  const of = `inputs ${formatShape(xa.shape)} + ${formatShape(xb.shape)} and weight ${formatShape(weightShape)}`;
  const out = convResult(gpu, WEIGHT, g, { dy: { tensor: dy, of }, shape: weightShape, channels: g.Cout, inputs: [xa, xb, dy] }, { out: options.out });
  const total = g.N * g.OH * g.OW;
  const columns = g.C * g.KH * g.KW;
  checkIndexRange(WEIGHT, { 'N · OH · OW': total, 'C · KH · KW': columns });
  const tile = chooseTile(gpu, WEIGHT, g.Cout, columns, implicitGemmVariant(WEIGHT, options.variant ?? gpu.deviceProfile.conv));
  const tiles = Math.ceil(g.Cout / tileRows(tile)) * Math.ceil(columns / tileCols(tile));
  const size = numel(weightShape);
  const fit = Math.max(1, Math.floor(gpu.limits.maxStorageBufferBindingSize / (4 * size)));
  let splits = Math.min(weightSplits(gpu, tiles, total, tile.bk, options.splits), options.splits ?? fit);
  const chunk = Math.ceil(Math.ceil(total / splits) / tile.bk) * tile.bk;
  splits = Math.ceil(total / chunk);
  const target = splits > 1 ? gpu.empty([splits, size], `${WEIGHT} partial`) : out;
  gpu.dispatch({
    kernel: gemmModule(WEIGHT, CONV2D_CONCAT_BACKWARD_WEIGHT_HEADER_WGSL, tile),
    uniforms: CONV2D_CONCAT_WEIGHT_PARAMS.write(geometryValues(g, { splits, k_chunk: chunk, k_total: total, C1: c1 })),
    tensors: [dy, xa, xb, target],
    workgroups: tileGrid(gpu, WEIGHT, tile, g.Cout, columns, splits),
  });
  if (splits > 1) {
    reduce(gpu, 'sum', target, { axes: [0], out: { ...out, shape: [size] } });
    gpu.release(target);
  }
  return out;
}

/**
 * Whether conv2d over cat([a, b], 1) should read a and b in place (else the caller copies them into one tensor):
 * ungrouped convolutions that conv2d itself would run on its implicit GEMM (not the 1x1 gemm route, whose cores are
 * faster than the implicit GEMM, nor depthwise), where the device profile takes the two-input kernels.
 */
export function concatConvInPlace(gpu: Gpu, shapes: readonly [readonly number[], readonly number[]], weightShape: readonly number[], options: Conv2dOptions): boolean {
  if (!gpu.deviceProfile.concatConv || (options.groups ?? 1) !== 1 || shapes[0].length !== 4 || shapes[1].length !== 4 || weightShape.length !== 4) return false;
  const { g } = concatConvGeometry(FORWARD, shapes, weightShape, options);
  return !isPointwise(g);
}
