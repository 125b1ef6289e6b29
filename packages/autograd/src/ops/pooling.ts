/** Pooling: max and adaptive average pooling with PyTorch's window semantics (docs/ORIGINAL.md §9). */
import {
  adaptiveAvgPool2d as adaptiveAvgPool2dKernel,
  adaptiveAvgPool2dBackward,
  formatShape,
  globalAvgPool2d,
  globalAvgPool2dBackward,
  maxPool2d as maxPool2dKernel,
  maxPool2dBackward,
  type MaxPool2dOptions,
  type Pair,
} from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

interface MaxPoolAttributes {
  kernelSize: Pair;
  options: MaxPool2dOptions;
}

const maxPoolOp: Op<[Tensor], MaxPoolAttributes, [indices: Tensor]> = {
  name: 'maxPool2d',
  forward: (gpu, [x], { kernelSize, options }) => {
    const { y, indices } = maxPool2dKernel(gpu, x.data, kernelSize, options);
    return { output: y, saved: [Tensor.adopt(gpu, indices)] };
  },
  // y[o] = x[index[o]]  ⇒  dx[i] = Σ_{o : index[o] = i} dy[o]
  backward: ({ gpu, inputs: [x], saved: [indices], attributes: { kernelSize, options } }, dy) => [
    Tensor.adopt(gpu, maxPool2dBackward(gpu, dy.data, indices.data, x.shape, kernelSize, options)),
  ],
};

export interface MaxPool2dArguments {
  /** Default: kernelSize. */
  stride?: Pair;
  /** −∞ padding, at most half the kernel. Default 0. */
  padding?: Pair;
  /** Only 1 (PyTorch's default) is implemented. */
  dilation?: Pair;
  /** Only false (PyTorch's default) is implemented. */
  ceilMode?: boolean;
}

/**
 * PyTorch `F.max_pool2d(x, kernel_size, stride=kernel_size, padding=0)` on [N, C, H, W]: padding acts as −∞, floor
 * mode; the gradient goes to the first maximum of each window in row-major order.
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPool2dArguments = {}): Tensor {
  if (x.shape.length !== 4) throw new Error(`maxPool2d: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  const dilation = options.dilation ?? 1;
  if (!(dilation === 1 || (typeof dilation !== 'number' && dilation[0] === 1 && dilation[1] === 1)) || options.ceilMode) {
    throw new Error(`maxPool2d: only dilation 1 and ceilMode false are implemented, got dilation ${JSON.stringify(dilation)}, ceilMode ${options.ceilMode}`);
  }
  return apply(maxPoolOp, [x], { kernelSize, options: { stride: options.stride, padding: options.padding } });
}

const globalAvgPoolOp: Op<[Tensor]> = {
  name: 'adaptiveAvgPool2d',
  forward: (gpu, [x]) => {
    const [n, c] = x.shape;
    const pooled = globalAvgPool2d(gpu, x.data);
    return { output: { buffer: pooled.buffer, shape: [n!, c!, 1, 1] } };
  },
  // y[n,c] = Σ_hw x / (H·W)  ⇒  dx = dy[n,c] / (H·W)
  backward: ({ gpu, inputs: [x] }, dy) => [
    Tensor.adopt(gpu, globalAvgPool2dBackward(gpu, { buffer: dy.data.buffer, offset: dy.data.offset, shape: [x.shape[0]!, x.shape[1]!] }, x.shape)),
  ],
};

const adaptiveAvgPoolOp: Op<[Tensor], [number, number]> = {
  name: 'adaptiveAvgPool2d',
  forward: (gpu, [x], size) => ({ output: adaptiveAvgPool2dKernel(gpu, x.data, size) }),
  // y[k, l] = mean of x over window (k, l)  ⇒  dx[i, j] = Σ_{windows ∋ (i, j)} dy[k, l] / |window|
  backward: ({ gpu, inputs: [x] }, dy) => [Tensor.adopt(gpu, adaptiveAvgPool2dBackward(gpu, dy.data, x.shape))],
};

/**
 * PyTorch `F.adaptive_avg_pool2d(x, output_size)` on [N, C, H, W]: window k of an n-long axis pooled to o averages
 * [⌊k·n/o⌋, ⌈(k+1)·n/o⌉) (windows overlap when o does not divide n). Size 1 is the global mean (its own kernel).
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number, number] = 1): Tensor {
  if (x.shape.length !== 4) throw new Error(`adaptiveAvgPool2d: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  const size: [number, number] = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0], outputSize[1]];
  if (size[0] === 1 && size[1] === 1) return apply(globalAvgPoolOp, [x], undefined);
  return apply(adaptiveAvgPoolOp, [x], size);
}
