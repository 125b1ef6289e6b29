/**
 * EfficientNet-B6 block 31 with real shapes (test/fixtures/b6/block-31): k5 stride 2, 200 → 1200 → SE 50 → 344,
 * with 0.6.3's static-same pad (1, 2, 1, 2). Eval and train outputs, the input gradient and every parameter gradient
 * of L = Σ y²/2, and the BN buffers after the training forward, against PyTorch.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nn, noGrad, parseNpy, Tensor } from '@ulseg/autograd';
import { Random } from '@ulseg/kernels/testing';
import { compare, gpuFor, testAdapterKinds } from '@ulseg/kernels/testing';
import { MBConvBlock } from './encoders/efficientnet.js';
import { blockSpecs, encoderSpec } from './encoders/efficientnet-params.js';
import { readSafetensors } from './weights/safetensors.js';

const fixtures = new URL('../../../test/fixtures/b6/block-31/', import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, fixtures)));
const npy = (name: string): Float32Array => parseNpy(read(name), name).data;

for (const kind of testAdapterKinds()) {
  describe(`B6 block 31 against PyTorch on ${kind}`, () => {
    it('eval and train outputs, input and parameter gradients, BN buffers', { timeout: 300_000 }, async () => {
      const gpu = await gpuFor(kind);
      const spec = blockSpecs(encoderSpec('efficientnet-b6'))[31]!;
      expect(spec.pad).toEqual([1, 2, 1, 2]);
      const block = new MBConvBlock(new nn.InitContext(gpu, new Random(1)), spec);
      block.load(readSafetensors(read('block.safetensors')).weights, { source: 'block.safetensors' });
      const input = Tensor.fromArray(gpu, npy('input.npy'), [1, 200, 16, 16], { requiresGrad: true });

      block.eval();
      const evaluated = noGrad(() => block.forward(input));
      expect(evaluated.shape).toEqual([1, 344, 8, 8]);
      expect(compare(await evaluated.toArray(), npy('output.npy')).maxAbsolute).toBeLessThan(2e-6);

      block.train();
      const output = block.forward(input);
      const trained = await output.toArray();
      expect(compare(trained, npy('train_output.npy')).maxAbsolute).toBeLessThan(2e-5);
      // L = Σ y²/2  ⇒  dL/dy = y
      output.backward(Tensor.fromArray(gpu, trained, output.shape));
      const gradInput = compare(await input.grad!.toArray(), npy('grad_input.npy'));
      expect(gradInput.relativeL2).toBeLessThan(1e-4);
      const grads = readSafetensors(read('grads.safetensors')).weights;
      const parameters = new Map(block.namedParameters());
      expect(grads.size).toBe(13);
      for (const [name, expected] of grads) {
        const result = compare(await parameters.get(name)!.grad!.toArray(), expected.data);
        expect(result.relativeL2, name).toBeLessThan(1e-4);
      }
      const buffers = new Map(block.stateDict());
      for (const [name, expected] of readSafetensors(read('bn_after.safetensors')).weights) {
        expect(compare(await buffers.get(name)!.toArray(), expected.data).maxAbsolute, name).toBeLessThan(1e-5);
      }
      block.dispose();
    });
  });
}
