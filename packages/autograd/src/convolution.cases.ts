import { conv2dBackwardInputReference, conv2dReference, type Conv2dOptions } from '@ulseg/kernels';
import { assertClose, defineCases, randomArray } from '@ulseg/kernels/testing';
import { gradcheck } from '../test/gradcheck.js';
import { F, Tensor } from './index.js';

const convCase = (xShape: number[], wShape: number[], options: Conv2dOptions, bias: boolean) =>
  async ({ gpu, random }: { gpu: Tensor['gpu']; random: import('@ulseg/kernels').Random }) => {
    const shapes = bias ? [xShape, wShape, [wShape[0]!]] : [xShape, wShape];
    await gradcheck(
      gpu,
      random,
      {
        shapes,
        forward: ([x, w, b]) => F.conv2d(x!, w!, b, options),
        reference: ([x, w, b]) => conv2dReference(x!, xShape, w!, wShape, { ...options, bias: b }).data,
      },
      `conv2d x ${xShape} w ${wShape} ${JSON.stringify(options)}`,
    );
  };

/** PyTorch's conv_transpose2d(x, w) as the adjoint of conv2d with the same weight: float64 reference. */
function convTransposeReference(x: Float64Array, xShape: number[], w: Float64Array, wShape: number[], b: Float64Array | undefined, stride: number, padding: number): Float64Array {
  const [n, , h, width] = xShape as [number, number, number, number];
  const [, cout, kh, kw] = wShape as [number, number, number, number];
  const outShape = [n, cout, (h - 1) * stride - 2 * padding + kh, (width - 1) * stride - 2 * padding + kw];
  const y = conv2dBackwardInputReference(x, w, outShape, wShape, { stride, padding });
  if (b) {
    const plane = outShape[2]! * outShape[3]!;
    for (let index = 0; index < y.length; index++) y[index] = y[index]! + b[Math.floor(index / plane) % cout]!;
  }
  return y;
}

export const convolutionCases = defineCases('autograd-conv', {
  '1x1 conv, N=2, 10→24 channels at 5x7, with bias': convCase([2, 10, 5, 7], [24, 10, 1, 1], {}, true),
  '3x3 stride 2 with static-same pad (0, 1, 0, 1)': convCase([2, 3, 9, 7], [5, 3, 3, 3], { stride: 2, padding: [0, 1, 0, 1] }, false),
  'depthwise 5x5 stride 2 with pad (1, 2, 1, 2)': convCase([2, 6, 11, 9], [6, 1, 5, 5], { stride: 2, padding: [1, 2, 1, 2], groups: 6 }, false),
  'depthwise 3x3 stride 1 pad 1, groups 1 < g < C, dilation 2': convCase([1, 4, 9, 8], [6, 2, 3, 3], { padding: 2, groups: 2, dilation: 2 }, true),
  'convTranspose2d 4x4 stride 2 padding 1 (Linknet), with bias': async ({ gpu, random }) => {
    const xShape = [2, 5, 3, 4];
    const wShape = [5, 3, 4, 4];
    await gradcheck(
      gpu,
      random,
      {
        shapes: [xShape, wShape, [3]],
        forward: ([x, w, b]) => F.convTranspose2d(x!, w!, b, { stride: 2, padding: 1 }),
        reference: ([x, w, b]) => convTransposeReference(x!, xShape, w!, wShape, b, 2, 1),
      },
      'convTranspose2d',
    );
    const x = Tensor.fromArray(gpu, randomArray(random, 2 * 5 * 3 * 4), xShape);
    const w = Tensor.fromArray(gpu, randomArray(random, 5 * 3 * 16), wShape);
    const y = F.convTranspose2d(x, w, undefined, { stride: 2, padding: 1 });
    if (y.shape.join() !== '2,3,6,8') throw new Error(`convTranspose2d output ${y.shape}, want 2,3,6,8`);
    assertClose(await y.toArray(), convTransposeReference(Float64Array.from(await x.toArray()), xShape, Float64Array.from(await w.toArray()), wShape, undefined, 2, 1), 'forward', 'convT forward');
  },
});
