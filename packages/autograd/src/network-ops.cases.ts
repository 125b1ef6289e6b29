/** The autograd ops and nn modules the original's other networks need (docs/ORIGINAL.md §9), against float64. */
import { alignedBilinearReference, concatReference, maxPool2dReference, upsampleNearestReference } from '@ulseg/kernels';
import { assertClose, defineCases, expectError, randomArray } from '@ulseg/kernels/testing';
import { gradcheck } from '../test/gradcheck.js';
import { F, nn, Tensor } from './index.js';

export const networkOpCases = defineCases('autograd-network-ops', {
  'maxPool2d 3x3 s2 p1 and 2x2: values and gradients against finite differences; nn.MaxPool2d': async ({ gpu, random }) => {
    for (const [shape, kernel, options] of [
      [[2, 3, 9, 7], 3, { stride: 2, padding: 1 }],
      [[1, 2, 5, 9], 2, {}],
    ] as const) {
      await gradcheck(
        gpu,
        random,
        { shapes: [shape], forward: ([x]) => F.maxPool2d(x!, kernel, options), reference: ([x]) => maxPool2dReference(x!, shape, kernel, options).y },
        `maxPool2d ${shape} k${kernel}`,
      );
    }
    const data = randomArray(random, 2 * 3 * 8 * 8);
    const module = new nn.MaxPool2d(2);
    const y = module.forward(Tensor.fromArray(gpu, data, [2, 3, 8, 8]));
    assertClose(await y.toArray(), maxPool2dReference(data, [2, 3, 8, 8], 2, { stride: 2 }).y, 'exact', 'nn.MaxPool2d(2): stride defaults to the kernel');
    await expectError(() => F.maxPool2d(Tensor.zeros(gpu, [1, 1, 4, 4]), 2, { ceilMode: true }), ['maxPool2d', 'ceilMode']);
  },
  'interpolate nearest (scale_factor 2 and odd sizes) and bilinear align_corners=True: values and gradients; nn.Upsample*': async ({ gpu, random }) => {
    await gradcheck(
      gpu,
      random,
      {
        shapes: [[2, 3, 3, 5]],
        forward: ([x]) => F.interpolate(x!, { scaleFactor: 2 }),
        reference: ([x]) => upsampleNearestReference(x!, [2, 3, 3, 5], 6, 10, [2, 2]),
      },
      'nearest x2',
    );
    await gradcheck(
      gpu,
      random,
      {
        shapes: [[1, 2, 5, 7]],
        forward: ([x]) => F.interpolate(x!, { size: [3, 11] }),
        reference: ([x]) => upsampleNearestReference(x!, [1, 2, 5, 7], 3, 11),
      },
      'nearest 5x7 -> 3x11',
    );
    for (const [shape, options, size] of [
      [[2, 3, 2, 3], { scaleFactor: 4 }, [8, 12]],
      [[1, 2, 5, 4], { size: [2, 7] }, [2, 7]],
      [[2, 1, 1, 1], { size: [3, 5] }, [3, 5]],
    ] as const) {
      await gradcheck(
        gpu,
        random,
        {
          shapes: [shape],
          forward: ([x]) => F.interpolate(x!, { ...options, mode: 'bilinear', alignCorners: true }),
          reference: ([x]) => alignedBilinearReference(x!, shape, size[0], size[1]),
        },
        `bilinear aligned ${shape} -> ${size}`,
      );
    }
    const data = randomArray(random, 2 * 3 * 4 * 5);
    const x = Tensor.fromArray(gpu, data, [2, 3, 4, 5]);
    const bilinear = new nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(x);
    assertClose(await bilinear.toArray(), alignedBilinearReference(data, [2, 3, 4, 5], 8, 10), 'elementwise', 'nn.UpsamplingBilinear2d(scale 2)');
    const nearest = new nn.Upsample({ scaleFactor: 2 }).forward(x);
    assertClose(await nearest.toArray(), upsampleNearestReference(data, [2, 3, 4, 5], 8, 10, [2, 2]), 'exact', 'nn.Upsample(scale 2): nearest by default');
    await expectError(() => F.interpolate(x, { scaleFactor: 2, alignCorners: true }), ['interpolate', 'alignCorners', 'nearest']);
    await expectError(() => F.interpolate(x, { size: [2, 2], scaleFactor: 2 }), ['interpolate', 'exactly one']);
  },
  'cat along channels (2 and 5 inputs) and along the last axis: values and gradients (the backward splits dy)': async ({ gpu, random }) => {
    for (const [shapes, dim] of [
      [[[2, 3, 4, 5], [2, 2, 4, 5]], 1],
      [[[1, 2, 3, 3], [1, 2, 3, 3], [1, 2, 3, 3], [1, 2, 3, 3], [1, 3, 3, 3]], 1],
      [[[2, 3, 4, 2], [2, 3, 4, 3]], -1],
    ] as const) {
      const axis = dim < 0 ? dim + 4 : dim;
      await gradcheck(
        gpu,
        random,
        { shapes, forward: (xs) => F.cat(xs, dim), reference: (xs) => concatReference(xs, shapes, axis) },
        `cat ${shapes.length} inputs dim ${dim}`,
      );
    }
    await expectError(() => F.cat([Tensor.zeros(gpu, [1, 2, 3, 3]), Tensor.zeros(gpu, [1, 2, 4, 3])], 1), ['cat', '[1, 2, 4, 3]', 'dim 1']);
  },
});
