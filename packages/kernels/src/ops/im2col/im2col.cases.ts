import type { FlatVariant } from '../../runtime/flat.js';
import { assertClose, defineCases, expectError, poisoned, poisonedWindow, randomArray } from '../../testing/index.js';
import type { Conv2dOptions } from '../conv2d/conv2d-geometry.js';
import { im2col, im2colGeometry, im2colShape } from './im2col.js';
import { im2colReference } from './im2col.reference.js';

export interface Im2colSpec extends Omit<Conv2dOptions, 'groups'> {
  x: [number, number, number, number];
  k: [number, number];
}

/** Odd sizes, OH·OW with and without a factor 4 (vec4 and scalar layouts), strides 1 and 2, padding, dilation. */
export const IM2COL_SPECS: Im2colSpec[] = [
  { x: [2, 3, 7, 9], k: [3, 3], padding: 1 },
  { x: [2, 3, 7, 9], k: [3, 3], padding: [0, 1, 0, 1], stride: 2 },
  { x: [1, 5, 8, 8], k: [3, 3], padding: 1 },
  { x: [3, 2, 6, 5], k: [3, 3], padding: [1, 2, 1, 2], stride: 2 },
  { x: [2, 4, 9, 7], k: [3, 3], padding: 2, dilation: 2 },
  { x: [1, 3, 8, 12], k: [5, 3], padding: [1, 0], stride: [1, 2], dilation: [1, 2] },
  { x: [2, 2, 5, 5], k: [3, 3] },
];

const numel = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

export const im2colCases = defineCases('im2col', {
  ...Object.fromEntries(
    (['auto', 'scalar', 'vec4'] as FlatVariant[]).map((variant) => [
      `${variant} layout: cols equal the float64 reference exactly (odd sizes, strides 1 and 2, padding, dilation), into a window`,
      async ({ gpu, random }) => {
        for (const spec of IM2COL_SPECS) {
          const g = im2colGeometry('test', spec.x, spec.k, spec);
          if (variant === 'vec4' && (g.OH * g.OW) % 4 !== 0) continue;
          const data = randomArray(random, numel(spec.x));
          const x = gpu.upload(data, spec.x);
          const expected = im2colReference(data, spec.x, spec.k, spec);
          const label = `${variant} ${JSON.stringify(spec)}`;
          const y = poisonedWindow(gpu, im2colShape(g));
          im2col(gpu, x, spec.k, { ...spec, out: y.view, variant });
          assertClose(await gpu.read(y.view), expected, 'exact', label);
          await y.assertOutsideUntouched(label);
          assertClose(await gpu.read(im2col(gpu, x, spec.k, { ...spec, variant })), expected, 'exact', `${label} fresh`);
        }
      },
    ]),
  ),
  'rejects a wrong output shape, aliasing, vec4 with OH·OW % 4 != 0 and an empty output': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(2 * 3 * 7 * 9).fill(1), [2, 3, 7, 9]);
    await expectError(() => im2col(gpu, x, [3, 3], { out: poisoned(gpu, [2, 27, 36]) }), ['im2col', 'output', '[2, 27, 35]']);
    await expectError(() => im2col(gpu, x, [3, 3], { out: { ...x, shape: [2, 27, 35] } }), ['im2col', 'alias']);
    await expectError(() => im2col(gpu, x, [3, 3], { variant: 'vec4' }), ['im2col', 'vec4', '5 x 7']);
    await expectError(() => im2col(gpu, x, [9, 3]), ['im2col', 'empty']);
  },
});
