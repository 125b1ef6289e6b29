import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { gpuFor } from '@ulseg/kernels/testing';
import { SegmentationModel } from './segmentation-model.js';

const fixtures = new URL('../../../test/fixtures/b6/', import.meta.url);

it('Linknet-B6 has exactly the 1081 state_dict keys and shapes of the original, and 41,247,957 parameter values', { timeout: 120_000 }, async () => {
  const gpu = await gpuFor('lavapipe');
  const model = new SegmentationModel(gpu, { encoder: 'efficientnet-b6', inChannels: 1, classes: 1 });
  const expected = JSON.parse(readFileSync(new URL('state_dict.json', fixtures), 'utf8')) as [string, number[], string][];
  const state = model.stateDict();
  expect(state.map(([key, tensor]) => [key, [...tensor.shape]])).toEqual(expected.map(([key, shape]) => [key, shape]));
  const values = state.filter(([key]) => !key.endsWith('num_batches_tracked')).reduce((total, [, tensor]) => total + tensor.size, 0);
  const parameters = model.parameters().reduce((total, tensor) => total + tensor.size, 0);
  expect(parameters).toBe(41_247_957);
  expect(values).toBeGreaterThan(parameters);
  model.dispose();
});
