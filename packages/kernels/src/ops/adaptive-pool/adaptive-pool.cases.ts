import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import { adaptiveAvgPool2d, adaptiveAvgPool2dBackward } from './adaptive-pool.js';
import { adaptiveAvgPool2dBackwardReference, adaptiveAvgPool2dReference, adaptiveWindow } from './adaptive-pool.reference.js';

const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

/** PSPNet's 1, 2, 3, 6 on its 8×12 map, odd maps with overlapping windows, an upsampling "pool", the identity. */
const PROBLEMS: [number[], [number, number]][] = [
  [[2, 3, 8, 12], [1, 1]],
  [[2, 3, 8, 12], [2, 2]],
  [[2, 3, 8, 12], [3, 3]],
  [[2, 3, 8, 12], [6, 6]],
  [[1, 2, 7, 9], [3, 5]],
  [[1, 2, 5, 3], [7, 4]],
  [[1, 3, 5, 7], [5, 7]],
];

export const adaptivePoolCases = defineCases('adaptive-pool', {
  "windows are PyTorch's [⌊k·n/o⌋, ⌈(k+1)·n/o⌉): 8→3 and 8→6 by hand": async () => {
    const windows = (n: number, o: number): string => Array.from({ length: o }, (_, k) => adaptiveWindow(k, n, o).join('-')).join(' ');
    if (windows(8, 3) !== '0-3 2-6 5-8') throw new Error(`8→3 windows ${windows(8, 3)}`);
    if (windows(8, 6) !== '0-2 1-3 2-4 4-6 5-7 6-8') throw new Error(`8→6 windows ${windows(8, 6)}`);
  },
  'forward matches float64 (PSPNet 1, 2, 3, 6 on 8x12; overlapping odd windows; o > n; identity)': async ({ gpu, random }) => {
    for (const [shape, size] of PROBLEMS) {
      const data = randomArray(random, count(shape));
      const y = adaptiveAvgPool2d(gpu, gpu.upload(data, shape), size, poisoned(gpu, [shape[0]!, shape[1]!, ...size]));
      assertClose(await gpu.read(y), adaptiveAvgPool2dReference(data, shape, size[0], size[1]), 'reduction', `pool ${shape} -> ${size}`);
    }
  },
  'backward matches the scatter reference and float64 finite differences': async ({ gpu, random }) => {
    for (const [shape, size] of PROBLEMS) {
      const dyShape = [shape[0]!, shape[1]!, ...size];
      const dy = randomArray(random, count(dyShape));
      const dx = await gpu.read(adaptiveAvgPool2dBackward(gpu, gpu.upload(dy, dyShape), shape, poisoned(gpu, shape)));
      assertClose(dx, adaptiveAvgPool2dBackwardReference(dy, shape, size[0], size[1]), 'reduction', `backward ${shape} -> ${size}`);
      const x = randomArray(random, count(shape));
      const loss = (point: Float64Array): number => weightedSum(adaptiveAvgPool2dReference(point, shape, size[0], size[1]), dy);
      assertClose(dx, numericalGradient(loss, x, 1e-3), 'finiteDifference', `d/dx ${shape} -> ${size}`);
    }
  },
  'rejects bad ranks and sizes, mismatched dy and aliasing': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(2 * 3 * 4).fill(1), [1, 2, 3, 4]);
    await expectError(() => adaptiveAvgPool2d(gpu, gpu.upload([1, 2, 3], [3]), [1, 1]), ['adaptiveAvgPool2d', '[3]', '[N, C, H, W]']);
    await expectError(() => adaptiveAvgPool2d(gpu, x, [0, 2]), ['adaptiveAvgPool2d', '[0, 2]']);
    await expectError(() => adaptiveAvgPool2d(gpu, x, [3, 4], x), ['adaptiveAvgPool2d', 'alias']);
    await expectError(() => adaptiveAvgPool2dBackward(gpu, gpu.empty([1, 3, 2, 2]), [1, 2, 3, 4]), ['adaptiveAvgPool2dBackward', '[1, 3, 2, 2]']);
  },
});
