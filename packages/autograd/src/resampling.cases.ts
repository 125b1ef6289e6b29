import { bilinearReference, flipReference } from '@ulseg/kernels/reference';
import { defineCases } from '@ulseg/kernels/testing';
import { gradcheck } from '../test/gradcheck.js';
import { F } from './index.js';

export const resamplingCases = defineCases('autograd-resampling', {
  'interpolate (bilinear, align_corners=False) up and down, against finite differences': async ({ gpu, random }) => {
    for (const [shape, size] of [[[2, 3, 5, 7], [9, 4]], [[1, 2, 8, 6], [3, 11]]] as const) {
      await gradcheck(
        gpu,
        random,
        { shapes: [shape], forward: ([x]) => F.interpolate(x!, { size, mode: 'bilinear' }), reference: ([x]) => bilinearReference(x!, shape, size[0], size[1]) },
        `interpolate ${shape} → ${size}`,
      );
    }
  },
  'pad [left, right, top, bottom] with zeros, and its gradient (a crop)': async ({ gpu, random }) => {
    const shape = [2, 3, 4, 5];
    const [left, right, top, bottom] = [1, 2, 0, 3];
    await gradcheck(
      gpu,
      random,
      {
        shapes: [shape],
        forward: ([x]) => F.pad(x!, [left, right, top, bottom]),
        reference: ([x]) => {
          const [n, c, h, w] = shape as [number, number, number, number];
          const oh = h + top + bottom;
          const ow = w + left + right;
          const y = new Float64Array(n * c * oh * ow);
          for (let plane = 0; plane < n * c; plane++)
            for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) y[plane * oh * ow + (r + top) * ow + q + left] = x![plane * h * w + r * w + q]!;
          return y;
        },
      },
      'pad',
    );
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
