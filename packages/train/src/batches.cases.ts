/**
 * The model inputs the loop builds, against float64 references of the original's dataset.py (Pillow resizes on
 * 8-bit planes, /255): random scans of odd sizes (smaller and larger than R), every output element checked, the
 * pool pre-filled with poisoned buffers of the output size so an unwritten element reads NaN.
 */
import { augmentBatch, type Gpu } from '@ulseg/kernels';
import { nearestReference, pillowResizeReference } from '@ulseg/kernels/reference';
import { assertClose, defineCases, expectError, poisoned, type Random } from '@ulseg/kernels/testing';
import { planAugmentation } from './augment/augment-policy.js';
import { evaluationBatch, trainingBatch, type TrainingSample } from './batches.js';
import { augmentPreview } from './preview.js';
import { augmentationRandom } from './streams.js';

const RESOLUTION = 64;
const SIZES: [number, number][] = [
  [37, 45],
  [71, 53],
  [97, 130],
];
/** Pillow's results are exact integers; /255 in float32 is within an ulp of the float64 quotient. */
const SCALED = { maxAbsolute: 1e-6 };

function randomSample(random: Random, id: string, height: number, width: number): TrainingSample {
  const image = Uint8Array.from({ length: height * width }, () => random.integer(0, 255));
  const mask = new Uint8Array(height * width);
  for (let r = 0; r < 3; r++) {
    const y0 = random.integer(0, height - 2);
    const x0 = random.integer(0, width - 2);
    const y1 = Math.min(height, y0 + random.integer(2, height / 2));
    const x1 = Math.min(width, x0 + random.integer(2, width / 2));
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * width + x] = 255;
  }
  return { id, image: { width, height, data: image }, mask: { width, height, data: mask } };
}

function samplesOf(random: Random): TrainingSample[] {
  return SIZES.map(([height, width], index) => randomSample(random, `${index + 1}.png`, height, width));
}

/** Leaves poisoned buffers of the batch's size class in the pool, so the batch's outputs start as NaN. */
function poisonPool(gpu: Gpu, count: number): void {
  const buffers = Array.from({ length: 6 }, () => poisoned(gpu, [count, 1, RESOLUTION, RESOLUTION]));
  for (const buffer of buffers) gpu.release(buffer);
}

const plane = (data: Uint8Array, scale: number): Float64Array => Float64Array.from(data, (value) => value * scale);

export const batchCases = defineCases('train/batches', {
  'training inputs without augmentation: Pillow bicubic of the image / 255, Pillow nearest of the mask': async ({ gpu, random }) => {
    const samples = samplesOf(random);
    poisonPool(gpu, samples.length);
    const batch = trainingBatch(gpu, samples, RESOLUTION);
    const images = await gpu.read(batch.images);
    const masks = await gpu.read(batch.masks);
    const size = RESOLUTION * RESOLUTION;
    samples.forEach((sample, n) => {
      const shape = [1, 1, sample.image.height, sample.image.width];
      const image = pillowResizeReference(plane(sample.image.data, 1), shape, RESOLUTION, RESOLUTION, 'bicubic').map((value) => value / 255);
      const mask = nearestReference(plane(sample.mask.data, 1 / 255), shape, RESOLUTION, RESOLUTION);
      assertClose(images.subarray(n * size, (n + 1) * size), image, SCALED, `${sample.id} image`);
      assertClose(masks.subarray(n * size, (n + 1) * size), mask, 'exact', `${sample.id} mask`);
    });
    gpu.release(batch.images);
    gpu.release(batch.masks);
  },

  'evaluation inputs: Pillow bilinear of image and {0, 255} mask, both / 255 (soft mask edges)': async ({ gpu, random }) => {
    const samples = samplesOf(random);
    poisonPool(gpu, samples.length);
    const batch = evaluationBatch(gpu, samples, RESOLUTION);
    const images = await gpu.read(batch.images);
    const masks = await gpu.read(batch.masks);
    const size = RESOLUTION * RESOLUTION;
    let soft = 0;
    samples.forEach((sample, n) => {
      const shape = [1, 1, sample.image.height, sample.image.width];
      const image = pillowResizeReference(plane(sample.image.data, 1), shape, RESOLUTION, RESOLUTION, 'bilinear').map((value) => value / 255);
      const mask = pillowResizeReference(plane(sample.mask.data, 1), shape, RESOLUTION, RESOLUTION, 'bilinear').map((value) => value / 255);
      assertClose(images.subarray(n * size, (n + 1) * size), image, SCALED, `${sample.id} image`);
      assertClose(masks.subarray(n * size, (n + 1) * size), mask, SCALED, `${sample.id} mask`);
      soft += mask.filter((value) => value > 0 && value < 1).length;
    });
    if (soft === 0) throw new Error('expected soft mask edges from the bilinear resize');
    gpu.release(batch.images);
    gpu.release(batch.masks);
  },

  'augmented training inputs: each sample augmented at its own size from its own stream, then resized': { timeoutMs: 180_000, run: async ({ gpu, random }) => {
    const samples = samplesOf(random);
    const policy = { enhancedCount: [2, 4] as const, affine: { p: 1 } };
    const stream = (position: number) => augmentationRandom(7, 2, 3, 10 + position);
    poisonPool(gpu, samples.length);
    const batch = trainingBatch(gpu, samples, RESOLUTION, { policy, random: stream });
    const images = await gpu.read(batch.images);
    const masks = await gpu.read(batch.masks);
    const size = RESOLUTION * RESOLUTION;
    for (const [n, sample] of samples.entries()) {
      // The same plan run on its own: the batch must be exactly it, resized as the reference resizes.
      const { height, width } = sample.image;
      const shape = { batch: 1, height, width };
      const plan = planAugmentation(stream(n), shape, policy);
      if (plan.samples[0]!.length === 0) throw new Error(`${sample.id}: the policy drew no augmentation`);
      const image = gpu.upload(Float32Array.from(sample.image.data), [1, 1, height, width]);
      const mask = gpu.upload(Float32Array.from(sample.mask.data, (value) => value / 255), [1, 1, height, width]);
      const augmented = augmentBatch(gpu, image, mask, plan);
      const augmentedImage = await gpu.read(augmented.images);
      const augmentedMask = await gpu.read(augmented.masks);
      for (const tensor of [image, mask, augmented.images, augmented.masks]) gpu.release(tensor);
      const planeShape = [1, 1, height, width];
      const wantImage = pillowResizeReference(augmentedImage, planeShape, RESOLUTION, RESOLUTION, 'bicubic').map((value) => value / 255);
      const wantMask = nearestReference(augmentedMask, planeShape, RESOLUTION, RESOLUTION);
      assertClose(images.subarray(n * size, (n + 1) * size), wantImage, SCALED, `${sample.id} augmented image`);
      assertClose(masks.subarray(n * size, (n + 1) * size), wantMask, 'exact', `${sample.id} augmented mask`);
      if (!wantMask.every((value) => value === 0 || value === 1)) throw new Error(`${sample.id}: augmented mask is not binary`);
      const plain = pillowResizeReference(plane(sample.image.data, 1), planeShape, RESOLUTION, RESOLUTION, 'bicubic').map((value) => value / 255);
      if (plain.every((value, index) => value === images[n * size + index])) throw new Error(`${sample.id}: augmentation changed nothing`);
    }
    gpu.release(batch.images);
    gpu.release(batch.masks);
  } },

  'augment preview: the first epoch\'s inputs as tiles, gray with the mask outline red and its inside tinted': { timeoutMs: 120_000, run: async ({ gpu, random }) => {
    const samples = samplesOf(random);
    const preview = await augmentPreview(gpu, samples, { count: 4, resolution: RESOLUTION, seed: 9, fold: 2, columns: 3 });
    const width = 3 * RESOLUTION + 2 * 2;
    if (preview.width !== width || preview.height !== 2 * RESOLUTION + 2) throw new Error(`preview is ${preview.width}x${preview.height}`);
    const order = [0, 1, 2, 0];
    const batch = trainingBatch(gpu, order.map((index) => samples[index]!), RESOLUTION, { policy: {}, random: (position) => augmentationRandom(9, 2, 0, position) });
    const images = await gpu.read(batch.images);
    const masks = await gpu.read(batch.masks);
    gpu.release(batch.images);
    gpu.release(batch.masks);
    const size = RESOLUTION;
    const inside = (k: number, y: number, x: number): boolean => y >= 0 && x >= 0 && y < size && x < size && masks[k * size * size + y * size + x]! >= 0.5;
    let outline = 0;
    for (let k = 0; k < 4; k++) {
      const [top, left] = [Math.floor(k / 3) * (size + 2), (k % 3) * (size + 2)];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const grey = Math.round(Math.min(Math.max(images[k * size * size + y * size + x]! * 255, 0), 255));
          const edge = inside(k, y, x) && !(inside(k, y - 1, x) && inside(k, y + 1, x) && inside(k, y, x - 1) && inside(k, y, x + 1));
          const tinted = Math.round(0.7 * grey);
          const want = edge ? [255, 0, 0] : inside(k, y, x) ? [Math.round(0.7 * grey + 0.3 * 255), tinted, tinted] : [grey, grey, grey];
          const at = ((top + y) * width + left + x) * 3;
          const got = [...preview.data.subarray(at, at + 3)];
          if (got.join() !== want.join()) throw new Error(`tile ${k} pixel (${y}, ${x}): got ${got.join()}, want ${want.join()}`);
          if (edge) outline++;
        }
      }
    }
    if (outline === 0) throw new Error('no mask outline drawn');
    const gap = [...preview.data.subarray((size * width + 5) * 3, (size * width + 5) * 3 + 3)];
    if (gap.join() !== '40,40,40') throw new Error(`gap pixel ${gap.join()}`);
  } },

  'bad samples and resolutions are refused, naming the sample': async ({ gpu, random }) => {
    const sample = randomSample(random, 'odd.png', 30, 40);
    const shifted = { ...sample, mask: { width: 41, height: 30, data: new Uint8Array(41 * 30) } };
    await expectError(() => trainingBatch(gpu, [shifted], RESOLUTION), ['odd.png', 'mask 41x30 does not match image 40x30']);
    await expectError(() => evaluationBatch(gpu, [sample], 48), ['multiple of 32', '48']);
    await expectError(() => trainingBatch(gpu, [], RESOLUTION), ['at least one sample']);
    await gpu.sync();
  },
});
