import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { noGrad, Tensor } from '@ulseg/autograd';
import { gpuFor } from '@ulseg/kernels/testing';
import { SegmentationModel } from './segmentation-model.js';

const fixtures = new URL('../../../test/fixtures/b6/', import.meta.url);
const cases = (JSON.parse(readFileSync(new URL('feature_shapes.json', fixtures), 'utf8')) as { cases: { input: number[]; encoder_features?: number[][] }[] }).cases;

it('Linknet-B6 features and logits have the shapes of feature_shapes.json; 300x300 is refused with the nearest valid size', { timeout: 300_000 }, async () => {
  const gpu = await gpuFor('lavapipe');
  const model = new SegmentationModel(gpu, { encoder: 'efficientnet-b6', inChannels: 1, classes: 1 }).eval();
  const square = cases.find((entry) => entry.input.join() === '1,1,256,256')!;
  const x = Tensor.zeros(gpu, square.input);
  const features = noGrad(() => model.encoder.forward(x));
  expect(features.map((feature) => [...feature.shape])).toEqual(square.encoder_features);
  const logits = noGrad(() => model.forward(x));
  expect(logits.shape).toEqual([1, 1, 256, 256]);
  expect(Number.isFinite((await logits.toArray())[0])).toBe(true);
  expect(() => model.forward(Tensor.zeros(gpu, [1, 1, 300, 300]))).toThrow(/multiples of 32.*resize to 288x288/);
  model.dispose();
});
