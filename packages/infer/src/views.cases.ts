import { assertClose, compare, defineCases, expectError, poisoned, randomArray } from '@ulseg/kernels/testing';
import type { Gpu } from '@ulseg/kernels';
import { augmentViews, mergeViews, resolveViews, TTA_PRESETS, type TtaView } from './views.js';
import { augmentViewsReference, mergeViewsReference } from './views.reference.js';

const VIEW_SETS: readonly (readonly TtaView[])[] = [TTA_PRESETS.flips, TTA_PRESETS.none, ['rot180', 'hflip'], ['vflip', 'identity', 'rot180']];
/** Odd sizes (view blocks land at offsets kernels cannot bind: the copy path) and a model-like aligned size. */
const SHAPES = [
  [3, 2, 7, 9],
  [1, 1, 13, 5],
  [2, 1, 32, 32],
];
const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

async function merged(gpu: Gpu, logits: Float32Array, shape: readonly number[], views: readonly TtaView[]): Promise<Float32Array> {
  const [n, c, h, w] = shape as [number, number, number, number];
  return gpu.read(mergeViews(gpu, gpu.upload(logits, [views.length * n, c, h, w]), views, poisoned(gpu, shape)));
}

export const viewsCases = defineCases('tta views', {
  'augmentViews matches float64 on odd and aligned shapes for every view set': async ({ gpu, random }) => {
    for (const shape of SHAPES) {
      for (const views of VIEW_SETS) {
        const x = randomArray(random, count(shape));
        const outShape = [views.length * shape[0]!, ...shape.slice(1)];
        const y = augmentViews(gpu, gpu.upload(x, shape), views, poisoned(gpu, outShape));
        assertClose(await gpu.read(y), augmentViewsReference(x, shape, views), 'exact', `augmentViews ${shape} ${views}`);
      }
    }
  },
  'mergeViews matches float64 (de-augment, mean in view order, sigmoid) on odd and aligned shapes': async ({ gpu, random }) => {
    for (const shape of SHAPES) {
      for (const views of VIEW_SETS) {
        const logits = randomArray(random, views.length * count(shape), { low: -4, high: 4 });
        assertClose(await merged(gpu, logits, shape, views), mergeViewsReference(logits, shape, views), 'elementwise', `mergeViews ${shape} ${views}`);
      }
    }
  },
  'a non-equivariant map tells the de-augmentation order apart; merge ∘ augment of x is σ(x)': async ({ gpu, random }) => {
    const shape = [2, 1, 9, 11];
    const views = TTA_PRESETS.flips;
    const x = randomArray(random, count(shape), { low: -3, high: 3 });
    const augmented = augmentViews(gpu, gpu.upload(x, shape), views);
    const probability = await gpu.read(mergeViews(gpu, augmented, views));
    assertClose(probability, Float64Array.from(x, (value) => 1 / (1 + Math.exp(-value))), 'elementwise', 'merge(augment(x))');
    // Per-view logits that differ in a position-dependent way: only the right inverse per view reproduces the reference.
    const logits = randomArray(random, views.length * count(shape), { low: -4, high: 4 });
    const got = await merged(gpu, logits, shape, views);
    assertClose(got, mergeViewsReference(logits, shape, views), 'elementwise', 'mergeViews flips');
    const swapped = mergeViewsReference(logits, shape, ['identity', 'vflip', 'hflip', 'rot180']);
    if (!(compare(got, swapped).relativeL2 > 1e-2)) throw new Error('swapping the hflip and vflip inverses should change the merge');
  },
  'bad calls name the problem': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(2 * 3 * 4), [2, 1, 3, 4]);
    await expectError(() => mergeViews(gpu, x, TTA_PRESETS.flips), ['2 logit maps', 'do not divide into 4 views']);
    await expectError(() => augmentViews(gpu, x, ['identity', 'spin' as TtaView]), ["unknown view 'spin'"]);
    await expectError(() => augmentViews(gpu, x, ['hflip', 'hflip']), ['a view is repeated']);
    await expectError(() => augmentViews(gpu, x, TTA_PRESETS.flips, gpu.empty([4, 1, 3, 4])), ['output [4, 1, 3, 4] should be [8, 1, 3, 4]']);
    await expectError(() => augmentViews(gpu, gpu.upload(new Float32Array(12), [12]), TTA_PRESETS.none), ['expects [N, C, H, W]', 'got [12]']);
    await expectError(() => resolveViews(''), ['no views']);
    if (resolveViews('none').join() !== 'identity' || resolveViews('rot180, vflip').join() !== 'rot180,vflip') throw new Error('resolveViews presets/lists');
  },
});
