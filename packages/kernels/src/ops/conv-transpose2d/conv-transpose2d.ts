/**
 * PyTorch ConvTranspose2d (NCHW, weight [Cin, Cout, KH, KW], groups 1, output_padding 0):
 *   y[n, co, ih sh - ph + kh dh, iw sw - pw + kw dw] += w[ci, co, kh, kw] x[n, ci, ih, iw],
 *   OH = (H - 1) sh - 2 ph + dh (KH - 1) + 1.
 * It is the input gradient of the conv2d whose weight is w read as [Cout_conv = Cin, Cin_conv = Cout, KH, KW], so the
 * three passes reuse conv2d's kernels:
 *   forward      = conv2dBackwardInput(dy := x): phase-decomposed, each of the sh sw output phases a dense implicit
 *                  GEMM over the input (no multiply-adds on inserted zeros); bias, scale and activation fused;
 *   input grad   = conv2d(dy, w, stride s, padding p): a strided convolution of dy with the same weight;
 *   weight grad  = conv2dBackwardWeight(x := dy, dy := x);  bias grad = sum of dy over N, OH, OW.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { formatShape, type GpuTensor } from '../../runtime/tensor.js';
import { conv2dBackwardBias, conv2dBackwardInput, conv2dBackwardWeight } from '../conv2d/conv2d-backward.js';
import { conv2d } from '../conv2d/conv2d.js';
import { expectShape } from '../conv2d/conv2d-geometry.js';
import type { Activation } from '../gemm/tiles.js';

export interface ConvTranspose2dOptions {
  stride?: number | readonly [number, number];
  /** Removed from both sides of each axis of the full output (PyTorch `padding`): one number or [vertical, horizontal]. */
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
}

export interface ConvTranspose2dForwardOptions extends ConvTranspose2dOptions {
  bias?: GpuTensor;
  /** Per-output-channel factor before the bias (folded eval BatchNorm), for inference. */
  scale?: GpuTensor;
  activation?: Activation;
  out?: GpuTensor;
}

export interface ConvTransposeGeometry {
  N: number;
  Cin: number;
  Cout: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

const NAME = 'convTranspose2d';

function pair(value: number | readonly [number, number] | undefined, fallback: number): [number, number] {
  return typeof value === 'number' || value === undefined ? [value ?? fallback, value ?? fallback] : [value[0], value[1]];
}

/** Validates x [N, Cin, H, W] and w [Cin, Cout, KH, KW] and returns the output geometry. */
export function convTransposeGeometry(
  kernel: string,
  xShape: readonly number[],
  wShape: readonly number[],
  options: ConvTranspose2dOptions = {},
): ConvTransposeGeometry {
  const shapes = `x ${formatShape(xShape)} and weight ${formatShape(wShape)}`;
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new KernelArgumentError(`${kernel}: expects x [N, Cin, H, W] and weight [Cin, Cout, KH, KW]; got ${shapes}`);
  }
  const [N, Cin, H, W] = xShape as [number, number, number, number];
  const [wCin, Cout, KH, KW] = wShape as [number, number, number, number];
  if (wCin !== Cin) throw new KernelArgumentError(`${kernel}: channel mismatch: weight has ${wCin} input channels, x has ${Cin} (${shapes})`);
  const stride = pair(options.stride, 1);
  const padding = pair(options.padding, 0);
  const dilation = pair(options.dilation, 1);
  if (![...stride, ...dilation].every((v) => Number.isInteger(v) && v >= 1) || !padding.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new KernelArgumentError(`${kernel}: stride and dilation must be positive integers and padding non-negative (${JSON.stringify(options)})`);
  }
  const OH = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (KH - 1) + 1;
  const OW = (W - 1) * stride[1] - 2 * padding[1] + dilation[1] * (KW - 1) + 1;
  if (OH < 1 || OW < 1) {
    throw new KernelArgumentError(`${kernel}: the output would be empty (${OH} x ${OW}): padding ${padding} is too large for ${shapes}`);
  }
  return { N, Cin, Cout, H, W, OH, OW, stride, padding, dilation };
}

function convOptions(g: ConvTransposeGeometry): { stride: [number, number]; padding: [number, number]; dilation: [number, number] } {
  return { stride: g.stride, padding: g.padding, dilation: g.dilation };
}

/** y = convTranspose2d(x, w) (+ bias, with optional fused scale and activation): [N, Cout, OH, OW]. */
export function convTranspose2d(gpu: Gpu, x: GpuTensor, w: GpuTensor, options: ConvTranspose2dForwardOptions = {}): GpuTensor {
  const g = convTransposeGeometry(NAME, x.shape, w.shape, options);
  const shape = [g.N, g.Cout, g.OH, g.OW];
  const out = options.out ?? gpu.empty(shape, NAME);
  expectShape(NAME, 'output', out.shape, shape);
  if (options.bias) expectShape(NAME, 'bias', options.bias.shape, [g.Cout], 'one per output channel');
  if (options.scale) expectShape(NAME, 'scale', options.scale.shape, [g.Cout], 'one per output channel');
  return conv2dBackwardInput(gpu, x, w, shape, {
    ...convOptions(g),
    bias: options.bias,
    scale: options.scale,
    activation: options.activation,
    out,
    general: true,
  });
}

/** dL/dx = conv2d(dy, w) with the same stride, padding and dilation: [N, Cin, H, W]. */
export function convTranspose2dBackwardInput(
  gpu: Gpu,
  dy: GpuTensor,
  w: GpuTensor,
  inputShape: readonly number[],
  options: ConvTranspose2dOptions & { out?: GpuTensor } = {},
): GpuTensor {
  const kernel = 'convTranspose2dBackwardInput';
  const g = convTransposeGeometry(kernel, inputShape, w.shape, options);
  expectShape(kernel, 'dy', dy.shape, [g.N, g.Cout, g.OH, g.OW], `the output of input ${formatShape(inputShape)} and weight ${formatShape(w.shape)}`);
  return conv2d(gpu, dy, w, { ...convOptions(g), out: options.out ?? gpu.empty(inputShape, kernel), general: true });
}

/** dL/dw[ci, co, kh, kw] = Σ x[n, ci, ih, iw] dy[n, co, ih sh - ph + kh dh, iw sw - pw + kw dw]: [Cin, Cout, KH, KW]. */
export function convTranspose2dBackwardWeight(
  gpu: Gpu,
  x: GpuTensor,
  dy: GpuTensor,
  weightShape: readonly number[],
  options: ConvTranspose2dOptions & { out?: GpuTensor } = {},
): GpuTensor {
  const kernel = 'convTranspose2dBackwardWeight';
  const g = convTransposeGeometry(kernel, x.shape, weightShape, options);
  expectShape(kernel, 'dy', dy.shape, [g.N, g.Cout, g.OH, g.OW], `the output of x ${formatShape(x.shape)} and weight ${formatShape(weightShape)}`);
  return conv2dBackwardWeight(gpu, dy, x, weightShape, { ...convOptions(g), out: options.out, general: true });
}

/** dL/dbias = Σ dy over N, OH, OW: [Cout]. */
export function convTranspose2dBackwardBias(gpu: Gpu, dy: GpuTensor, out?: GpuTensor): GpuTensor {
  return conv2dBackwardBias(gpu, dy, out);
}
