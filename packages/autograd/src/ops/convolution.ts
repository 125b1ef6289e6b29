/**
 * conv2d and convTranspose2d with PyTorch's argument meanings (NCHW; conv weight [Cout, Cin/groups, KH, KW],
 * transposed-conv weight [Cin, Cout, KH, KW]). padding: a number, [vertical, horizontal], or
 * [left, right, top, bottom] (EfficientNet's asymmetric "static same" pads).
 * A transposed convolution is the input-gradient of the convolution with the same weight, and vice versa.
 * conv2d of a deferred channel cat of a and b (ops/shape.ts) reads a and b in place where the device profile has the
 * two-input kernels take that convolution (concatConvInPlace): recorded as one op `conv2dConcat` on [a, b, w, bias]
 * whose backward writes da and db directly; unrecorded (inference, traces) as the `conv2d` op on the cat, so a trace
 * still sees cat then conv2d.
 */
import {
  concatConvInPlace,
  conv2d as conv2dKernel,
  conv2dBackwardBias,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dConcat,
  conv2dConcatBackwardInput,
  conv2dConcatBackwardWeight,
  dims4,
  formatShape,
  type Conv2dOptions,
  type GpuTensor,
} from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { recordsGrad, Tensor } from '../tensor.js';

export interface ConvOptions extends Conv2dOptions {}

type Pair = readonly [Tensor, Tensor];

/**
 * When x is a deferred cat(a, b) along channels that conv2d with weight w reads in place on this device: the cat's
 * inputs (`sources`, for the graph) and handles on their data (`parts`).
 */
export function inPlaceConcat(x: Tensor, w: Tensor, options: ConvOptions): { sources: Pair; parts: Pair } | undefined {
  const recipe = x.deferredConcat;
  if (!recipe || recipe.dim !== 1) return undefined;
  const [a, b, extra] = recipe.parts;
  const [sourceA, sourceB] = recipe.sources;
  if (!a || !b || extra || !sourceA || !sourceB) return undefined;
  // A view of the cat with another shape reads it as a flat copy.
  if (x.shape.length !== 4 || a.shape[1]! + b.shape[1]! !== x.shape[1] || x.shape.some((size, axis) => axis !== 1 && size !== a.shape[axis])) return undefined;
  if (!concatConvInPlace(x.gpu, [a.shape, b.shape], w.shape, options)) return undefined;
  return { sources: [sourceA, sourceB], parts: [a, b] };
}

/** conv2d(x, w) with the epilogue, reading x's parts in place when inPlaceConcat allows. */
export function convolveMaybeConcat(x: Tensor, w: Tensor, options: Parameters<typeof conv2dKernel>[3] = {}): GpuTensor {
  const concatenation = inPlaceConcat(x, w, options);
  if (!concatenation) return conv2dKernel(x.gpu, x.data, w.data, options);
  const [a, b] = concatenation.parts;
  return conv2dConcat(x.gpu, [a.data, b.data], w.data, options);
}

const conv2dOp: Op<[x: Tensor, w: Tensor] | [x: Tensor, w: Tensor, b: Tensor], ConvOptions, [Tensor, Tensor]> = {
  name: 'conv2d',
  forward: (_, [x, w, b], options) => ({
    output: convolveMaybeConcat(x, w, { ...options, bias: b?.data }),
    saved: [x.detach(), w.detach()],
  }),
  // y = x ⋆ w + b  ⇒  dx = dy ⋆ᵀ w (transposed convolution), dw = Σ_{n,oh,ow} dy·x (correlation), db = Σ dy
  backward: ({ gpu, saved: [x, w], attributes, needsGrad }, dy) => [
    needsGrad[0] ? Tensor.adopt(gpu, conv2dBackwardInput(gpu, dy.data, w.data, x.shape, attributes)) : undefined,
    needsGrad[1] ? Tensor.adopt(gpu, conv2dBackwardWeight(gpu, x.data, dy.data, w.shape, attributes)) : undefined,
    needsGrad[2] ? Tensor.adopt(gpu, conv2dBackwardBias(gpu, dy.data)) : undefined,
  ],
};

/** Inputs [a, b, w, bias?] (the cat's sources); `parts` reads their data, which the cat holds even if they are disposed. */
interface ConcatAttributes {
  readonly options: ConvOptions;
  readonly parts: Pair;
}

const conv2dConcatOp: Op<[a: Tensor, b: Tensor, w: Tensor] | [a: Tensor, b: Tensor, w: Tensor, bias: Tensor], ConcatAttributes, [Tensor, Tensor, Tensor]> = {
  name: 'conv2dConcat',
  forward: (gpu, [, , w, bias], { options, parts: [a, b] }) => ({
    output: conv2dConcat(gpu, [a.data, b.data], w.data, { ...options, bias: bias?.data }),
    saved: [a.detach(), b.detach(), w.detach()],
  }),
  // y = cat(a, b) ⋆ w + bias  ⇒  [da, db] = dy ⋆ᵀ w split at a's channels, dw = Σ_{n,oh,ow} dy·cat(a, b), dbias = Σ dy
  backward: ({ gpu, saved: [a, b, w], attributes: { options }, needsGrad }, dy) => {
    const inputs = needsGrad[0] || needsGrad[1] ? conv2dConcatBackwardInput(gpu, dy.data, w.data, [a.shape, b.shape], options) : undefined;
    const grads = [a, b].map((_, k) => {
      if (!inputs) return undefined;
      if (needsGrad[k]) return Tensor.adopt(gpu, inputs[k]!);
      gpu.release(inputs[k]!);
      return undefined;
    });
    return [
      ...grads,
      needsGrad[2] ? Tensor.adopt(gpu, conv2dConcatBackwardWeight(gpu, [a.data, b.data], dy.data, w.shape, options)) : undefined,
      needsGrad[3] ? Tensor.adopt(gpu, conv2dBackwardBias(gpu, dy.data)) : undefined,
    ];
  },
};

interface TransposeAttributes extends ConvOptions {
  outputShape: number[];
}

const convTranspose2dOp: Op<[x: Tensor, w: Tensor] | [x: Tensor, w: Tensor, b: Tensor], TransposeAttributes, [Tensor, Tensor]> = {
  name: 'convTranspose2d',
  forward: (gpu, [x, w, b], { outputShape, ...options }) => ({
    output: conv2dBackwardInput(gpu, x.data, w.data, outputShape, { ...options, bias: b?.data }),
    saved: [x.detach(), w.detach()],
  }),
  // y = x ⋆ᵀ w + b  ⇒  dx = dy ⋆ w (the strided convolution), dw = correlation of dy (as input) with x, db = Σ dy
  backward: ({ gpu, saved: [x, w], attributes: { outputShape, ...options }, needsGrad }, dy) => [
    needsGrad[0] ? Tensor.adopt(gpu, conv2dKernel(gpu, dy.data, w.data, options)) : undefined,
    needsGrad[1] ? Tensor.adopt(gpu, conv2dBackwardWeight(gpu, dy.data, x.data, w.shape, options)) : undefined,
    needsGrad[2] ? Tensor.adopt(gpu, conv2dBackwardBias(gpu, dy.data)) : undefined,
  ],
};

/** PyTorch `F.conv2d(x, w, b, stride, padding, dilation, groups)`. */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor, options: ConvOptions = {}): Tensor {
  const concatenation = recordsGrad([x, w, b]) ? inPlaceConcat(x, w, options) : undefined;
  if (concatenation) {
    const { sources, parts } = concatenation;
    return apply(conv2dConcatOp, b ? [...sources, w, b] : [...sources, w], { options, parts });
  }
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
