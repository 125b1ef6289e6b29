import { defineCases, expectError } from '../../testing/index.js';
import { affineRow, cropResizeStage, flipStage, fullWindow, imgaugAffineMatrix, type AffineParameters } from '../augment-geometric/warp-matrix.js';
import { WARP_STRIDES } from '../augment-geometric/warp.js';
import { elasticRow, piecewiseAffineRow } from '../augment-deform/deform.js';
import {
  coarseDropoutRow,
  gaussianBlurRow,
  gaussianNoiseRow,
  INTENSITY_STRIDES,
  linearContrastRow,
  meanBlurRow,
  medianBlurRow,
  pixelDropoutRow,
  sharpenRow,
} from '../augment-intensity/intensity.js';
import { tableFromRows, type BatchShape, type BorderMode, type Interpolation } from './augment-common.js';
import { AUGMENT_KERNELS, augmentBatch, type AugmentLayout, type AugmentStep, type StepKernel } from './augment-batch.js';
import { assertEqualArrays, augmentStepwise, randomImages, randomMasks, readPair, uploadBatch } from './augment-testing.js';

const SHAPE: BatchShape = { batch: 3, height: 23, width: 19 };
const { height: H, width: W } = SHAPE;

/** A step whose samples are those with a row. */
function step(kernel: StepKernel, rows: readonly (readonly number[] | undefined)[]): AugmentStep {
  const stride = kernel.family === 'warp' ? WARP_STRIDES[kernel.field] : INTENSITY_STRIDES[kernel.op];
  return { kernel, stride, table: tableFromRows(rows, stride), samples: rows.flatMap((row, n) => (row ? [n] : [])) };
}

function affine(parameters: AffineParameters, interpolation: Interpolation, border: BorderMode, fill: number): number[] {
  return affineRow({ matrix: imgaugAffineMatrix(parameters, H, W), interpolation, border, fill, window: fullWindow(H, W) });
}

/** Every kernel at least once, a different subset of the samples in each step (layouts are what @ulseg/train compiles). */
const EVERY_STEP: AugmentLayout = {
  ...SHAPE,
  steps: [
    step({ family: 'warp', field: 'affine' }, [
      affineRow(flipStage(H, W, false, true)),
      affineRow(cropResizeStage(H, W, { top: 1, right: 0, bottom: 1, left: 1 }, 'bicubic')),
      affine({ scaleX: 0.85, scaleY: 1.15, translateX: -4, translateY: 4, rotate: -9, shearX: -3, shearY: -3 }, 'nearest', 'wrap', 0),
    ]),
    step({ family: 'warp', field: 'affine' }, [
      affine({ scaleX: 1.1, scaleY: 0.9, translateX: 3, translateY: -2, rotate: 8, shearX: 4, shearY: 4 }, 'bilinear', 'symmetric', 30),
      affineRow(flipStage(H, W, true, false)),
      undefined,
    ]),
    step({ family: 'warp', field: 'elastic' }, [elasticRow({ seed: 77, alpha: 2.5, sigma: 0.25, interpolation: 'bicubic' }, SHAPE), undefined, undefined]),
    step({ family: 'intensity', op: 'sharpen' }, [undefined, sharpenRow(0.6, 1.1), undefined]),
    step({ family: 'warp', field: 'piecewise' }, [
      undefined,
      piecewiseAffineRow({ rows: 3, cols: 4, displacements: Array.from({ length: 24 }, (_, i) => ((i * 7) % 5) - 2), interpolation: 'bilinear' }, SHAPE),
      undefined,
    ]),
    step({ family: 'intensity', op: 'linearContrast' }, [undefined, undefined, linearContrastRow(1.2)]),
    step({ family: 'intensity', op: 'blur' }, [gaussianBlurRow(1.5, 'imgaug'), undefined, meanBlurRow(4)]),
    step({ family: 'intensity', op: 'medianBlur' }, [undefined, medianBlurRow(5), undefined]),
    step({ family: 'intensity', op: 'dropout' }, [coarseDropoutRow(0.2, 0.1, 0.2, 5, SHAPE, 3), undefined, pixelDropoutRow(0.05, 9, SHAPE)]),
    step({ family: 'intensity', op: 'gaussianNoise' }, [undefined, gaussianNoiseRow(8, 6), undefined]),
  ],
};

export const augmentBatchCases = defineCases('augment-batch', {
  'AUGMENT_KERNELS compile ahead of time (warmUp), every kernel a plan can use': async ({ gpu }) => {
    await gpu.pipelines.warmUp(AUGMENT_KERNELS);
    const names = new Set(AUGMENT_KERNELS.map((kernel) => kernel.name));
    for (const name of ['augmentWarp.affine', 'augmentWarp.piecewise', 'augmentWarp.elastic', 'augmentIntensity.blurRows', 'augmentIntensity.medianBlur', 'augmentTile']) {
      if (!names.has(name)) throw new Error(`AUGMENT_KERNELS lacks ${name}`);
    }
  },
  'augmentBatch with every kernel equals its steps run one by one, each step matching its reference': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    const inputImages = uploadBatch(gpu, images, SHAPE);
    const inputMasks = uploadBatch(gpu, masks, SHAPE);
    const got = await readPair(gpu, augmentBatch(gpu, inputImages, inputMasks, EVERY_STEP));
    const want = await augmentStepwise(gpu, EVERY_STEP, images, masks);
    assertEqualArrays(got.images, want.images, 'augmentBatch images vs steps');
    assertEqualArrays(got.masks, want.masks, 'augmentBatch masks vs steps');
    assertEqualArrays(await gpu.read(inputImages), images, 'input images untouched');
    assertEqualArrays(await gpu.read(inputMasks), masks, 'input masks untouched');
  },
  'an empty layout returns fresh copies; a layout for another shape is rejected': async ({ gpu, random }) => {
    const images = randomImages(random, SHAPE);
    const masks = randomMasks(random, SHAPE);
    const inputs = { images: uploadBatch(gpu, images, SHAPE), masks: uploadBatch(gpu, masks, SHAPE) };
    const out = augmentBatch(gpu, inputs.images, inputs.masks, { ...SHAPE, steps: [] });
    if (out.images.buffer === inputs.images.buffer || out.masks.buffer === inputs.masks.buffer) throw new Error('outputs alias the inputs');
    const got = await readPair(gpu, out);
    assertEqualArrays(got.images, images, 'copied images');
    assertEqualArrays(got.masks, masks, 'copied masks');
    await expectError(() => augmentBatch(gpu, inputs.images, inputs.masks, { ...SHAPE, width: 20, steps: [] }), ['augmentBatch', 'images', '[3, 1, 23, 19]', '[3, 1, 23, 20]']);
  },
});
