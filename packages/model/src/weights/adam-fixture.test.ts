import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adam } from '@ulseg/kernels';
import { assertClose, gpuFor, testAdapterKinds } from '@ulseg/kernels/testing';
import { readPth } from './pth.js';
import { readSafetensors } from './safetensors.js';

const fixtures = new URL('../../../../test/fixtures/linknet-b0/', import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, fixtures)));

describe('Adam against PyTorch (linknet-b0/adam_step.safetensors)', () => {
  for (const kind of testAdapterKinds()) {
    it(`one step from model.pth with grads.safetensors matches torch to 1 ulp on ${kind}`, { timeout: 120_000 }, async () => {
      const gpu = await gpuFor(kind);
      const start = await readPth(read('model.pth'), 'model.pth');
      const grads = readSafetensors(read('grads.safetensors')).weights;
      const expected = readSafetensors(read('adam_step.safetensors')).weights;
      expect(grads.size).toBe(260);
      let worst = 0;
      for (const [name, grad] of grads) {
        const param = start.get(name)!;
        const tensors = {
          param: gpu.upload(param.data, param.shape),
          grad: gpu.upload(grad.data, grad.shape),
          m: gpu.upload(new Float32Array(grad.data.length), grad.shape),
          v: gpu.upload(new Float32Array(grad.data.length), grad.shape),
        };
        adam(gpu, tensors, 1, { learningRate: 1e-3 });
        const got = await gpu.read(tensors.param);
        const result = assertClose(got, expected.get(name)!.data, { maxAbsolute: 1.2e-7 }, name);
        worst = Math.max(worst, result.maxAbsolute);
        for (const tensor of Object.values(tensors)) gpu.release(tensor);
      }
      expect(worst).toBeLessThanOrEqual(1.2e-7);
    });
  }
});
