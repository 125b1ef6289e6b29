import type { FlatVariant } from '../../runtime/flat.js';
import { assertClose, defineCases, expectError, poisoned, poisonedWindow, randomArray } from '../../testing/index.js';
import { transpose01 } from './transpose.js';
import { transpose01Reference } from './transpose.reference.js';

/** [outer, middle, inner]: odd sizes, inner 1 and a multiple of 4 (the vec4 layout), a batch of gemm operands. */
const VIEWS: [number, number, number][] = [
  [3, 5, 7],
  [4, 1152, 4],
  [2, 3, 1],
  [5, 7, 12],
  [1, 9, 8],
  [7, 1, 3],
];

export const transposeCases = defineCases('transpose01', {
  ...Object.fromEntries(
    (['auto', 'scalar', 'vec4'] as FlatVariant[]).map((variant) => [
      `${variant} layout: y[b, a, i] = x[a, b, i] exactly on odd sizes, from and into offset views, outside untouched`,
      async ({ gpu, random }) => {
        for (const view of VIEWS) {
          if (variant === 'vec4' && view[2] % 4 !== 0) continue;
          const [outer, middle, inner] = view;
          const data = randomArray(random, outer * middle * inner);
          const x = poisonedWindow(gpu, [outer * middle * inner]);
          gpu.write(x.view, data);
          const y = poisonedWindow(gpu, [middle, outer, inner]);
          transpose01(gpu, x.view, view, { out: y.view, variant });
          assertClose(await gpu.read(y.view), transpose01Reference(data, outer, middle, inner), 'exact', `${variant} [${view}]`);
          await y.assertOutsideUntouched(`${variant} [${view}]`);
          const fresh = transpose01(gpu, gpu.upload(data, view), view, { variant });
          assertClose(await gpu.read(fresh), transpose01Reference(data, outer, middle, inner), 'exact', `${variant} [${view}] fresh`);
        }
      },
    ]),
  ),
  'rejects a view of another size, a wrong output shape, aliasing and vec4 with inner % 4 != 0': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(30).fill(1), [30]);
    await expectError(() => transpose01(gpu, x, [2, 3, 4]), ['transpose01', '[2, 3, 4]', '30']);
    await expectError(() => transpose01(gpu, x, [2, 3, 5], { out: poisoned(gpu, [2, 3, 5]) }), ['transpose01', 'output', '[3, 2, 5]']);
    await expectError(() => transpose01(gpu, x, [2, 3, 5], { out: { ...x, shape: [3, 2, 5] } }), ['transpose01', 'alias']);
    await expectError(() => transpose01(gpu, x, [2, 3, 5], { variant: 'vec4' }), ['transpose01', 'vec4', 'inner 5']);
  },
});
