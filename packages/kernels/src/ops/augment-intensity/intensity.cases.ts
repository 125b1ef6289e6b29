import type { Gpu } from '../../runtime/gpu.js';
import { assertClose, defineCases, expectError, poisoned, type Tolerance } from '../../testing/index.js';
import { shapeOf, tableFromRows, type BatchShape } from '../augment/augment-common.js';
import { assertEqualArrays, AUGMENT_IMAGE_TOLERANCE, NOISE_TOLERANCE, randomImages, SHAPE, uploadBatch } from '../augment/augment-testing.js';
import {
  augmentIntensity,
  coarseDropoutRow,
  gaussianBlurRow,
  gaussianNoiseRow,
  INTENSITY_STRIDES,
  linearContrastRow,
  meanBlurRow,
  medianBlurRow,
  pixelDropoutRow,
  sharpenRow,
  type IntensityOp,
} from './intensity.js';
import { intensityReference } from './intensity.reference.js';


async function run(gpu: Gpu, op: IntensityOp, images: Float32Array, rows: readonly (number[] | undefined)[], shape: BatchShape = SHAPE): Promise<{ got: Float32Array; want: Float64Array }> {
  const stride = INTENSITY_STRIDES[op];
  const table = tableFromRows(rows, stride);
  const out = augmentIntensity(gpu, op, uploadBatch(gpu, images, shape), gpu.upload(table, [shape.batch, stride]), poisoned(gpu, shapeOf(shape)));
  return { got: await gpu.read(out), want: intensityReference(op, images, shape, table) };
}

async function check(gpu: Gpu, op: IntensityOp, images: Float32Array, rows: readonly (number[] | undefined)[], tolerance: Tolerance | 'exact' = AUGMENT_IMAGE_TOLERANCE): Promise<Float32Array> {
  const { got, want } = await run(gpu, op, images, rows);
  assertClose(got, want, tolerance, op);
  return got;
}

export const intensityCases = defineCases('augment-intensity', {
  'sharpen (alpha, lightness) with reflect-101 borders, and a disabled row, vs reference': async ({ gpu, random }) => {
    await check(gpu, 'sharpen', randomImages(random, SHAPE), [sharpenRow(0.7, 0.9), sharpenRow(1, 1.25), undefined]);
  },
  'linear contrast 127 + a(v − 127), clipped, vs reference': async ({ gpu, random }) => {
    await check(gpu, 'linearContrast', randomImages(random, SHAPE), [linearContrastRow(0.75), linearContrastRow(1.25), linearContrastRow(3)]);
  },
  'Gaussian blur: sigma 0.5 and 3 (imgaug ksize), sigma 2 truncated at 4 sigma, vs reference': async ({ gpu, random }) => {
    await check(gpu, 'blur', randomImages(random, SHAPE), [gaussianBlurRow(0.5), gaussianBlurRow(3), gaussianBlurRow(2, 4)]);
  },
  'mean blur k = 2, 4, 7 (even k anchored at k/2 as cv2.blur) vs reference': async ({ gpu, random }) => {
    await check(gpu, 'blur', randomImages(random, SHAPE), [meanBlurRow(2), meanBlurRow(4), meanBlurRow(7)]);
    const spot = new Float32Array(SHAPE.batch * SHAPE.height * SHAPE.width);
    spot[10 * SHAPE.width + 10] = 4;
    const got = await check(gpu, 'blur', spot, [meanBlurRow(2), undefined, undefined]);
    const lit = [...got.keys()].filter((i) => got[i] !== 0);
    const want = [10 * SHAPE.width + 10, 10 * SHAPE.width + 11, 11 * SHAPE.width + 10, 11 * SHAPE.width + 11];
    if (lit.join() !== want.join() || lit.some((i) => got[i] !== 1)) throw new Error(`k = 2 spreads a spot to ${lit} (want ${want} at 1)`);
  },
  'median blur k = 3, 7, 11 of 8-bit levels, replicate borders: exact': async ({ gpu, random }) => {
    await check(gpu, 'medianBlur', randomImages(random, SHAPE), [medianBlurRow(3), medianBlurRow(7), medianBlurRow(11)], 'exact');
  },
  'Gaussian noise vs reference (f32 transcendentals) and N(0, 1) statistics on the GPU': async ({ gpu, random }) => {
    await check(gpu, 'gaussianNoise', randomImages(random, SHAPE), [gaussianNoiseRow(12.75, 7), gaussianNoiseRow(3, 0xffffffff), undefined], NOISE_TOLERANCE);
    const flat = new Float32Array(SHAPE.batch * SHAPE.height * SHAPE.width).fill(127.5);
    const { got } = await run(gpu, 'gaussianNoise', flat, [gaussianNoiseRow(10, 1), gaussianNoiseRow(10, 2), gaussianNoiseRow(10, 3)]);
    const z = Array.from(got, (v) => (v - 127.5) / 10);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    if (Math.abs(mean) > 5 / Math.sqrt(z.length) || Math.abs(variance - 1) > 5 * Math.sqrt(2 / z.length)) throw new Error(`noise mean ${mean}, variance ${variance} over ${z.length}`);
  },
  'pixel and coarse dropout vs reference (exact), and the drop rate': async ({ gpu, random }) => {
    await check(gpu, 'dropout', randomImages(random, SHAPE), [pixelDropoutRow(0.3, 11, SHAPE), coarseDropoutRow(0.5, 0.1, 0.15, 12, SHAPE), coarseDropoutRow(0.4, 0.02, 0.05, 13, SHAPE)], 'exact');
    const big = { batch: 3, height: 64, width: 64 };
    const ones = new Float32Array(3 * 64 * 64).fill(1);
    const { got } = await run(gpu, 'dropout', ones, [0, 1, 2].map((n) => pixelDropoutRow(0.1, 100 + n, big)), big);
    const rate = got.reduce((sum, v) => sum + (v === 0 ? 1 : 0), 0) / got.length;
    if (Math.abs(rate - 0.1) > 5 * Math.sqrt(0.09 / got.length)) throw new Error(`dropout rate ${rate} for p = 0.1`);
  },
  'identity parameters leave 8-bit images unchanged exactly': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE, true);
    const cases: [IntensityOp, number[]][] = [
      ['sharpen', sharpenRow(0, 1.1)],
      ['linearContrast', linearContrastRow(1)],
      ['blur', gaussianBlurRow(0)],
      ['blur', meanBlurRow(1)],
      ['medianBlur', medianBlurRow(1)],
      ['gaussianNoise', gaussianNoiseRow(0, 5)],
      ['dropout', pixelDropoutRow(0, 5, SHAPE)],
    ];
    for (const [op, row] of cases) {
      const { got } = await run(gpu, op, images, [row, row, row]);
      assertEqualArrays(got, images, `${op} with identity parameters`);
    }
  },
  'rejects bad tables, aliasing, unknown ops and bad parameters': async ({ gpu }) => {
    const images = gpu.empty(shapeOf(SHAPE));
    await expectError(() => augmentIntensity(gpu, 'sharpen', images, gpu.empty([3, 8])), ['augmentIntensity.sharpen', '[3, 8]', '[3, 4]']);
    await expectError(() => augmentIntensity(gpu, 'dropout', images, gpu.empty([3, 8]), images), ['alias']);
    await expectError(() => augmentIntensity(gpu, 'posterize' as IntensityOp, images, gpu.empty([3, 4])), ["unknown op 'posterize'"]);
    await expectError(() => medianBlurRow(4), ['medianBlur', 'odd', '4']);
    await expectError(() => pixelDropoutRow(1.5, 0, SHAPE), ['dropout', '1.5']);
    await expectError(() => gaussianBlurRow(20), ['blur', 'taps']);
  },
});
