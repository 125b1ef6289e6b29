/**
 * The plans the policy compiles, run by @ulseg/kernels' augmentBatch: every step checked against its float64
 * reference (augmentStepwise), masks aligned with images, the debug grid.
 */
import { augmentBatch, type BatchShape } from '@ulseg/kernels';
import { assertEqualArrays, augmentStepwise, defineCases, expectError, randomImages, randomMasks, Random, readPair, uploadBatch } from '@ulseg/kernels/testing';
import { augmentGrid } from './augment-grid.js';
import { compileAugmentPlan, type SampleOp } from './augment-plan.js';
import { planAugmentation } from './augment-policy.js';

const SHAPE: BatchShape = { batch: 3, height: 23, width: 19 };

/** Every kind of op at least once, each sample in its own order. */
const EVERY_OP: SampleOp[][] = [
  [
    { kind: 'verticalFlip' },
    { kind: 'affine', parameters: { scaleX: 1.1, scaleY: 0.9, translateX: 3, translateY: -2, rotate: 8, shearX: 4, shearY: 4 }, interpolation: 'bilinear', border: 'symmetric', fill: 30 },
    { kind: 'elastic', alpha: 2.5, sigma: 0.25, seed: 77, interpolation: 'bicubic' },
    { kind: 'gaussianBlur', sigma: 1.5, truncate: 'imgaug' },
    { kind: 'coarseDropout', p: 0.2, sizePercentY: 0.1, sizePercentX: 0.2, minSize: 3, seed: 5 },
  ],
  [
    { kind: 'crop', crop: { top: 1, right: 0, bottom: 1, left: 1 }, interpolation: 'bicubic' },
    { kind: 'horizontalFlip' },
    { kind: 'sharpen', alpha: 0.6, lightness: 1.1 },
    { kind: 'piecewiseAffine', rows: 3, cols: 4, scale: 0.03, displacements: Array.from({ length: 24 }, (_, i) => ((i * 7) % 5) - 2), interpolation: 'bilinear' },
    { kind: 'medianBlur', k: 5 },
    { kind: 'gaussianNoise', sigma: 8, seed: 6 },
  ],
  [
    { kind: 'affine', parameters: { scaleX: 0.85, scaleY: 1.15, translateX: -4, translateY: 4, rotate: -9, shearX: -3, shearY: -3 }, interpolation: 'nearest', border: 'wrap', fill: 0 },
    { kind: 'linearContrast', alpha: 1.2 },
    { kind: 'meanBlur', k: 4 },
    { kind: 'pixelDropout', p: 0.05, seed: 9 },
  ],
];

export const augmentPlanCases = defineCases('augment-plan', {
  'augmentBatch with every op equals its steps run one by one, each step matching its reference': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    const plan = compileAugmentPlan(EVERY_OP, SHAPE);
    const inputImages = uploadBatch(gpu, images, SHAPE);
    const inputMasks = uploadBatch(gpu, masks, SHAPE);
    const got = await readPair(gpu, augmentBatch(gpu, inputImages, inputMasks, plan));
    const want = await augmentStepwise(gpu, plan, images, masks);
    assertEqualArrays(got.images, want.images, 'augmentBatch images vs steps');
    assertEqualArrays(got.masks, want.masks, 'augmentBatch masks vs steps');
    assertEqualArrays(await gpu.read(inputImages), images, 'input images untouched');
    assertEqualArrays(await gpu.read(inputMasks), masks, 'input masks untouched');
  },
  'a random plan of the original policy of 4 samples runs and matches its steps': async ({ gpu, random }) => {
    const shape = { ...SHAPE, batch: 4 };
    const plan = planAugmentation(new Random(2024), shape, { enhancedCount: [3, 5] });
    const images = randomImages(random, shape);
    const masks = randomMasks(random, shape);
    const got = await readPair(gpu, augmentBatch(gpu, uploadBatch(gpu, images, shape), uploadBatch(gpu, masks, shape), plan));
    const want = await augmentStepwise(gpu, plan, images, masks);
    assertEqualArrays(got.images, want.images, 'images');
    assertEqualArrays(got.masks, want.masks, 'masks');
  },
  'image = 255·mask stays aligned through nearest geometric ops and deformations': async ({ gpu, random }) => {
    const shape = { ...SHAPE, batch: 6 };
    const plan = planAugmentation(new Random(5), shape, {
      horizontalFlip: { p: 0.5 },
      crop: { p: 0.7, interpolation: 'nearest' },
      affine: { p: 0.8, interpolations: ['nearest'], borders: ['constant'], fill: [0, 0] },
      enhanced: ['piecewiseAffine', 'elastic'],
      enhancedCount: [1, 2],
      piecewiseAffine: { p: 1, interpolation: 'nearest' },
      elastic: { p: 1, interpolation: 'nearest' },
    });
    const masks = randomMasks(random, shape);
    const images = Float32Array.from(masks, (v) => 255 * v);
    const got = await readPair(gpu, augmentBatch(gpu, uploadBatch(gpu, images, shape), uploadBatch(gpu, masks, shape), plan));
    assertEqualArrays(got.images, Float32Array.from(got.masks, (v) => 255 * v), 'image vs 255·mask');
    if (plan.steps.length < 3) throw new Error(`only ${plan.steps.length} steps`);
  },
  'empty op lists compile to no steps (augmentBatch copies); a geometric op after a non-geometric one is rejected': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    const inputs = { images: uploadBatch(gpu, images, SHAPE), masks: uploadBatch(gpu, masks, SHAPE) };
    const plan = compileAugmentPlan([[], [], []], SHAPE);
    if (plan.steps.length !== 0) throw new Error(`${plan.steps.length} steps for empty op lists`);
    const got = await readPair(gpu, augmentBatch(gpu, inputs.images, inputs.masks, plan));
    assertEqualArrays(got.images, images, 'copied images');
    assertEqualArrays(got.masks, masks, 'copied masks');
    await expectError(() => compileAugmentPlan([[], []], SHAPE), ['2 op lists for a batch of 3']);
    await expectError(() => compileAugmentPlan([[{ kind: 'sharpen', alpha: 1, lightness: 1 }, { kind: 'horizontalFlip' }], [], []], SHAPE), ['geometric op after']);
  },
  'augmentGrid tiles R·C augmented copies into [1, 1, R·H, C·W], tile (0, 0) the original': async ({ gpu, random }) => {
    const source = { batch: 1, height: SHAPE.height, width: SHAPE.width };
    const images = randomImages(random, source);
    const masks = randomMasks(random, source);
    const grid = augmentGrid(gpu, uploadBatch(gpu, images, source), uploadBatch(gpu, masks, source), 2, 3, new Random(11), { policy: { enhancedCount: [2, 4] } });
    const { height, width } = SHAPE;
    for (const tensor of [grid.images, grid.masks]) if (tensor.shape.join() !== [1, 1, 2 * height, 3 * width].join()) throw new Error(`grid shape ${tensor.shape}`);
    const got = await readPair(gpu, grid);
    const repeated = (data: Float32Array): Float32Array => {
      const out = new Float32Array(6 * height * width);
      for (let k = 0; k < 6; k++) out.set(data, k * height * width);
      return out;
    };
    const batch = { batch: 6, height, width };
    const want = await readPair(gpu, augmentBatch(gpu, uploadBatch(gpu, repeated(images), batch), uploadBatch(gpu, repeated(masks), batch), grid.plan));
    const tile = (data: Float32Array, k: number): Float32Array =>
      Float32Array.from({ length: height * width }, (_, i) => data[(Math.floor(k / 3) * height + Math.floor(i / width)) * 3 * width + (k % 3) * width + (i % width)]!);
    for (let k = 0; k < 6; k++) {
      assertEqualArrays(tile(got.images, k), want.images.subarray(k * height * width, (k + 1) * height * width), `image tile ${k}`);
      assertEqualArrays(tile(got.masks, k), want.masks.subarray(k * height * width, (k + 1) * height * width), `mask tile ${k}`);
    }
    assertEqualArrays(tile(got.images, 0), images, 'tile 0 is the original');
  },
});
