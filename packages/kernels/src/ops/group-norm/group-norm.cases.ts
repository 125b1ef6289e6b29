import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import { groupNorm, groupNormBackward } from './group-norm.js';
import { groupNormBackwardReference, groupNormReference } from './group-norm.reference.js';

const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

/** FPN's GroupNorm(32, 128) on a small odd map, odd channel groups, one group (LayerNorm-like), one channel per group. */
const PROBLEMS: [number[], number][] = [
  [[2, 128, 3, 5], 32],
  [[3, 6, 5, 7], 3],
  [[2, 5, 9, 3], 1],
  [[1, 4, 3, 3], 4],
  [[2, 6, 1, 1], 2],
];

export const groupNormCases = defineCases('group-norm', {
  'forward matches float64 (FPN 32 groups of 4, odd groups, 1 group, 1 channel per group, 1x1 maps)': async ({ gpu, random }) => {
    for (const [shape, groups] of PROBLEMS) {
      const c = shape[1]!;
      const [x, weight, bias] = [randomArray(random, count(shape), { low: -2, high: 3 }), randomArray(random, c, { low: 0.5, high: 1.5 }), randomArray(random, c)];
      const { y, stats } = groupNorm(gpu, gpu.upload(x, shape), groups, gpu.upload(weight, [c]), gpu.upload(bias, [c]), 1e-5, poisoned(gpu, shape));
      const want = groupNormReference(x, shape, groups, weight, bias, 1e-5);
      assertClose(await gpu.read(y), want.y, 'reduction', `y ${shape} G${groups}`);
      const wantStats = Float64Array.from({ length: 2 * want.mean.length }, (_, i) => (i % 2 === 0 ? want.mean[i / 2]! : want.rstd[(i - 1) / 2]!));
      assertClose(await gpu.read(stats), wantStats, 'reduction', `stats ${shape} G${groups}`);
    }
  },
  'backward (dx, dγ, dβ) matches the float64 reference': async ({ gpu, random }) => {
    for (const [shape, groups] of PROBLEMS) {
      const c = shape[1]!;
      const [x, weight, bias, dy] = [randomArray(random, count(shape)), randomArray(random, c, { low: 0.5, high: 1.5 }), randomArray(random, c), randomArray(random, count(shape))];
      const xt = gpu.upload(x, shape);
      const w = gpu.upload(weight, [c]);
      const { stats } = groupNorm(gpu, xt, groups, w, gpu.upload(bias, [c]));
      const out = { dx: poisoned(gpu, shape), dweight: poisoned(gpu, [c]), dbias: poisoned(gpu, [c]) };
      const got = groupNormBackward(gpu, gpu.upload(dy, shape), xt, groups, w, stats, out);
      const want = groupNormBackwardReference(dy, x, shape, groups, weight, 1e-5);
      assertClose(await gpu.read(got.dx), want.dx, 'gradient', `dx ${shape} G${groups}`);
      assertClose(await gpu.read(got.dweight), want.dweight, 'gradient', `dweight ${shape} G${groups}`);
      assertClose(await gpu.read(got.dbias), want.dbias, 'reduction', `dbias ${shape} G${groups}`);
    }
  },
  'backward matches float64 finite differences of the forward (x, γ, β)': async ({ gpu, random }) => {
    for (const [shape, groups] of [[[2, 6, 3, 5], 3], [[1, 4, 5, 3], 2]] as [number[], number][]) {
      const c = shape[1]!;
      const [x, weight, bias, dy] = [randomArray(random, count(shape)), randomArray(random, c, { low: 0.5, high: 1.5 }), randomArray(random, c), randomArray(random, count(shape))];
      const xt = gpu.upload(x, shape);
      const w = gpu.upload(weight, [c]);
      const { stats } = groupNorm(gpu, xt, groups, w, gpu.upload(bias, [c]));
      const got = groupNormBackward(gpu, gpu.upload(dy, shape), xt, groups, w, stats, { dx: poisoned(gpu, shape), dweight: poisoned(gpu, [c]), dbias: poisoned(gpu, [c]) });
      const loss = (xs: ArrayLike<number>, ws: ArrayLike<number>, bs: ArrayLike<number>): number => weightedSum(groupNormReference(xs, shape, groups, ws, bs, 1e-5).y, dy);
      assertClose(await gpu.read(got.dx), numericalGradient((p) => loss(p, weight, bias), x, 1e-4), 'finiteDifference', `d/dx ${shape}`);
      assertClose(await gpu.read(got.dweight), numericalGradient((p) => loss(x, p, bias), weight, 1e-4), 'finiteDifference', `d/dγ ${shape}`);
      assertClose(await gpu.read(got.dbias), numericalGradient((p) => loss(x, weight, p), bias, 1e-4), 'finiteDifference', `d/dβ ${shape}`);
    }
  },
  'rejects groups that do not divide C, wrong affine shapes, bad eps and aliasing': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(2 * 6 * 4).fill(1), [2, 6, 2, 2]);
    const w = gpu.upload(new Float32Array(6).fill(1), [6]);
    await expectError(() => groupNorm(gpu, x, 4, w, w), ['groupNorm', '4 groups', '6 channels']);
    await expectError(() => groupNorm(gpu, x, 3, gpu.upload([1, 2], [2]), w), ['groupNorm', 'weight', '[2]', '[6]']);
    await expectError(() => groupNorm(gpu, x, 3, w, w, 0), ['groupNorm', 'eps']);
    await expectError(() => groupNorm(gpu, x, 3, w, w, 1e-5, x), ['groupNorm', 'alias']);
    await expectError(() => groupNorm(gpu, gpu.upload([1, 2], [2]), 1, w, w), ['groupNorm', '[N, C, ...]']);
  },
});
