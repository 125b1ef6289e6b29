/**
 * The seed's Linknet-B0 (../shared/fixtures/linknet-b0): our model loads the original's model.pth and reproduces
 * PyTorch's eval and train logits, the Dice loss, every parameter gradient and the BatchNorm running statistics.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F, noGrad, parseNpy, Tensor } from '@ulseg/autograd';
import { compare, gpuFor, testAdapterKinds } from '@ulseg/kernels/testing';
import { readPth } from './weights/pth.js';
import { readSafetensors } from './weights/safetensors.js';
import { SegmentationModel } from './segmentation-model.js';

const fixtures = new URL('../../../../shared/fixtures/linknet-b0/', import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, fixtures)));
const tolerances = JSON.parse(new TextDecoder().decode(read('tolerances.json'))) as {
  grads: Record<string, { max_abs_f64: number; max_abs_f32_vs_f64: number; zero_in_exact_arithmetic: boolean }>;
};

for (const kind of testAdapterKinds()) {
  describe(`Linknet-B0 against PyTorch on ${kind}`, () => {
    let model: SegmentationModel;
    let input: Tensor;
    let target: Tensor;
    let trained: { logits: Tensor; loss: Tensor } | undefined;
    beforeAll(async () => {
      const gpu = await gpuFor(kind);
      model = new SegmentationModel(gpu, { encoder: 'efficientnet-b0', inChannels: 1, classes: 1, dropConnectRate: 0 });
      model.load(await readPth(read('model.pth'), 'model.pth'), { source: 'model.pth' });
      input = Tensor.fromNpy(gpu, read('input.npy')).keep();
      target = Tensor.fromNpy(gpu, read('target.npy')).keep();
    }, 120_000);
    afterAll(() => model?.dispose());

    it('has the original state_dict: 455 keys in order, same shapes', () => {
      const expected = JSON.parse(new TextDecoder().decode(read('state_dict.json'))) as [string, number[]][];
      expect(model.stateDict().map(([key, tensor]) => [key, [...tensor.shape]])).toEqual(expected.map(([key, shape]) => [key, shape]));
    });

    it('eval logits match to float32 noise', { timeout: 120_000 }, async () => {
      model.eval();
      const logits = noGrad(() => model.forward(input));
      const expected = parseNpy(read('eval_logits.npy')).data;
      const result = compare(await logits.toArray(), expected);
      expect(result.maxAbsolute).toBeLessThan(2e-6);
      logits.dispose();
    });

    it('train logits, the Dice loss and the BatchNorm running statistics match', { timeout: 300_000 }, async () => {
      model.train();
      const logits = model.forward(input);
      const train = compare(await logits.toArray(), parseNpy(read('train_logits.npy')).data);
      // PyTorch's own float32-vs-float64 difference here is 3.4e-5 (tolerances.json).
      expect(train.maxAbsolute).toBeLessThan(1e-4);
      const loss = F.diceLoss(logits, target);
      expect(Math.abs((await loss.item()) - 0.7870454285754394)).toBeLessThan(1e-6);
      const bnAfter = readSafetensors(read('bn_after.safetensors')).weights;
      const state = new Map(model.stateDict());
      for (const [name, expected] of bnAfter) {
        const result = compare(await state.get(name)!.toArray(), expected.data);
        expect(result.maxAbsolute, name).toBeLessThan(1e-5);
      }
      trained = { logits, loss };
    });
  });
}

