/**
 * conv2d and convTranspose2d with PyTorch's argument meanings (NCHW; conv weight [Cout, Cin/groups, KH, KW],
 * transposed-conv weight [Cin, Cout, KH, KW]). padding: a number, [vertical, horizontal], or
 * [left, right, top, bottom] (EfficientNet's asymmetric "static same" pads).
 * A transposed convolution is the input-gradient of the convolution with the same weight, and vice versa.
 */
import { conv2d as conv2dKernel, conv2dBackwardBias, conv2dBackwardInput, conv2dBackwardWeight, dims4, formatShape, type Conv2dOptions } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

export interface ConvOptions extends Conv2dOptions {}

const conv2dOp: Op<ConvOptions> = {
  name: 'conv2d',
  forward: (gpu, [x, w, b], options) => ({
    output: conv2dKernel(gpu, x!.data, w!.data, { ...options, bias: b?.data }),
    saved: [x!.detach(), w!.detach()],
  }),
  // y = x ⋆ w + b  ⇒  dx = dy ⋆ᵀ w (transposed convolution), dw = Σ_{n,oh,ow} dy·x (correlation), db = Σ dy
  backward: ({ gpu, saved: [x, w], attributes, needsGrad }, dy) => [
    needsGrad[0] ? Tensor.adopt(gpu, conv2dBackwardInput(gpu, dy.data, w!.data, x!.shape, attributes)) : undefined,
    needsGrad[1] ? Tensor.adopt(gpu, conv2dBackwardWeight(gpu, x!.data, dy.data, w!.shape, attributes)) : undefined,
    needsGrad[2] ? Tensor.adopt(gpu, conv2dBackwardBias(gpu, dy.data)) : undefined,
  ],
};

interface TransposeAttributes extends ConvOptions {
  outputShape: number[];
}

const convTranspose2dOp: Op<TransposeAttributes> = {
  name: 'convTranspose2d',
  forward: (gpu, [x, w, b], { outputShape, ...options }) => ({
    output: conv2dBackwardInput(gpu, x!.data, w!.data, outputShape, { ...options, bias: b?.data }),
    saved: [x!.detach(), w!.detach()],
  }),
  // y = x ⋆ᵀ w + b  ⇒  dx = dy ⋆ w (the strided convolution), dw = correlation of dy (as input) with x, db = Σ dy
  backward: ({ gpu, saved: [x, w], attributes: { outputShape, ...options }, needsGrad }, dy) => [
    needsGrad[0] ? Tensor.adopt(gpu, conv2dKernel(gpu, dy.data, w!.data, options)) : undefined,
    needsGrad[1] ? Tensor.adopt(gpu, conv2dBackwardWeight(gpu, dy.data, x!.data, w!.shape, options)) : undefined,
    needsGrad[2] ? Tensor.adopt(gpu, conv2dBackwardBias(gpu, dy.data)) : undefined,
  ],
};

/** PyTorch `F.conv2d(x, w, b, stride, padding, dilation, groups)`. */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor, options: ConvOptions = {}): Tensor {
  return apply(conv2dOp, b ? [x, w, b] : [x, w], options);
}

/** PyTorch `F.conv_transpose2d(x, w, b, stride, padding)` (output_padding 0, groups 1, dilation 1). */
export function convTranspose2d(
  x: Tensor,
  w: Tensor,
  b?: Tensor,
  options: { stride?: number; padding?: number } = {},
): Tensor {
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 0;
  if (x.shape.length !== 4 || w.shape.length !== 4) {
    throw new Error(`convTranspose2d: expects x [N, Cin, H, W] and w [Cin, Cout, KH, KW], got ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
  }
  const [n, cin, h, width] = dims4(x.shape);
  const [wIn, cout, kh, kw] = dims4(w.shape);
  if (wIn !== cin) throw new Error(`convTranspose2d: x has ${cin} channels but w ${formatShape(w.shape)} expects ${wIn}`);
  const outputShape = [n, cout, (h - 1) * stride - 2 * padding + kh, (width - 1) * stride - 2 * padding + kw];
  if (outputShape[2]! < 1 || outputShape[3]! < 1) {
    throw new Error(`convTranspose2d: output ${formatShape(outputShape)} is empty for x ${formatShape(x.shape)}`);
  }
  return apply(convTranspose2dOp, b ? [x, w, b] : [x, w], { stride, padding, outputShape });
}
