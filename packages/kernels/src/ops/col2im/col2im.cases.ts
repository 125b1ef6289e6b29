import type { FlatVariant } from '../../runtime/flat.js';
import { assertClose, defineCases, expectError, poisoned, poisonedWindow, randomArray } from '../../testing/index.js';
import { IM2COL_SPECS } from '../im2col/im2col.cases.js';
import { im2colGeometry, im2colShape } from '../im2col/im2col.js';
import { im2colReference } from '../im2col/im2col.reference.js';
import { col2im } from './col2im.js';
import { col2imReference } from './col2im.reference.js';

const numel = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
};

export const col2imCases = defineCases('col2im', {
  ...Object.fromEntries(
    (['auto', 'scalar', 'vec4'] as FlatVariant[]).map((variant) => [
      `${variant} layout: x equals the float64 reference (odd sizes, strides 1 and 2, padding, dilation), into a window`,
      async ({ gpu, random }) => {
        for (const spec of IM2COL_SPECS) {
          if (variant === 'vec4' && spec.x[3] % 4 !== 0) continue;
          const shape = im2colShape(im2colGeometry('test', spec.x, spec.k, spec));
          const data = randomArray(random, numel(shape));
          const cols = gpu.upload(data, shape);
          const expected = col2imReference(data, spec.x, spec.k, spec);
          const label = `${variant} ${JSON.stringify(spec)}`;
          const x = poisonedWindow(gpu, spec.x);
          col2im(gpu, cols, spec.x, spec.k, { ...spec, out: x.view, variant });
          assertClose(await gpu.read(x.view), expected, 'forward', label);
          await x.assertOutsideUntouched(label);
          assertClose(await gpu.read(col2im(gpu, cols, spec.x, spec.k, { ...spec, variant })), expected, 'forward', `${label} fresh`);
        }
      },
    ]),
  ),
  'the references are adjoint: <im2col(x), c> = <x, col2im(c)>': async ({ random }) => {
    for (const spec of IM2COL_SPECS) {
      const shape = im2colShape(im2colGeometry('test', spec.x, spec.k, spec));
      const x = randomArray(random, numel(spec.x));
      const c = randomArray(random, numel(shape));
      const left = dot(im2colReference(x, spec.x, spec.k, spec), c);
      const right = dot(x, col2imReference(c, spec.x, spec.k, spec));
      if (Math.abs(left - right) > 1e-9 * Math.max(1, Math.abs(left))) throw new Error(`${JSON.stringify(spec)}: ${left} != ${right}`);
    }
  },
  'rejects cols of the wrong shape, a wrong output, aliasing and vec4 with W % 4 != 0': async ({ gpu }) => {
    const cols = gpu.upload(new Float32Array(2 * 27 * 35).fill(1), [2, 27, 35]);
    await expectError(() => col2im(gpu, cols, [2, 3, 7, 8], [3, 3]), ['col2im', 'cols', '[2, 27, 35]', '[2, 27, 30]']);
    await expectError(() => col2im(gpu, cols, [2, 3, 7, 9], [3, 3], { out: poisoned(gpu, [2, 3, 7, 8]) }), ['col2im', 'output', '[2, 3, 7, 9]']);
    await expectError(() => col2im(gpu, cols, [2, 3, 7, 9], [3, 3], { out: { ...cols, shape: [2, 3, 7, 9] } }), ['col2im', 'alias']);
    await expectError(() => col2im(gpu, cols, [2, 3, 7, 9], [3, 3], { variant: 'vec4' }), ['col2im', 'vec4', 'W = 9']);
  },
});
