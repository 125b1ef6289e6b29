/** The autograd ops and nn modules the original's other networks need (docs/ORIGINAL.md §9), against float64. */
import { adaptiveAvgPool2dReference, dropoutReference, groupNormReference, alignedBilinearReference, concatReference, maxPool2dReference, upsampleNearestReference } from '@ulseg/kernels/reference';
import { Random } from '@ulseg/kernels/testing';
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
  'adaptiveAvgPool2d to 1, 2, 3, 6 (PSPNet) and odd sizes: values and gradients; nn.AdaptiveAvgPool2d': async ({ gpu, random }) => {
    for (const [shape, size] of [
      [[2, 3, 8, 12], 1],
      [[2, 3, 8, 12], 2],
      [[1, 2, 8, 12], 3],
      [[1, 2, 8, 12], 6],
      [[1, 2, 7, 5], [3, 4]],
    ] as const) {
      const [oh, ow] = typeof size === 'number' ? [size, size] : size;
      await gradcheck(
        gpu,
        random,
        { shapes: [shape], forward: ([x]) => F.adaptiveAvgPool2d(x!, size), reference: ([x]) => adaptiveAvgPool2dReference(x!, shape, oh, ow) },
        `adaptiveAvgPool2d ${shape} -> ${size}`,
      );
    }
    const data = randomArray(random, 2 * 3 * 8 * 12);
    const y = new nn.AdaptiveAvgPool2d(3).forward(Tensor.fromArray(gpu, data, [2, 3, 8, 12]));
    assertClose(await y.toArray(), adaptiveAvgPool2dReference(data, [2, 3, 8, 12], 3, 3), 'reduction', 'nn.AdaptiveAvgPool2d(3)');
  },
  'groupNorm (FPN 32 groups, odd groups): gradients of x, γ, β against finite differences; nn.GroupNorm parameters': async ({ gpu, random }) => {
    for (const [shape, groups] of [
      [[2, 6, 3, 5], 3],
      [[1, 64, 3, 3], 32],
    ] as const) {
      const c = shape[1];
      await gradcheck(
        gpu,
        random,
        {
          shapes: [shape, [c], [c]],
          forward: ([x, weight, bias]) => F.groupNorm(x!, groups, weight, bias),
          reference: ([x, weight, bias]) => groupNormReference(x!, shape, groups, weight!, bias!, 1e-5).y,
          ranges: [{}, { low: 0.5, high: 1.5 }, {}],
        },
        `groupNorm ${shape} G${groups}`,
      );
    }
    const norm = new nn.GroupNorm(new nn.InitContext(gpu, random), 32, 128);
    const names = [...norm.namedParameters()].map(([name, t]) => `${name}${JSON.stringify(t.shape)}`);
    if (names.join(' ') !== 'weight[128] bias[128]') throw new Error(`nn.GroupNorm parameters: ${names.join(' ')}`);
    const data = randomArray(random, 2 * 128 * 2 * 3);
    const y = norm.forward(Tensor.fromArray(gpu, data, [2, 128, 2, 3]));
    assertClose(await y.toArray(), groupNormReference(data, [2, 128, 2, 3], 32, new Float32Array(128).fill(1), new Float32Array(128), 1e-5).y, 'reduction', 'nn.GroupNorm(32, 128)');
  },
  'dropout and dropout2d: seeded masks and gradients; nn.Dropout/Dropout2d draw a seed per training forward and are the identity in eval': async ({ gpu, random }) => {
    const shape = [2, 5, 3, 7];
    await gradcheck(
      gpu,
      random,
      { shapes: [shape], forward: ([x]) => F.dropout(x!, 0.3, true, 42), reference: ([x]) => dropoutReference(x!, shape, 0.3, 42, 'element') },
      'dropout p=0.3',
    );
    await gradcheck(
      gpu,
      random,
      { shapes: [shape], forward: ([x]) => F.dropout2d(x!, 0.5, true, 43), reference: ([x]) => dropoutReference(x!, shape, 0.5, 43, 'channel') },
      'dropout2d p=0.5',
    );
    const data = randomArray(random, 2 * 5 * 3 * 7);
    const x = Tensor.fromArray(gpu, data, shape);
    const module = new nn.Dropout2d(new nn.InitContext(gpu, new Random(9)), 0.2);
    const expectedSeed = new Random(9).nextUint32();
    assertClose(await module.forward(x).toArray(), dropoutReference(data, shape, 0.2, expectedSeed, 'channel'), 'elementwise', 'nn.Dropout2d training');
    module.training = false;
    if (module.forward(x) !== x) throw new Error('nn.Dropout2d in eval mode should return its input');
    const zero = await F.dropout(x, 1, true).toArray();
    if (zero.some((v) => v !== 0)) throw new Error('dropout with p = 1 should give zeros');
    await expectError(() => F.dropout(x, 0.5, true), ['dropout', 'seed']);
  },
});
