import { assertClose, defineCases, expectError, poisoned, randomArray } from '../../testing/index.js';
import { concat, concatShape, narrow } from './concat.js';
import { concatReference, narrowReference } from './concat.reference.js';

const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

/** Channel cats of Unet (upsampled x, then the skip), PSPNet (5 parts), DeepLabV3+ (2 parts), and other axes. */
const PROBLEMS: { shapes: number[][]; dim: number }[] = [
  { shapes: [[2, 5, 3, 7], [2, 3, 3, 7]], dim: 1 },
  { shapes: [[2, 3, 5, 3], [2, 3, 5, 3], [2, 3, 5, 3], [2, 3, 5, 3], [2, 7, 5, 3]], dim: 1 },
  { shapes: [[1, 1, 9, 5], [1, 4, 9, 5]], dim: 1 },
  { shapes: [[3, 2, 5], [1, 2, 5]], dim: 0 },
  { shapes: [[2, 3, 5, 7], [2, 3, 5, 2], [2, 3, 5, 1]], dim: 3 },
];

export const concatCases = defineCases('concat', {
  'cat is exact on odd sizes along channels (2 and 5 inputs), the batch and the last axis': async ({ gpu, random }) => {
    for (const { shapes, dim } of PROBLEMS) {
      const data = shapes.map((shape) => randomArray(random, count(shape)));
      const y = concat(gpu, data.map((values, k) => gpu.upload(values, shapes[k])), dim, poisoned(gpu, concatShape('test', shapes, dim)));
      assertClose(await gpu.read(y), concatReference(data, shapes, dim), 'exact', `cat ${shapes.map((s) => `[${s}]`).join(' ')} dim ${dim}`);
    }
  },
  'narrow (the gradient of each cat input) is exact and recovers every part': async ({ gpu, random }) => {
    for (const { shapes, dim } of PROBLEMS) {
      const whole = concatShape('test', shapes, dim);
      const data = randomArray(random, count(whole));
      const y = gpu.upload(data, whole);
      let start = 0;
      for (const shape of shapes) {
        const part = narrow(gpu, y, dim, start, shape[dim]!, poisoned(gpu, shape));
        assertClose(await gpu.read(part), narrowReference(data, whole, dim, start, shape[dim]!), 'exact', `narrow [${whole}] dim ${dim} from ${start}`);
        start += shape[dim]!;
      }
    }
  },
  'rejects mismatched shapes, bad dims and ranges, and aliasing': async ({ gpu }) => {
    const a = gpu.upload(new Float32Array(2 * 3 * 4).fill(1), [1, 2, 3, 4]);
    const b = gpu.upload(new Float32Array(3 * 3 * 5).fill(1), [1, 3, 3, 5]);
    await expectError(() => concat(gpu, [a, b], 1), ['concat', '[1, 2, 3, 4]', '[1, 3, 3, 5]', 'dim 1']);
    await expectError(() => concat(gpu, [a], 4), ['concat', 'dim 4']);
    await expectError(() => concat(gpu, [], 1), ['concat', 'at least one']);
    await expectError(() => concat(gpu, [a, a], 1, a), ['concat', 'shape']);
    await expectError(() => narrow(gpu, a, 1, 1, 2), ['narrow', '[1, 3)', 'dim 1']);
  },
});
