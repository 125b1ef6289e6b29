import type { Gpu } from '../../runtime/gpu.js';
import { assertClose, defineCases, expectError, type Random } from '../../testing/index.js';
import { tableFromRows, type BatchShape, type Interpolation } from '../augment/augment-common.js';
import { assertEqualArrays, AUGMENT_IMAGE_TOLERANCE, poisonedPair, randomImages, randomMasks, readPair, SHAPE, uploadBatch } from '../augment/augment-testing.js';
import { augmentElastic, augmentPiecewiseAffine, elasticRow, elasticWeights, ELASTIC_STRIDE, piecewiseAffineRow, PIECEWISE_STRIDE, type PiecewiseAffineParameters } from './deform.js';
import { elasticReference, piecewiseAffineReference } from './deform.reference.js';

/** imgaug's jitter: control points moved by N(0, s·H), N(0, s·W), clipped to the image; [dx, dy] per point. */
function jitteredGrid(random: Random, shape: BatchShape, rows: number, cols: number, scale: number): number[] {
  const displacements: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = (j * shape.width) / (cols - 1);
      const y = (i * shape.height) / (rows - 1);
      const movedX = Math.min(Math.max(x + random.normal() * scale * shape.width, 0), shape.width - 1);
      const movedY = Math.min(Math.max(y + random.normal() * scale * shape.height, 0), shape.height - 1);
      displacements.push(movedX - x, movedY - y);
    }
  }
  return displacements;
}

async function runPiecewise(gpu: Gpu, random: Random, parameters: readonly PiecewiseAffineParameters[], images: Float32Array, masks: Float32Array, label: string): Promise<{ images: Float32Array; masks: Float32Array }> {
  const table = tableFromRows(parameters.map((p) => piecewiseAffineRow(p, SHAPE)), PIECEWISE_STRIDE);
  const got = await readPair(gpu, augmentPiecewiseAffine(gpu, uploadBatch(gpu, images, SHAPE), uploadBatch(gpu, masks, SHAPE), gpu.upload(table, [SHAPE.batch, PIECEWISE_STRIDE]), poisonedPair(gpu, SHAPE)));
  const want = piecewiseAffineReference(images, masks, SHAPE, table);
  assertClose(got.masks, want.masks, 'exact', `${label}: masks`);
  assertClose(got.images, want.images, AUGMENT_IMAGE_TOLERANCE, `${label}: images`);
  void random;
  return got;
}

async function runElastic(gpu: Gpu, rows: readonly (number[] | undefined)[], images: Float32Array, masks: Float32Array, label: string): Promise<{ images: Float32Array; masks: Float32Array; sources: Int32Array }> {
  const table = tableFromRows(rows, ELASTIC_STRIDE);
  const got = await readPair(gpu, augmentElastic(gpu, uploadBatch(gpu, images, SHAPE), uploadBatch(gpu, masks, SHAPE), gpu.upload(table, [SHAPE.batch, ELASTIC_STRIDE]), poisonedPair(gpu, SHAPE)));
  const want = elasticReference(images, masks, SHAPE, table);
  assertClose(got.masks, want.masks, 'exact', `${label}: masks`);
  assertClose(got.images, want.images, AUGMENT_IMAGE_TOLERANCE, `${label}: images`);
  return { ...got, sources: want.sources };
}

export const deformCases = defineCases('augment-deform', {
  'piecewise affine on 2..4 × 2..4 grids (bilinear, nearest, bicubic with reflect) vs reference': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    const interpolations: Interpolation[] = ['bilinear', 'nearest', 'bicubic'];
    const grids = [[2, 4], [4, 3], [3, 2]] as const;
    const parameters = grids.map(([rows, cols], n) => ({
      rows,
      cols,
      displacements: jitteredGrid(random, SHAPE, rows, cols, n === 2 ? 0.2 : random.uniform(0.01, 0.05)),
      interpolation: interpolations[n]!,
      border: n === 2 ? ('reflect' as const) : ('constant' as const),
    }));
    await runPiecewise(gpu, random, parameters, images, masks, 'piecewise');
  },
  'piecewise affine with zero jitter and elastic with alpha 0 are the identity, exactly': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    const still = [[2, 2], [4, 4], [3, 3]].map(([rows, cols], n) => ({ rows: rows!, cols: cols!, displacements: new Array<number>(2 * rows! * cols!).fill(0), interpolation: (['bilinear', 'nearest', 'bicubic'] as const)[n] }));
    const piecewise = await runPiecewise(gpu, random, still, images, masks, 'still piecewise');
    assertEqualArrays(piecewise.images, images, 'still piecewise images');
    assertEqualArrays(piecewise.masks, masks, 'still piecewise masks');
    const elastic = await runElastic(gpu, [0, 1, 2].map((n) => elasticRow({ seed: 99 + n, alpha: 0, sigma: 0.25, interpolation: (['bicubic', 'bilinear', 'nearest'] as const)[n] }, SHAPE)), images, masks, 'still elastic');
    assertEqualArrays(elastic.images, images, 'still elastic images');
    assertEqualArrays(elastic.masks, masks, 'still elastic masks');
  },
  'elastic (sigma 0.25 and 2, alpha 0.5..3.5, a disabled row) vs reference; |d| ≤ alpha, mean ≈ 0': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    const alphas = [3.5, 0.5, 2];
    const rows = [elasticRow({ seed: 12345, alpha: alphas[0]!, sigma: 0.25 }, SHAPE), elasticRow({ seed: 0xfedcba98, alpha: alphas[1]!, sigma: 2, interpolation: 'bilinear', border: 'wrap' }, SHAPE), undefined];
    const { sources } = await runElastic(gpu, rows, images, masks, 'elastic');
    const size = SHAPE.height * SHAPE.width;
    for (const n of [0, 1]) {
      let sum = 0;
      let largest = 0;
      for (let i = n * size; i < (n + 1) * size; i++) {
        const dx = (i % SHAPE.width) * 1024 - sources[2 * i]!;
        sum += dx;
        largest = Math.max(largest, Math.abs(dx) / 1024);
      }
      const alpha = alphas[n]!;
      if (largest > alpha + 1e-3 || largest < alpha * (n === 0 ? 0.9 : 0.05)) throw new Error(`sample ${n}: max |dx| ${largest} for alpha ${alpha}`);
      if (Math.abs(sum / size / 1024) > alpha * 0.1) throw new Error(`sample ${n}: mean dx ${sum / size / 1024} for alpha ${alpha}`);
    }
  },
  'image = 255·mask stays aligned under nearest piecewise and elastic warps': async ({ gpu, random }) => {
    const masks = randomMasks(random, SHAPE);
    const images = Float32Array.from(masks, (v) => 255 * v);
    const piecewise = await runPiecewise(gpu, random, [0, 1, 2].map(() => ({ rows: 3, cols: 3, displacements: jitteredGrid(random, SHAPE, 3, 3, 0.05), interpolation: 'nearest' as const })), images, masks, 'aligned piecewise');
    assertEqualArrays(piecewise.images, Float32Array.from(piecewise.masks, (v) => 255 * v), 'piecewise image vs 255·mask');
    const elastic = await runElastic(gpu, [0, 1, 2].map((n) => elasticRow({ seed: n, alpha: 3, sigma: 0.25, interpolation: 'nearest' }, SHAPE)), images, masks, 'aligned elastic');
    assertEqualArrays(elastic.images, Float32Array.from(elastic.masks, (v) => 255 * v), 'elastic image vs 255·mask');
  },
  'elastic weights follow imgaug ksize and sum to 2^14; bad parameters are rejected': async () => {
    const small = elasticWeights(0.25);
    if (small.length !== 3 || small[0] !== 16374 || small[1] !== 5 || small[2] !== 0) throw new Error(`sigma 0.25 weights ${small}`);
    for (const sigma of [0.25, 1, 2, 3.5]) {
      const weights = elasticWeights(sigma);
      if (weights[0]! + 2 * weights.slice(1).reduce((a, b) => a + b, 0) !== 16384) throw new Error(`sigma ${sigma}: weights ${weights} do not sum to 2^14`);
    }
    await expectError(() => elasticRow({ seed: 1, alpha: 64, sigma: 0.25 }, SHAPE), ['elastic', 'alpha', '64']);
    await expectError(() => elasticRow({ seed: 1.5, alpha: 1, sigma: 0.25 }, SHAPE), ['seed', '1.5']);
    await expectError(() => elasticWeights(12), ['elastic', 'radius']);
    await expectError(() => piecewiseAffineRow({ rows: 5, cols: 4, displacements: [] }, SHAPE), ['piecewiseAffine', '5 × 4']);
    await expectError(() => piecewiseAffineRow({ rows: 2, cols: 2, displacements: [0, 0] }, SHAPE), ['piecewiseAffine', '2 displacement values']);
  },
});
