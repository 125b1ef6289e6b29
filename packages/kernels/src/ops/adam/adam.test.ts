import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '@ulseg/base';
import { assertClose, defineCases } from '../../testing/index.js';
import { registerCases } from '../../testing/vitest.js';
import { adam } from './adam.js';
import { adamCases } from './adam.cases.js';
import { adamFloat32Emulation } from './adam.reference.js';

/** The golden fixtures in the repository (test/fixtures); a missing fixture fails the test. */
const FIXTURES = fileURLToPath(new URL('../../../../../test/fixtures/linknet-b0/', import.meta.url));
const read = (name: string): Uint8Array => readFileSync(FIXTURES + name);

const grads = readSafetensors(read('grads.safetensors'), 'grads.safetensors').weights;
const stepped = readSafetensors(read('adam_step.safetensors'), 'adam_step.safetensors').weights;

const fixtureCases = defineCases('adam fixture', {
  'step 1 on all 260 gradients of grads.safetensors equals the float32 emulation bit for bit': {
    timeoutMs: 180_000,
    run: async ({ gpu, random }) => {
      // The initial parameters are only in model.pth (no reader yet): any p0 exercises the same update bits.
      const entries = [...grads.entries()];
      const hosts = entries.map(([, tensor]) => {
        const param = Float32Array.from(tensor.data, () => random.uniform(-1, 1));
        return { param, m: new Float32Array(param.length), v: new Float32Array(param.length) };
      });
      const groups = entries.map(([, tensor], index) => ({
        param: gpu.upload(hosts[index]!.param, tensor.shape),
        grad: gpu.upload(tensor.data, tensor.shape),
        m: gpu.upload(hosts[index]!.m, tensor.shape),
        v: gpu.upload(hosts[index]!.v, tensor.shape),
      }));
      adam(gpu, groups, 1, { learningRate: 1e-3 });
      for (const [index, [name, tensor]] of entries.entries()) {
        adamFloat32Emulation(hosts[index]!, tensor.data, 1, { learningRate: 1e-3 });
        assertClose(await gpu.read(groups[index]!.param), hosts[index]!.param, 'exact', name);
        gpu.release(groups[index]!.param);
        gpu.release(groups[index]!.grad);
        gpu.release(groups[index]!.m);
        gpu.release(groups[index]!.v);
      }
      if (entries.length !== 260) throw new Error(`grads.safetensors holds ${entries.length} tensors, expected 260`);
    },
  },
  'segmentation_head.0.bias (p0 = 0 by smp initialize_head) steps to adam_step.safetensors exactly': async ({ gpu }) => {
    const name = 'segmentation_head.0.bias';
    const g = grads.get(name)!;
    const group = { param: gpu.upload([0]), grad: gpu.upload(g.data, g.shape), m: gpu.upload([0]), v: gpu.upload([0]) };
    adam(gpu, group, 1, { learningRate: 1e-3 });
    assertClose(await gpu.read(group.param), stepped.get(name)!.data, 'exact', name);
  },
});

registerCases([...adamCases, ...fixtureCases]);
