import { assertClose, defineCases, expectError, type Random } from '../../testing/index.js';
import { BORDER_MODES, INTERPOLATIONS, shapeOf, tableFromRows, type BatchShape, type BorderMode, type Interpolation } from '../augment/augment-common.js';
import {
  assertEqualArrays,
  AUGMENT_IMAGE_TOLERANCE,
  mismatchFraction,
  poisonedPair,
  randomImages,
  randomMasks,
  readPair,
  SHAPE,
  uploadBatch,
} from '../augment/augment-testing.js';
import {
  affineRow,
  AFFINE_STRIDE,
  cropResizeStage,
  flipStage,
  foldFlips,
  fullWindow,
  IDENTITY_MATRIX,
  imgaugAffineMatrix,
  type Matrix2x3,
  type WarpStage,
} from './warp-matrix.js';
import { augmentWarp } from './warp.js';
import { warpReference } from './warp.reference.js';

function randomAffine(random: Random, shape: BatchShape, interpolation: Interpolation, border: BorderMode, scale = random.uniform(0.8, 1.2)): WarpStage {
  const shear = random.uniform(-5, 5);
  const matrix = imgaugAffineMatrix(
    {
      scaleX: scale,
      scaleY: random.uniform(0.8, 1.2),
      translateX: random.uniform(-0.2, 0.2) * shape.width,
      translateY: random.uniform(-0.2, 0.2) * shape.height,
      rotate: random.uniform(-10, 10),
      shearX: shear,
      shearY: shear,
    },
    shape.height,
    shape.width,
  );
  return { matrix, interpolation, border, fill: random.uniform(0, 255), window: fullWindow(shape.height, shape.width) };
}

/** Runs one affine-field dispatch on random inputs and checks it against the reference: masks exact. */
async function checkStages(context: { gpu: import('../../runtime/gpu.js').Gpu; random: Random }, stages: readonly (WarpStage | undefined)[], label: string): Promise<void> {
  const { gpu, random } = context;
  const images = randomImages(random, SHAPE);
  const masks = randomMasks(random, SHAPE);
  const table = tableFromRows(stages.map((stage) => stage && affineRow(stage)), AFFINE_STRIDE);
  const out = augmentWarp(gpu, 'affine', uploadBatch(gpu, images, SHAPE), uploadBatch(gpu, masks, SHAPE), gpu.upload(table, [SHAPE.batch, AFFINE_STRIDE]), poisonedPair(gpu, SHAPE));
  const got = await readPair(gpu, out);
  const want = warpReference(images, masks, SHAPE, table, AFFINE_STRIDE);
  assertClose(got.masks, want.masks, 'exact', `${label}: masks`);
  assertClose(got.images, want.images, AUGMENT_IMAGE_TOLERANCE, `${label}: images`);
}

export const warpCases = defineCases('augment-warp', {
  'identity matrix (every interpolation and border) and disabled rows copy images and masks exactly': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    for (const border of BORDER_MODES) {
      const rows = INTERPOLATIONS.map((interpolation, n) =>
        n === 2 && border === 'wrap' ? undefined : affineRow({ matrix: IDENTITY_MATRIX, interpolation, border, fill: 7, window: fullWindow(SHAPE.height, SHAPE.width) }),
      );
      const table = gpu.upload(tableFromRows(rows, AFFINE_STRIDE), [3, AFFINE_STRIDE]);
      const got = await readPair(gpu, augmentWarp(gpu, 'affine', uploadBatch(gpu, images, SHAPE), uploadBatch(gpu, masks, SHAPE), table, poisonedPair(gpu, SHAPE)));
      assertEqualArrays(got.images, images, `identity images (${border})`);
      assertEqualArrays(got.masks, masks, `identity masks (${border})`);
    }
  },
  ...Object.fromEntries(
    BORDER_MODES.map((border) => [
      `affine with border '${border}': nearest, bilinear, bicubic (zoomed out past several periods) vs reference`,
      async (context: { gpu: import('../../runtime/gpu.js').Gpu; random: Random }) => {
        const stages = [randomAffine(context.random, SHAPE, 'nearest', border), randomAffine(context.random, SHAPE, 'bilinear', border), randomAffine(context.random, SHAPE, 'bicubic', border, 0.3)];
        await checkStages(context, stages, `affine ${border}`);
      },
    ]),
  ),
  'horizontal and vertical flips are exact permutations': async ({ gpu, random }) => {
    const { batch, height, width } = SHAPE;
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    const flips = [flipStage(height, width, true, false), flipStage(height, width, false, true), flipStage(height, width, true, true)];
    const table = gpu.upload(tableFromRows(flips.map(affineRow), AFFINE_STRIDE), [batch, AFFINE_STRIDE]);
    const got = await readPair(gpu, augmentWarp(gpu, 'affine', uploadBatch(gpu, images, SHAPE), uploadBatch(gpu, masks, SHAPE), table, poisonedPair(gpu, SHAPE)));
    const want = (data: Float32Array): Float32Array =>
      Float32Array.from(data, (_, i) => {
        const n = Math.floor(i / (height * width));
        const y = Math.floor(i / width) % height;
        const x = i % width;
        const sx = n !== 1 ? width - 1 - x : x;
        const sy = n !== 0 ? height - 1 - y : y;
        return data[(n * height + sy) * width + sx]!;
      });
    assertEqualArrays(got.images, want(images), 'flipped images');
    assertEqualArrays(got.masks, want(masks), 'flipped masks');
  },
  'crop each side then resize back (bicubic, bilinear, nearest; taps clamped to the crop box) vs reference': async (context) => {
    const { height, width } = SHAPE;
    const crop = (): { top: number; right: number; bottom: number; left: number } => ({
      top: context.random.integer(0, 4),
      right: context.random.integer(0, 4),
      bottom: context.random.integer(0, 4),
      left: context.random.integer(0, 4),
    });
    await checkStages(context, [cropResizeStage(height, width, crop()), cropResizeStage(height, width, crop(), 'bilinear'), cropResizeStage(height, width, crop(), 'nearest')], 'crop');
  },
  'image = 255·mask stays equal to 255·mask after nearest warps (affine, crop, flips folded in)': async ({ gpu, random }) => {
    const { height, width } = SHAPE;
    const masks = randomMasks(random, SHAPE);
    const images = Float32Array.from(masks, (v) => 255 * v);
    const stages = [
      { ...randomAffine(random, SHAPE, 'nearest', 'constant'), fill: 0 },
      cropResizeStage(height, width, { top: 2, right: 1, bottom: 0, left: 3 }, 'nearest'),
      foldFlips([flipStage(height, width, true, false), { ...randomAffine(random, SHAPE, 'nearest', 'constant'), fill: 0 }], height, width)[0]!,
    ];
    const table = gpu.upload(tableFromRows(stages.map(affineRow), AFFINE_STRIDE), [3, AFFINE_STRIDE]);
    const got = await readPair(gpu, augmentWarp(gpu, 'affine', uploadBatch(gpu, images, SHAPE), uploadBatch(gpu, masks, SHAPE), table, poisonedPair(gpu, SHAPE)));
    assertEqualArrays(got.images, Float32Array.from(got.masks, (v) => 255 * v), 'image vs 255·mask');
    if (!got.masks.some((v) => v === 1) || !got.masks.some((v) => v === 0)) throw new Error('degenerate warped masks');
  },
  'folding flips into a warp matches applying them one after another': async ({ gpu, random }) => {
    const { height, width } = SHAPE;
    const sequence: WarpStage[] = [flipStage(height, width, true, false), randomAffine(random, SHAPE, 'bilinear', 'reflect'), flipStage(height, width, false, true)];
    const folded = foldFlips(sequence, height, width);
    if (folded.length !== 1) throw new Error(`expected one folded stage, got ${folded.length}`);
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    let pair = { images: uploadBatch(gpu, images, SHAPE), masks: uploadBatch(gpu, masks, SHAPE) };
    for (const stage of sequence) pair = augmentWarp(gpu, 'affine', pair.images, pair.masks, gpu.upload(tableFromRows([stage, stage, stage].map(affineRow), AFFINE_STRIDE), [3, AFFINE_STRIDE]));
    const sequential = await readPair(gpu, pair);
    const once = await readPair(gpu, augmentWarp(gpu, 'affine', uploadBatch(gpu, images, SHAPE), uploadBatch(gpu, masks, SHAPE), gpu.upload(tableFromRows([folded[0]!, folded[0]!, folded[0]!].map(affineRow), AFFINE_STRIDE), [3, AFFINE_STRIDE])));
    // The matrices differ in the last bits, so Q10 positions may differ by a unit: a nearest tie or 1/1024 pixel.
    assertClose(once.images, sequential.images, { relativeL2: 1e-3 }, 'folded vs sequential images');
    if (mismatchFraction(once.masks, sequential.masks) > 0.01) throw new Error('folded vs sequential masks differ on over 1% of pixels');
  },
  'imgaug Affine matrices: identity, translation, scaling and rotation about the centre': async () => {
    const close = (got: Matrix2x3, want: Matrix2x3, label: string): void => void assertClose(got, want, { maxAbsolute: 1e-5 }, label);
    const none = { scaleX: 1, scaleY: 1, translateX: 0, translateY: 0, rotate: 0, shearX: 0, shearY: 0 };
    close(imgaugAffineMatrix(none, 37, 29), IDENTITY_MATRIX, 'identity');
    close(imgaugAffineMatrix({ ...none, translateX: 5, translateY: -3 }, 37, 29), [1, 0, -5, 0, 1, 3], 'translation');
    // Scale 2 about the centre (14, 18): source = centre + (p − centre)/2.
    close(imgaugAffineMatrix({ ...none, scaleX: 2, scaleY: 2 }, 37, 29), [0.5, 0, 7, 0, 0.5, 9], 'scale');
    // Rotation by 90° (skimage: x' = −y, y' = x about the centre): source = (cx + (y − cy), cy − (x − cx)).
    close(imgaugAffineMatrix({ ...none, rotate: 90 }, 21, 21), [0, 1, 0, -1, 0, 20], 'rotation');
  },
  'rejects bad shapes, a wrong table and aliased outputs': async ({ gpu }) => {
    const shape = shapeOf(SHAPE);
    const images = gpu.empty(shape);
    const masks = gpu.empty(shape);
    const table = gpu.empty([3, AFFINE_STRIDE]);
    await expectError(() => augmentWarp(gpu, 'affine', gpu.empty([3, 2, 37, 29]), masks, table), ['augmentWarp.affine', 'images', '[3, 2, 37, 29]']);
    await expectError(() => augmentWarp(gpu, 'affine', images, gpu.empty([3, 1, 37, 30]), table), ['masks', '[3, 1, 37, 30]', '[3, 1, 37, 29]']);
    await expectError(() => augmentWarp(gpu, 'affine', images, masks, gpu.empty([3, 8])), ['table', '[3, 8]', `[3, ${AFFINE_STRIDE}]`]);
    await expectError(() => augmentWarp(gpu, 'affine', images, masks, table, { images }), ['alias']);
    await expectError(() => cropResizeStage(37, 29, { top: 20, right: 0, bottom: 17, left: 0 }), ['cropResize', 'at least 1 × 1']);
  },
});
