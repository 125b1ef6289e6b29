import { bilinearReference, flipReference } from '@ulseg/kernels';
import { defineCases } from '@ulseg/kernels/testing';
import { gradcheck } from '../test/gradcheck.js';
import { F } from './index.js';

export const resamplingCases = defineCases('autograd-resampling', {
  'interpolate (bilinear, align_corners=False) up and down, against finite differences': async ({ gpu, random }) => {
    for (const [shape, size] of [[[2, 3, 5, 7], [9, 4]], [[1, 2, 8, 6], [3, 11]]] as const) {
      await gradcheck(
        gpu,
        random,
        { shapes: [shape], forward: ([x]) => F.interpolate(x!, size), reference: ([x]) => bilinearReference(x!, shape, size[0], size[1]) },
        `interpolate ${shape} → ${size}`,
      );
    }
  },
  'hflip, vflip and rot180 route gradients back through the same flip': async ({ gpu, random }) => {
    const shape = [2, 3, 5, 4];
    for (const [kind, horizontal, vertical] of [['hflip', true, false], ['vflip', false, true], ['rot180', true, true]] as const) {
      await gradcheck(
        gpu,
        random,
        { shapes: [shape], forward: ([x]) => F.flip(x!, kind), reference: ([x]) => flipReference(x!, shape, horizontal, vertical) },
        kind,
      );
    }
  },
});
