/**
 * conv2d forward (NCHW): any kernel size, stride, dilation, groups and asymmetric padding, optional bias, and for
 * inference a fused per-channel affine (folded eval BatchNorm) and activation: y = act(conv(x, w) * scale + shift),
 * shift = bias when there is no scale. Routes: 1x1 stride-1 unpadded ungrouped → gemm per image
 * (y[n] = W[Cout, C] · x[n][C, HW]); depthwise 3x3 / 5x5 stride 1 / 2 → the depthwise kernels; with the profile's
 * convIm2col, other ungrouped ones → im2col + gemm (conv2d-im2col.ts); else the implicit-GEMM kernel (conv2d.wgsl.ts).
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { KernelSource } from '../../runtime/kernel.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import { depthwiseConv2d, depthwiseFastPath } from '../depthwise/depthwise.js';
import { gemm, type GemmOptions } from '../gemm/gemm.js';
import type { GemmVariant } from '../../device/profile.js';
import { activationCode, chooseTile, epilogueFlags, gemmModule, implicitGemmVariant, tileGrid, type Activation } from '../gemm/tiles.js';
import { CONV2D_HEADER_WGSL, CONV2D_PARAMS } from './conv2d.wgsl.js';
import {
  checkIndexRange,
  convGeometry,
  expectShape,
  geometryValues,
  outputShape,
  type Conv2dOptions,
  type ConvGeometry,
} from './conv2d-geometry.js';
import { conv2dIm2col, im2colPlan, type Im2colChoice } from './conv2d-im2col.js';

export interface Conv2dForwardOptions extends Conv2dOptions, Im2colChoice {
  bias?: GpuTensor;
  /** Per-output-channel factor applied before the bias (folded eval BatchNorm: scale = γ / sqrt(var + eps)). */
  scale?: GpuTensor;
  activation?: Activation;
  out?: GpuTensor;
  /** Force the implicit-GEMM kernel (skip the gemm, depthwise and im2col routes); for tests and benchmarks. */
  general?: boolean;
  /** The GEMM core of the routes through gemm (else the profile's `gemm`); the im2col route too; the implicit GEMM takes only 'tiled'. */
  variant?: GemmVariant;
}

const NAME = 'conv2d';

/** True when the convolution is a plain matrix product per image. */
export function isPointwise(g: ConvGeometry): boolean {
  return g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.pt + g.pb + g.pl + g.pr === 0 && g.groups === 1;
}

/** Checks bias / scale ([channels]) and the output, and refuses outputs aliasing an input. */
export function checkEpilogue(
  kernel: string,
  channels: number,
  inputs: readonly (GpuTensor | undefined)[],
  out: GpuTensor,
  expected: readonly number[],
  options: { bias?: GpuTensor; scale?: GpuTensor },
): void {
  if (options.bias) expectShape(kernel, 'bias', options.bias.shape, [channels], 'one per output channel');
  if (options.scale) expectShape(kernel, 'scale', options.scale.shape, [channels], 'one per output channel');
  expectShape(kernel, 'output', out.shape, expected);
  for (const input of [...inputs, options.bias, options.scale]) {
    if (input && input.buffer === out.buffer) throw new KernelArgumentError(`${kernel}: output must not alias an input buffer`);
  }
}

/**
 * The checks every convolution launcher makes after its geometry g, in this order: a gradient's dy against g's output
 * shape (`of` names the shapes it is the output of), then the result, the caller's `out` or a new tensor of `shape`,
 * with bias and scale of [channels] and aliasing none of `inputs` (checkEpilogue). Returns the result.
 */
export function convResult(
  gpu: Gpu,
  kernel: string,
  g: ConvGeometry,
  result: { shape: readonly number[]; channels: number; inputs: readonly GpuTensor[]; dy?: { tensor: GpuTensor; of: string } },
  options: { out?: GpuTensor; bias?: GpuTensor; scale?: GpuTensor },
): GpuTensor {
  if (result.dy) expectShape(kernel, 'dy', result.dy.tensor.shape, outputShape(g), `the output of ${result.dy.of}`);
  const out = options.out ?? gpu.empty(result.shape, kernel);
  checkEpilogue(kernel, result.channels, result.inputs, out, result.shape, options);
  return out;
}

/** gemm's options for a convolution routed through gemm: its epilogue (bias, scale, activation), no split-K, its core. */
export function gemmRoute(options: { bias?: GpuTensor; scale?: GpuTensor; activation?: Activation; variant?: GemmVariant }): GemmOptions {
  return { bias: options.bias, scale: options.scale, activation: options.activation, splitK: 1, variant: options.variant };
}

export function conv2dKernel(gpu: Gpu, g: ConvGeometry, variant?: GemmVariant): { kernel: KernelSource; workgroups: [number, number, number] } {
  const tile = chooseTile(gpu, NAME, g.Cog, g.OH * g.OW, implicitGemmVariant(NAME, variant ?? gpu.deviceProfile.conv));
  return {
    kernel: gemmModule(NAME, CONV2D_HEADER_WGSL, tile),
    workgroups: tileGrid(gpu, NAME, tile, g.Cog, g.OH * g.OW, g.N * g.groups),
  };
}

export function conv2d(gpu: Gpu, x: GpuTensor, w: GpuTensor, options: Conv2dForwardOptions = {}): GpuTensor {
  const g = convGeometry(NAME, x.shape, w.shape, options);
  const out = convResult(gpu, NAME, g, { shape: outputShape(g), channels: g.Cout, inputs: [x, w] }, options);
  const act = activationCode(NAME, options.activation);
  if (!options.general && isPointwise(g) && g.H * g.W === 1) {
    // One pixel per image (squeeze-excitation): the batch becomes the rows, y[n, co] = Σ_c x[n, c] w[co, c].
    gemm(gpu, { ...x, shape: [g.N, g.C] }, { ...w, shape: [g.Cout, g.C] }, { ...gemmRoute(options), transposeB: true, channelAxis: 'column', out: { ...out, shape: [g.N, g.Cout] } });
    return out;
  }
  if (!options.general && isPointwise(g)) {
    gemm(gpu, { ...w, shape: [g.Cout, g.C] }, { ...x, shape: [g.N, g.C, g.H * g.W] }, { ...gemmRoute(options), out: { ...out, shape: [g.N, g.Cout, g.OH * g.OW] } });
    return out;
  }
  if (!options.general && depthwiseFastPath(g)) {
    return depthwiseConv2d(gpu, x, w, { ...options, out });
  }
  const plan = options.general ? null : im2colPlan(gpu, g, options);
  if (plan) {
    conv2dIm2col(gpu, x, w, g, out, plan, { bias: options.bias, scale: options.scale, activation: options.activation, variant: options.variant });
    return out;
  }
  checkIndexRange(NAME, { 'C / groups · KH · KW': g.Cig * g.KH * g.KW, 'OH · OW': g.OH * g.OW });
  const { kernel, workgroups } = conv2dKernel(gpu, g, options.variant);
  const flags = epilogueFlags({ scale: Boolean(options.scale), shift: Boolean(options.bias), act });
  gpu.dispatch({
    kernel,
    uniforms: CONV2D_PARAMS.write(geometryValues(g, { flags })),
    tensors: [x, w, options.scale ?? w, options.bias ?? w, out],
    workgroups,
  });
  return out;
}
