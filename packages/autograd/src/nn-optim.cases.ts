import { numel } from '@ulseg/kernels';
import { adamFloat32Emulation, unaryReference } from '@ulseg/kernels/reference';
import { assertClose, defineCases, expectError, randomArray } from '@ulseg/kernels/testing';
import { gradcheck } from '../test/gradcheck.js';
import { F, nn, optim, Tensor } from './index.js';

/** float64 mean over H, W of [N, C, H, W]. */
function poolReference(x: Float64Array, [n, c, h, w]: readonly number[]): Float64Array {
  const out = new Float64Array(n! * c!);
  for (let plane = 0; plane < n! * c!; plane++) {
    let total = 0;
    for (let i = 0; i < h! * w!; i++) total += x[plane * h! * w! + i]!;
    out[plane] = total / (h! * w!);
  }
  return out;
}

class Tiny extends nn.ModuleBase {
  readonly weight: Tensor;
  readonly inner: nn.Sequential;
  constructor(gpu: Tensor['gpu']) {
    super();
    this.weight = this.registerParameter('weight', Tensor.fromArray(gpu, [1, 2, 3, 4], [2, 2]));
    this.registerBuffer('running_mean', Tensor.zeros(gpu, [2]));
    const leaf = new (class extends nn.Module {
      constructor() {
        super();
        this.registerParameter('bias', Tensor.fromArray(gpu, [0.5], [1]));
        this.registerBuffer('num_batches_tracked', Tensor.zeros(gpu, []));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    })();
    this.inner = this.registerModule('blocks', new nn.Sequential(leaf));
  }
}

export const nnOptimCases = defineCases('autograd-nn', {
  'relu, sigmoid and silu against finite differences, |x| up to 6': async ({ gpu, random }) => {
    for (const op of ['relu', 'sigmoid', 'silu'] as const) {
      await gradcheck(
        gpu,
        random,
        { shapes: [[3, 5, 7]], forward: ([x]) => F[op](x!), reference: ([x]) => unaryReference(op, x!), ranges: [{ low: -6, high: 6, minMagnitude: 0.01 }] },
        op,
      );
    }
  },
  'adaptiveAvgPool2d and channelMultiply (the SE pieces) against finite differences': async ({ gpu, random }) => {
    const shape = [3, 5, 7, 9];
    await gradcheck(gpu, random, { shapes: [shape], forward: ([x]) => F.adaptiveAvgPool2d(x!), reference: ([x]) => poolReference(x!, shape) }, 'pool');
    await gradcheck(
      gpu,
      random,
      {
        shapes: [[2, 3, 5, 7], [2, 3, 1, 1]],
        forward: ([x, s]) => F.channelMultiply(x!, s!),
        reference: ([x, s]) => x!.map((v, i) => v * s![Math.floor(i / 35)]!),
      },
      'channelMultiply',
    );
  },
  'state dict keys and order follow PyTorch; strict load lists every problem': async ({ gpu }) => {
    const model = new Tiny(gpu);
    const keys = model.stateDict().map(([key]) => key);
    const expected = ['weight', 'running_mean', 'blocks.0.bias', 'blocks.0.num_batches_tracked'];
    if (keys.join() !== expected.join()) throw new Error(`state dict keys ${keys} want ${expected}`);
    if ([...model.namedParameters()].map(([key]) => key).join() !== 'weight,blocks.0.bias') throw new Error('parameter names');
    const state = new Map([
      ['weight', { shape: [2, 2], data: Float32Array.from([9, 8, 7, 6]) }],
      ['running_mean', { shape: [3], data: new Float32Array(3) }],
      ['blocks.0.bias', { shape: [1], data: Float32Array.from([-1]) }],
      ['extra.key', { shape: [1], data: new Float32Array(1) }],
    ]);
    await expectError(() => model.load(state, { source: 'weights.safetensors' }), [
      'weights.safetensors',
      'missing keys (1): blocks.0.num_batches_tracked',
      'unexpected keys (1): extra.key',
      'running_mean: expected [2], got [3]',
    ]);
    assertClose(await model.weight.toArray(), [1, 2, 3, 4], 'exact', 'a failed strict load writes nothing');
    const report = model.load(state, { strict: false });
    if (report.loaded !== 2) throw new Error(`non-strict load wrote ${report.loaded} entries, want 2`);
    assertClose(await model.weight.toArray(), [9, 8, 7, 6], 'exact', 'loaded weight');
    model.eval();
    if (model.training || model.inner.training) throw new Error('eval() did not reach the children');
    model.dispose();
  },
  'Adam steps match the float32 emulation of torch bit for bit and skip parameters without a gradient': async ({ gpu, random }) => {
    const count = 37;
    const start = randomArray(random, count);
    const param = Tensor.fromArray(gpu, start, [count], { requiresGrad: true });
    const idle = Tensor.fromArray(gpu, [1, 2], [2], { requiresGrad: true });
    const optimizer = new optim.Adam([param, idle], { learningRate: 1e-3 });
    const state = { param: Float32Array.from(start), m: new Float32Array(count), v: new Float32Array(count) };
    const f = Math.fround;
    for (let step = 1; step <= 3; step++) {
      const grads = randomArray(random, count, { minMagnitude: 1e-3 });
      param.grad?.dispose();
      param.grad = Tensor.fromArray(gpu, grads, [count]).keep();
      optimizer.step();
      for (let i = 0; i < count; i++) {
        const g = grads[i]!;
        const biasCorrection2Sqrt = f(Math.sqrt(1 - 0.999 ** step));
        const negStepSize = f(-(1e-3 / (1 - 0.9 ** step)));
        state.m[i] = f(f(state.m[i]! * f(0.9)) + f(g * f(0.1)));
        state.v[i] = f(f(state.v[i]! * f(0.999)) + f(f(0.001) * f(g * g)));
        const denom = f(f(f(Math.sqrt(state.v[i]!)) / biasCorrection2Sqrt) + f(1e-8));
        state.param[i] = f(state.param[i]! + f(negStepSize * f(state.m[i]! / denom)));
      }
    }
    assertClose(await param.toArray(), state.param, { maxAbsolute: 1.2e-7 }, 'parameters after 3 Adam steps');
    assertClose(await idle.toArray(), [1, 2], 'exact', 'a parameter without a gradient');
    const saved = await optimizer.stateDict();
    if (saved.get(0)?.step !== 3 || saved.has(1)) throw new Error('optimizer state should hold parameter 0 at step 3 only');
  },
  'Adam: parameters at different step counts (one joins late) each take their own step, packed and separate alike': async ({ gpu, random }) => {
    const shapes = [[37], [5, 1, 3, 3], [1], [4099]];
    const run = async (variant: 'auto' | 'separate'): Promise<void> => {
      const params = shapes.map((shape) => Tensor.fromArray(gpu, randomArray(random, numel(shape)), shape, { requiresGrad: true }));
      const optimizer = new optim.Adam(params, { learningRate: 1e-2, variant });
      const hosts = await Promise.all(params.map(async (param) => ({ param: await param.toArray(), m: new Float32Array(numel(param.shape)), v: new Float32Array(numel(param.shape)) })));
      const steps = params.map(() => 0);
      for (let round = 0; round < 3; round++) {
        params.forEach((param, index) => {
          param.grad?.dispose();
          param.grad = undefined;
          // Parameter 1 has no gradient in the first round: it stays a step behind the others.
          if (index === 1 && round === 0) return;
          const g = randomArray(random, numel(param.shape), { minMagnitude: 1e-3 });
          param.grad = Tensor.fromArray(gpu, g, param.shape).keep();
          adamFloat32Emulation(hosts[index]!, g, ++steps[index]!, { learningRate: 1e-2 });
        });
        optimizer.step();
      }
      const results = await Promise.all(params.map((param) => param.toArray()));
      results.forEach((result, index) => assertClose(result, hosts[index]!.param, 'exact', `${variant}: parameter ${index} after ${steps[index]} steps`));
      const saved = await optimizer.stateDict();
      if (saved.get(1)?.step !== 2) throw new Error(`${variant}: parameter 1 should be at step 2`);
      // stateDict reads every m and v back in one batch: each must land under its own parameter.
      for (const [index, host] of hosts.entries()) {
        const entry = saved.get(index);
        if (!entry || entry.step !== steps[index]) throw new Error(`${variant}: parameter ${index} saved at step ${entry?.step}, want ${steps[index]}`);
        assertClose(entry.m, host.m, 'exact', `${variant}: exp_avg of parameter ${index}`);
        assertClose(entry.v, host.v, 'exact', `${variant}: exp_avg_sq of parameter ${index}`);
      }
    };
    await run('auto');
    await run('separate');
  },
});
