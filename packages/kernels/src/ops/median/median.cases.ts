import { assertClose, defineCases, expectError, poisoned, randomArray } from '../../testing/index.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import type { Random } from '../../testing/random.js';
import {
  binaryMedianReference,
  dilationReference,
  edgeBandReference,
  edgeMedianReference,
  erosionReference,
  medianReference,
} from './median.reference.js';
import { edgeBand, edgeMedianFilter, medianFilter } from './median.js';
import { dilate, erode } from './morphology.js';

const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

/** 8-bit image: integers 1..255, or drawn from a few levels (many ties) when `levels` is given. */
function image(random: Random, shape: readonly number[], levels?: readonly number[]): Float32Array {
  return Float32Array.from({ length: count(shape) }, () => (levels ? levels[random.integer(0, levels.length - 1)]! : random.integer(1, 255)));
}

/** Binary mask {0, 255}: a random disc per plane plus 8% salt-and-pepper, so it has flat areas and ragged edges. */
function mask(random: Random, shape: readonly number[]): Float32Array {
  const [n = 1, c = 1, height = 1, width = 1] = shape;
  const data = new Float32Array(count(shape));
  for (let p = 0; p < n * c; p++) {
    const [cy, cx, r] = [random.uniform(0, height), random.uniform(0, width), random.uniform(2, Math.max(height, width) / 2)];
    for (let h = 0; h < height; h++) {
      for (let w = 0; w < width; w++) {
        const inside = (h - cy) ** 2 + (w - cx) ** 2 < r * r;
        data[(p * height + h) * width + w] = inside !== random.next() < 0.08 ? 255 : 0;
      }
    }
  }
  return data;
}

type Filter = (gpu: Gpu, x: GpuTensor, k: number, out: GpuTensor) => GpuTensor;
type Reference = (x: ArrayLike<number>, shape: readonly number[], k: number) => Float64Array;

async function check(gpu: Gpu, label: string, filter: Filter, reference: Reference, data: Float32Array, shape: number[], k: number): Promise<void> {
  const y = filter(gpu, gpu.upload(data, shape), k, poisoned(gpu, shape));
  assertClose(await gpu.read(y), reference(data, shape, k), 'exact', `${label} k=${k} on ${shape}`);
}

const median: Filter = (gpu, x, k, out) => medianFilter(gpu, x, k, { out });
const edgeMedian: Filter = (gpu, x, k, out) => edgeMedianFilter(gpu, x, k, { out });
const binaryMedian: Filter = (gpu, x, k, out) => medianFilter(gpu, x, k, { binary: true, out });
const binaryEdgeMedian: Filter = (gpu, x, k, out) => edgeMedianFilter(gpu, x, k, { binary: true, out });

export const medianCases = defineCases('median', {
  'median of 8-bit images is exact: k = 1, 3, 5, 7 on [3, 1, 7, 9], strips and columns past one workgroup': async ({ gpu, random }) => {
    for (const k of [1, 3, 5, 7]) await check(gpu, 'median', median, medianReference, image(random, [3, 1, 7, 9]), [3, 1, 7, 9], k);
    await check(gpu, 'median', median, medianReference, image(random, [1, 2, 71, 67]), [1, 2, 71, 67], 5);
    await check(gpu, 'median', median, medianReference, image(random, [2, 1, 37, 9], [0, 1, 2, 128, 255]), [2, 1, 37, 9], 9);
  },
  'median with k = 31 (window larger than the image) and k = 19 is exact': async ({ gpu, random }) => {
    await check(gpu, 'median', median, medianReference, image(random, [1, 1, 23, 29]), [1, 1, 23, 29], 31);
    await check(gpu, 'median', median, medianReference, image(random, [1, 1, 41, 35], [0, 17, 255]), [1, 1, 41, 35], 19);
  },
  'edge median of 8-bit images equals where(dilation != erosion, median, x)': async ({ gpu, random }) => {
    const shape = [2, 1, 39, 33];
    const flat = image(random, shape, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200]);
    await check(gpu, 'edge median', edgeMedian, edgeMedianReference, flat, shape, 5);
    await check(gpu, 'edge median', edgeMedian, edgeMedianReference, mask(random, shape), shape, 7);
    await check(gpu, 'edge median', edgeMedian, edgeMedianReference, image(random, [3, 1, 7, 9]), [3, 1, 7, 9], 3);
  },
  'binary median, edge median and band of masks are exact for k = 1, 3, 7, 19, 31': async ({ gpu, random }) => {
    for (const [shape, k] of [[[3, 1, 7, 9], 3], [[3, 1, 7, 9], 1], [[2, 1, 41, 37], 7], [[2, 1, 41, 37], 19], [[1, 1, 45, 50], 31]] as const) {
      const data = mask(random, shape);
      await check(gpu, 'binary median', binaryMedian, binaryMedianReference, data, [...shape], k);
      await check(gpu, 'binary edge median', binaryEdgeMedian, edgeMedianReference, data, [...shape], k);
      await check(gpu, 'binary band', (g, x, kk, out) => edgeBand(g, x, kk, { binary: true, out }), edgeBandReference, data, [...shape], k);
    }
  },
  'dilation, erosion and band of random floats on [3, 5, 7, 9] are exact': async ({ gpu, random }) => {
    const shape = [3, 5, 7, 9];
    const data = randomArray(random, count(shape));
    for (const k of [3, 5, 31]) {
      await check(gpu, 'dilate', (g, x, kk, out) => dilate(g, x, kk, out), dilationReference, data, shape, k);
      await check(gpu, 'erode', (g, x, kk, out) => erode(g, x, kk, out), erosionReference, data, shape, k);
    }
    const levels = image(random, shape, [3, 3, 3, 3, 3, 3, 3, 3, 3, 7]);
    await check(gpu, 'band', (g, x, kk, out) => edgeBand(g, x, kk, { out }), edgeBandReference, levels, shape, 3);
  },
  'rejects even, too large and non-integer windows, bad shapes, wrong outputs and aliasing': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(2 * 3 * 4).fill(255), [2, 1, 3, 4]);
    await expectError(() => medianFilter(gpu, x, 4), ['median', 'odd', 'k = 4', '[2, 1, 3, 4]']);
    await expectError(() => medianFilter(gpu, x, 33, { binary: true }), ['median.binary', 'k = 33', '[2, 1, 3, 4]']);
    await expectError(() => edgeMedianFilter(gpu, x, 0), ['median.edge', 'k = 0']);
    await expectError(() => dilate(gpu, x, 2.5), ['median.dilate', 'k = 2.5']);
    await expectError(() => erode(gpu, gpu.upload([1, 2, 3], [3]), 3), ['median.erode', '[3]', '[N, C, H, W]']);
    await expectError(() => medianFilter(gpu, gpu.empty([1, 1, 0, 4]), 3), ['median', '[1, 1, 0, 4]']);
    await expectError(() => medianFilter(gpu, x, 3, { out: gpu.empty([2, 1, 4, 3]) }), ['median', '[2, 1, 4, 3]', '[2, 1, 3, 4]']);
    await expectError(() => edgeBand(gpu, x, 3, { out: x }), ['median.band', 'alias']);
  },
});
