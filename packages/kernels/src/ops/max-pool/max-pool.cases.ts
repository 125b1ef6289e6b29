import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import { maxPool2d, maxPool2dBackward, maxPoolGeometry, type MaxPool2dOptions, type Pair } from './max-pool.js';
import { maxPool2dBackwardReference, maxPool2dReference } from './max-pool.reference.js';

const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

/** The ResNet stem's 3×3 s2 p1, PAN's 2×2 s2 (floor drops the odd row/column), a rectangular window, a 1×1. */
const PROBLEMS: { shape: number[]; kernel: Pair; options: MaxPool2dOptions }[] = [
  { shape: [2, 3, 9, 11], kernel: 3, options: { stride: 2, padding: 1 } },
  { shape: [2, 3, 7, 9], kernel: 2, options: {} },
  { shape: [1, 2, 8, 5], kernel: [3, 2], options: { stride: [1, 2], padding: [1, 0] } },
  { shape: [1, 3, 5, 7], kernel: 1, options: { stride: 2 } },
  { shape: [3, 1, 4, 4], kernel: 3, options: { stride: 1, padding: 1 } },
];

export const maxPoolCases = defineCases('max-pool', {
  'forward values and indices are exact on odd sizes (3x3 s2 p1, 2x2 s2, rectangular, 1x1, overlapping s1)': async ({ gpu, random }) => {
    for (const { shape, kernel, options } of PROBLEMS) {
      const data = randomArray(random, count(shape));
      const want = maxPool2dReference(data, shape, kernel, options);
      const outShape = maxPoolGeometry('test', shape, kernel, options).outputShape;
      const { y, indices } = maxPool2d(gpu, gpu.upload(data, shape), kernel, options, { y: poisoned(gpu, outShape), indices: poisoned(gpu, outShape) });
      assertClose(await gpu.read(y), want.y, 'exact', `y ${shape} k${kernel}`);
      assertClose(await gpu.read(indices), want.indices, 'exact', `indices ${shape} k${kernel}`);
    }
  },
  'ties go to the first maximum in row-major window order, as in PyTorch': async ({ gpu, random }) => {
    const shape = [2, 2, 7, 9];
    // Values from {0, 1, 2}: most windows hold ties (like ReLU zeros).
    const data = Float32Array.from({ length: count(shape) }, () => random.integer(0, 2));
    const want = maxPool2dReference(data, shape, 3, { stride: 2, padding: 1 });
    const { y, indices } = maxPool2d(gpu, gpu.upload(data, shape), 3, { stride: 2, padding: 1 }, { y: poisoned(gpu, [2, 2, 4, 5]), indices: poisoned(gpu, [2, 2, 4, 5]) });
    assertClose(await gpu.read(y), want.y, 'exact', 'tied y');
    assertClose(await gpu.read(indices), want.indices, 'exact', 'tied indices');
    // Hand check: an all-equal 2x2 window picks its top-left element.
    const flat = maxPool2d(gpu, gpu.upload(new Float32Array(16).fill(0.5), [1, 1, 4, 4]), 2);
    assertClose(await gpu.read(flat.indices), [0, 2, 8, 10], 'exact', 'all-equal windows');
  },
  'backward routes each dy to its window winner (against the scatter reference), ties included': async ({ gpu, random }) => {
    for (const { shape, kernel, options } of PROBLEMS) {
      const data = Float32Array.from({ length: count(shape) }, () => random.integer(0, 3) + 0.25);
      const { y, indices } = maxPool2d(gpu, gpu.upload(data, shape), kernel, options);
      const dy = randomArray(random, count(y.shape));
      const wantIndices = maxPool2dReference(data, shape, kernel, options).indices;
      const dx = maxPool2dBackward(gpu, gpu.upload(dy, y.shape), indices, shape, kernel, options, poisoned(gpu, shape));
      const plane = y.shape[2]! * y.shape[3]!;
      assertClose(await gpu.read(dx), maxPool2dBackwardReference(dy, wantIndices, shape, plane), 'reduction', `dx ${shape} k${kernel}`);
    }
  },
  'backward matches float64 finite differences of the forward': async ({ gpu, random }) => {
    for (const { shape, kernel, options } of PROBLEMS.slice(0, 3)) {
      const x = randomArray(random, count(shape));
      const { y, indices } = maxPool2d(gpu, gpu.upload(x, shape), kernel, options);
      const w = randomArray(random, count(y.shape));
      const loss = (point: Float64Array): number => weightedSum(maxPool2dReference(point, shape, kernel, options).y, w);
      const dx = maxPool2dBackward(gpu, gpu.upload(w, y.shape), indices, shape, kernel, options, poisoned(gpu, shape));
      assertClose(await gpu.read(dx), numericalGradient(loss, x, 1e-4), 'finiteDifference', `d/dx ${shape} k${kernel}`);
    }
  },
  'rejects bad ranks, too much padding, a too small input and aliasing': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(2 * 3 * 4).fill(1), [1, 2, 3, 4]);
    await expectError(() => maxPool2d(gpu, gpu.upload([1, 2, 3], [3]), 2), ['maxPool2d', '[3]', '[N, C, H, W]']);
    await expectError(() => maxPool2d(gpu, x, 3, { padding: 2 }), ['maxPool2d', 'padding [2,2]', 'half']);
    await expectError(() => maxPool2d(gpu, x, 5), ['maxPool2d', 'too small', '[1, 2, 3, 4]']);
    await expectError(() => maxPool2d(gpu, x, 0), ['maxPool2d', 'positive']);
    await expectError(() => maxPool2d(gpu, x, 2, {}, { y: x }), ['maxPool2d', 'shape']);
    await expectError(() => maxPool2dBackward(gpu, gpu.empty([1, 2, 2, 2]), gpu.empty([1, 2, 1, 2]), [1, 2, 3, 4], 2), ['maxPool2dBackward', '[1, 2, 1, 2]']);
  },
});
