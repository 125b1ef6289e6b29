import { type Conv2dOptions } from '@ulseg/kernels';
import { concatReference, conv2dBackwardInputReference, conv2dReference } from '@ulseg/kernels/reference';
import { assertClose, defineCases, randomArray } from '@ulseg/kernels/testing';
import { gradcheck } from '../test/gradcheck.js';
import { F, noGrad, Tensor, trace } from './index.js';

const convCase = (xShape: number[], wShape: number[], options: Conv2dOptions, bias: boolean) =>
  async ({ gpu, random }: { gpu: Tensor['gpu']; random: import('@ulseg/kernels/testing').Random }) => {
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

/** conv2d(cat([a, b], 1), w, bias) in float64. */
const concatConvReference = (shapes: number[][], options: Conv2dOptions) => ([a, b, w, bias]: Float64Array[]) => {
  const whole = [shapes[0]![0]!, shapes[0]![1]! + shapes[1]![1]!, shapes[0]![2]!, shapes[0]![3]!];
  return conv2dReference(concatReference([a!, b!], shapes.slice(0, 2), 1), whole, w!, shapes[2]!, { ...options, bias }).data;
};

export const convolutionCases = defineCases('autograd-conv', {
  "conv2d of a channel cat (Unet's decoder) reads the two parts in place: op conv2dConcat, gradients of a, b, w and bias": async ({ gpu, random }) => {
    for (const [shapes, options] of [
      [[[2, 3, 5, 7], [2, 4, 5, 7], [5, 7, 3, 3], [5]], { padding: 1 }],
      [[[1, 2, 6, 5], [1, 1, 6, 5], [3, 3, 3, 3], [3]], { stride: 2, padding: [0, 1, 0, 1] }],
    ] as [number[][], Conv2dOptions][]) {
      let op: string | undefined;
      await gradcheck(
        gpu,
        random,
        {
          shapes,
          forward: ([a, b, w, bias]) => {
            const y = F.conv2d(F.cat([a!, b!], 1), w!, bias, options);
            op = y.node?.op;
            return y;
          },
          reference: concatConvReference(shapes, options),
        },
        `conv2d(cat) ${JSON.stringify(shapes)} ${JSON.stringify(options)}`,
      );
      const expected = gpu.deviceProfile.concatConv ? 'conv2dConcat' : 'conv2d';
      if (op !== expected) throw new Error(`conv2d(cat(a, b)) recorded op '${op}', expected '${expected}' (profile concatConv ${gpu.deviceProfile.concatConv})`);
    }
  },
  'a deferred cat: copied for any other reader, read in place by an unrecorded conv2d, traced as cat then conv2d': async ({ gpu, random }) => {
    const shapes = [[2, 3, 4, 5], [2, 2, 4, 5], [4, 5, 3, 3]];
    const [a, b, w] = shapes.map((shape) => randomArray(random, shape.reduce((p, s) => p * s, 1)));
    const [ta, tb, tw] = [a, b, w].map((data, k) => Tensor.fromArray(gpu, data!, shapes[k]!));
    const joined = F.cat([ta!, tb!], 1);
    const y = noGrad(() => F.conv2d(joined, tw!, undefined, { padding: 1 }));
    assertClose(await y.toArray(), concatConvReference(shapes, { padding: 1 })([a, b, w].map((v) => Float64Array.from(v!))), 'forward', 'conv2d(cat) under noGrad');
    if (!joined.deferredConcat && gpu.deviceProfile.concatConv) throw new Error('the cat was computed although only conv2d read it');
    // The parts may go: the cat holds their data.
    ta!.dispose();
    tb!.dispose();
    const relu = F.relu(joined);
    const both = concatReference([a!, b!], shapes.slice(0, 2), 1).map((v) => Math.max(v, 0));
    assertClose(await relu.toArray(), both, 'exact', 'relu(cat) computes the cat');
    if (joined.deferredConcat) throw new Error('the cat is still deferred after a reader took its data');
    const traced = trace([Tensor.fromArray(gpu, a!, shapes[0]!), Tensor.fromArray(gpu, b!, shapes[1]!)], [['w', tw!]], (p, q) => F.conv2d(F.cat([p!, q!], 1), tw!, undefined, { padding: 1 }));
    const ops = traced.ops.map((op) => op.op).join(', ');
    traced.dispose();
    if (ops !== 'cat, conv2d') throw new Error(`trace of conv2d(cat) recorded ${ops}, expected 'cat, conv2d'`);
  },
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
