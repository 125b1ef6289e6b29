import {
  assertClose,
  defineCases,
  expectError,
  numericalGradient,
  poisoned,
  poisonedWindow,
  randomArray,
  uploadWindow,
  weightedSum,
} from '../../testing/index.js';
import type { FlatVariant } from '../../runtime/flat.js';
import { numel } from '../../runtime/tensor.js';
import { channelScale, channelScaleBackward, globalAvgPool2d, globalAvgPool2dBackward } from './squeeze-excitation.js';
import {
  channelScaleBackwardReference,
  channelScaleReference,
  globalAvgPool2dBackwardReference,
  globalAvgPool2dReference,
} from './squeeze-excitation.reference.js';

const TINY = [2, 3, 3, 4];
/** Both row reductions forced, then the adapter's default. */
const REDUCTIONS = ['workgroup', 'lane', undefined] as const;

export const squeezeExcitationCases = defineCases('squeeze-excitation', {
  'globalAvgPool2d matches float64 on [3, 5, 7, 9], [2, 3, 128, 128] and 70001 rows (folded grid), both reductions': {
    timeoutMs: 120_000,
    run: async ({ gpu, random }) => {
      for (const reduction of REDUCTIONS) {
        for (const [shape, outShape] of [
          [[3, 5, 7, 9], [3, 5]],
          [[2, 3, 128, 128], [2, 3, 1, 1]],
          [[1, 70001, 1, 3], [1, 70001]],
        ] as const) {
          const x = randomArray(random, numel(shape), { low: -1, high: 3 });
          const y = globalAvgPool2d(gpu, gpu.upload(x, shape), poisoned(gpu, outShape), { reduction });
          assertClose(await gpu.read(y), globalAvgPool2dReference(x, shape), 'reduction', `pool ${shape} ${reduction ?? 'default'}`);
        }
      }
    },
  },
  'globalAvgPool2dBackward matches float64 on [3, 5, 7, 9] and finite differences on [2, 3, 3, 4]': async ({ gpu, random }) => {
    const shape = [3, 5, 7, 9];
    const dy = randomArray(random, 15);
    const dx = globalAvgPool2dBackward(gpu, gpu.upload(dy, [3, 5]), shape, poisoned(gpu, shape));
    assertClose(await gpu.read(dx), globalAvgPool2dBackwardReference(dy, shape), 'elementwise', 'pool backward');
    const x = randomArray(random, numel(TINY));
    const w = randomArray(random, 6);
    const numeric = numericalGradient((point) => weightedSum(globalAvgPool2dReference(point, TINY), w), x);
    const tiny = globalAvgPool2dBackward(gpu, gpu.upload(w, [2, 3, 1, 1]), TINY, poisoned(gpu, TINY));
    assertClose(await gpu.read(tiny), numeric, 'finiteDifference', 'pool backward vs finite differences');
  },
  'channelScale is the correctly rounded product on [3, 5, 7, 9] with s as [N, C] and [N, C, 1, 1]': async ({ gpu, random }) => {
    const shape = [3, 5, 7, 9];
    const x = randomArray(random, numel(shape));
    const s = randomArray(random, 15, { low: 0, high: 1 });
    for (const sShape of [[3, 5], [3, 5, 1, 1]]) {
      const y = channelScale(gpu, gpu.upload(x, shape), gpu.upload(s, sShape), poisoned(gpu, shape));
      assertClose(await gpu.read(y), Float32Array.from(channelScaleReference(x, s, shape)), 'exact', `scale with s ${sShape}`);
    }
  },
  'channelScaleBackward matches float64 on [3, 5, 7, 9] and [2, 3, 128, 128], both reductions': {
    timeoutMs: 120_000,
    run: async ({ gpu, random }) => {
      for (const [shape, reduction] of REDUCTIONS.flatMap((r) => [[3, 5, 7, 9], [2, 3, 128, 128]].map((shape) => [shape, r] as const))) {
        const count = numel(shape);
        const [n, c] = shape as [number, number];
        const x = randomArray(random, count, { low: -1, high: 3 });
        const dy = randomArray(random, count);
        const s = randomArray(random, n * c, { low: 0, high: 1 });
        const { dx, ds } = channelScaleBackward(gpu, gpu.upload(dy, shape), gpu.upload(x, shape), gpu.upload(s, [n, c, 1, 1]), {
          dx: poisoned(gpu, shape),
          ds: poisoned(gpu, [n, c, 1, 1]),
          reduction,
        });
        const want = channelScaleBackwardReference(dy, x, s, shape);
        assertClose(await gpu.read(dx), Float32Array.from(want.dx), 'exact', `dx ${shape}`);
        assertClose(await gpu.read(ds), want.ds, 'reduction', `ds ${shape} ${reduction ?? "default"}`);
      }
    },
  },
  'channelScaleBackward matches finite differences in x and in s on [2, 3, 3, 4]': async ({ gpu, random }) => {
    const x = randomArray(random, numel(TINY));
    const s = randomArray(random, 6);
    const w = randomArray(random, numel(TINY));
    const numericX = numericalGradient((point) => weightedSum(channelScaleReference(point, s, TINY), w), x);
    const numericS = numericalGradient((point) => weightedSum(channelScaleReference(x, point, TINY), w), s);
    const { dx, ds } = channelScaleBackward(gpu, gpu.upload(w, TINY), gpu.upload(x, TINY), gpu.upload(s, [2, 3]), {
      dx: poisoned(gpu, TINY),
      ds: poisoned(gpu, [2, 3]),
    });
    assertClose(await gpu.read(dx), numericX, 'finiteDifference', 'dx vs finite differences');
    assertClose(await gpu.read(ds), numericS, 'finiteDifference', 'ds vs finite differences');
  },
  ...Object.fromEntries(
    (['auto', 'scalar'] as FlatVariant[]).map((layout) => [
      `${layout} layout at an offset: channelScale, its dx and globalAvgPool2dBackward on [3, 5, 4, 6], [2, 3, 2, 2] (H·W a multiple of 4) and [3, 5, 7, 9]`,
      async ({ gpu, random }) => {
        for (const shape of [[3, 5, 4, 6], [2, 3, 2, 2], [3, 5, 7, 9]]) {
          const label = `${layout} [${shape}]`;
          const rows = shape[0]! * shape[1]!;
          const x = randomArray(random, numel(shape));
          const dy = randomArray(random, numel(shape));
          const s = randomArray(random, rows);
          const sTensor = uploadWindow(gpu, s, [shape[0]!, shape[1]!]);
          const y = poisonedWindow(gpu, shape);
          channelScale(gpu, uploadWindow(gpu, x, shape), sTensor, y.view, layout);
          assertClose(await gpu.read(y.view), channelScaleReference(x, s, shape), 'elementwise', `channelScale ${label}`);
          await y.assertOutsideUntouched(`channelScale ${label}`);
          const dx = poisonedWindow(gpu, shape);
          channelScaleBackward(gpu, uploadWindow(gpu, dy, shape), uploadWindow(gpu, x, shape), sTensor, { dx: dx.view, layout });
          assertClose(await gpu.read(dx.view), channelScaleBackwardReference(dy, x, s, shape).dx, 'elementwise', `channelScale dx ${label}`);
          await dx.assertOutsideUntouched(`channelScale dx ${label}`);
          const pooled = poisonedWindow(gpu, shape);
          globalAvgPool2dBackward(gpu, sTensor, shape, pooled.view, layout);
          assertClose(await gpu.read(pooled.view), globalAvgPool2dBackwardReference(s, shape), 'elementwise', `pool backward ${label}`);
          await pooled.assertOutsideUntouched(`pool backward ${label}`);
        }
      },
    ]),
  ),
  'rejects a non-4-D x, a per-channel tensor of the wrong shape, a mismatched dy and aliasing': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(24).fill(1), [2, 3, 2, 2]);
    const s = gpu.upload(new Float32Array(6).fill(1), [2, 3]);
    await expectError(() => globalAvgPool2d(gpu, gpu.empty([2, 3, 4])), ['globalAvgPool2d', '[N, C, H, W]', '[2, 3, 4]']);
    await expectError(() => globalAvgPool2d(gpu, x, gpu.empty([2, 4])), ['globalAvgPool2d', '[2, 4]', '[2, 3]']);
    await expectError(() => globalAvgPool2dBackward(gpu, gpu.empty([3, 2]), [2, 3, 2, 2]), ['globalAvgPool2dBackward', 'dy', '[3, 2]', '[2, 3]']);
    await expectError(() => channelScale(gpu, x, gpu.empty([2, 4, 1, 1])), ['channelScale', 's', '[2, 4, 1, 1]', '[2, 3]']);
    await expectError(() => channelScale(gpu, x, s, x), ['channelScale', 'alias']);
    await expectError(() => channelScaleBackward(gpu, gpu.empty([2, 3, 2, 3]), x, s), ['channelScaleBackward', 'dy', '[2, 3, 2, 3]', '[2, 3, 2, 2]']);
    await expectError(() => channelScaleBackward(gpu, x, x, s, { ds: gpu.empty([6]) }), ['channelScaleBackward', 'ds', '[6]', '[2, 3]']);
    await expectError(() => channelScaleBackward(gpu, x, x, s, { dx: x }), ['channelScaleBackward', 'alias']);
  },
});
