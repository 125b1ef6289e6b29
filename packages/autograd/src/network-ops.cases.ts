/** The autograd ops and nn modules the original's other networks need (docs/ORIGINAL.md §9), against float64. */
import { maxPool2dReference } from '@ulseg/kernels';
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
});
