import { assertClose, defineCases, expectError, poisoned, poisonedWindow, randomArray, type PoisonedWindow } from '../../testing/index.js';
import type { Random } from '../../testing/random.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import { adam, adamPackedSlots, ADAM_PACKED_MAX_ELEMENTS, type AdamGroup, type AdamOptions, type AdamVariant } from './adam.js';
import { adamFloat32Emulation, adamReference } from './adam.reference.js';

interface HostGroup {
  shape: number[];
  param: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/** Gradients spanning Adam's soft edge at |g| ≈ eps: magnitudes from 1e-10 to 1, both signs, some exact zeros. */
function gradients(random: Random, count: number): Float32Array {
  const g = randomArray(random, count);
  for (let i = 0; i < count; i++) g[i] = i % 37 === 0 ? 0 : g[i]! * 10 ** -random.integer(0, 10);
  return g;
}

function upload(gpu: Gpu, host: HostGroup): AdamGroup {
  return {
    param: gpu.upload(host.param, host.shape),
    grad: gpu.empty(host.shape),
    m: gpu.upload(host.m, host.shape),
    v: gpu.upload(host.v, host.shape),
  };
}

/** Runs `steps` Adam steps on the GPU and on the host (float32 emulation), fresh gradients each step. */
async function runSteps(gpu: Gpu, random: Random, shapes: number[][], steps: number, options: AdamOptions, variant: AdamVariant = 'auto') {
  const hosts: HostGroup[] = shapes.map((shape) => {
    const count = shape.reduce((product, size) => product * size, 1);
    return { shape, param: randomArray(random, count), m: new Float32Array(count), v: new Float32Array(count) };
  });
  const initial = hosts.map((host) => ({ param: Float64Array.from(host.param), m: new Float64Array(host.param.length), v: new Float64Array(host.param.length) }));
  const groups = hosts.map((host) => upload(gpu, host));
  for (let step = 1; step <= steps; step++) {
    hosts.forEach((host, index) => {
      const g = gradients(random, host.param.length);
      gpu.write(groups[index]!.grad, g);
      adamFloat32Emulation(host, g, step, options);
      adamReference(initial[index]!, g, step, options);
    });
    adam(gpu, groups, step, options, variant);
  }
  return { hosts, groups, float64: initial };
}

export const adamCases = defineCases('adam', {
  'five steps on [4099] and [3, 5, 7] in one call equal the float32 emulation of torch bit for bit': async ({ gpu, random }) => {
    const options = { learningRate: 1e-3 };
    const { hosts, groups, float64 } = await runSteps(gpu, random, [[4099], [3, 5, 7]], 5, options);
    for (const [index, host] of hosts.entries()) {
      const group = groups[index]!;
      assertClose(await gpu.read(group.param), host.param, 'exact', `param ${index}`);
      assertClose(await gpu.read(group.m), host.m, 'exact', `m ${index}`);
      assertClose(await gpu.read(group.v), host.v, 'exact', `v ${index}`);
      assertClose(host.m, float64[index]!.m, 'elementwise', `float32 m ${index} vs float64`);
      assertClose(host.v, float64[index]!.v, 'elementwise', `float32 v ${index} vs float64`);
      assertClose(await gpu.read(group.param), float64[index]!.param, 'elementwise', `param ${index} vs float64`);
    }
  },
  ...Object.fromEntries(
    (['vec4', 'scalar', 'separate', 'packed', 'auto'] as AdamVariant[]).map((variant) => [
      `${variant} layout, every tensor at an offset: [4099], [3, 5, 7], [2] (tails) and [8, 16] bit for bit over three steps`,
      async ({ gpu, random }) => {
        const options: AdamOptions = { learningRate: 0.01, weightDecay: 0.01 };
        const shapes = [[4099], [3, 5, 7], [2], [8, 16]];
        const windows: PoisonedWindow[][] = [];
        const hosts = shapes.map((shape) => {
          const count = shape.reduce((product, size) => product * size, 1);
          return { shape, param: randomArray(random, count), m: new Float32Array(count), v: new Float32Array(count) };
        });
        const groups = hosts.map((host) => {
          const tensors = [0, 1, 2, 3].map(() => poisonedWindow(gpu, host.shape));
          windows.push(tensors);
          const [param, grad, m, v] = tensors.map((window) => window.view) as [GpuTensor, GpuTensor, GpuTensor, GpuTensor];
          gpu.write(param, host.param);
          gpu.write(m, host.m);
          gpu.write(v, host.v);
          return { param, grad, m, v };
        });
        for (let step = 1; step <= 3; step++) {
          hosts.forEach((host, index) => {
            const g = gradients(random, host.param.length);
            gpu.write(groups[index]!.grad, g);
            adamFloat32Emulation(host, g, step, options);
          });
          adam(gpu, groups, step, options, variant);
        }
        for (const [index, host] of hosts.entries()) {
          const label = `${variant} [${host.shape}]`;
          assertClose(await gpu.read(groups[index]!.param), host.param, 'exact', `param ${label}`);
          assertClose(await gpu.read(groups[index]!.m), host.m, 'exact', `m ${label}`);
          assertClose(await gpu.read(groups[index]!.v), host.v, 'exact', `v ${label}`);
          for (const window of windows[index]!) await window.assertOutsideUntouched(label);
        }
      },
    ]),
  ),
  ...Object.fromEntries(
    (['packed', 'auto', 'separate'] as AdamVariant[]).map((variant) => [
      `${variant} layout: 13 tensors of odd sizes and multiples of 4 (vec4 and scalar packed dispatches, a short last one) equal the float32 emulation and float64`,
      async ({ gpu, random }) => {
        const options: AdamOptions = { learningRate: 0.02, betas: [0.85, 0.995], weightDecay: 0.003 };
        const shapes = [[1], [7], [33], [3, 3, 3], [257], [1023], [5, 1, 5, 5], [ADAM_PACKED_MAX_ELEMENTS], [ADAM_PACKED_MAX_ELEMENTS + 1], [2], [96, 1, 3, 3], [8, 1000], [12]];
        if (Math.ceil(shapes.length / adamPackedSlots(gpu)) < 2) throw new Error('the shapes should need two packed dispatches');
        const { hosts, groups, float64 } = await runSteps(gpu, random, shapes, 3, options, variant);
        for (const [index, host] of hosts.entries()) {
          const label = `${variant} [${host.shape}]`;
          const param = await gpu.read(groups[index]!.param);
          assertClose(param, host.param, 'exact', `param ${label}`);
          assertClose(await gpu.read(groups[index]!.m), host.m, 'exact', `m ${label}`);
          assertClose(await gpu.read(groups[index]!.v), host.v, 'exact', `v ${label}`);
          assertClose(param, float64[index]!.param, 'elementwise', `param ${label} vs float64`);
        }
      },
    ]),
  ),
  'packed layout on tensors longer than the dispatch (lanes loop: 70001 elements scalar, 262148 at vec4) and short ones beside them': async ({ gpu, random }) => {
    const options: AdamOptions = { learningRate: 1e-3 };
    const { hosts, groups } = await runSteps(gpu, random, [[70001], [5], [262148], [8]], 2, options, 'packed');
    for (const [index, host] of hosts.entries()) {
      assertClose(await gpu.read(groups[index]!.param), host.param, 'exact', `param ${index}`);
      assertClose(await gpu.read(groups[index]!.v), host.v, 'exact', `v ${index}`);
    }
  },
  'weight decay, other betas and a large learning rate: bit for bit over four steps': async ({ gpu, random }) => {
    const options: AdamOptions = { learningRate: 0.05, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01 };
    const { hosts, groups, float64 } = await runSteps(gpu, random, [[1001]], 4, options);
    assertClose(await gpu.read(groups[0]!.param), hosts[0]!.param, 'exact', 'param');
    assertClose(await gpu.read(groups[0]!.m), hosts[0]!.m, 'exact', 'm');
    assertClose(await gpu.read(groups[0]!.v), hosts[0]!.v, 'exact', 'v');
    assertClose(await gpu.read(groups[0]!.param), float64[0]!.param, 'elementwise', 'param vs float64');
  },
  'step 1 moves every parameter with |g| >> eps by lr (the sign step)': async ({ gpu, random }) => {
    const count = 513;
    const param = randomArray(random, count);
    const grad = randomArray(random, count, { minMagnitude: 1e-3 });
    const group = { param: gpu.upload(param), grad: gpu.upload(grad), m: gpu.upload(new Float32Array(count)), v: gpu.upload(new Float32Array(count)) };
    adam(gpu, group, 1, { learningRate: 1e-3 });
    const expected = Float64Array.from(param, (p, i) => p - 1e-3 * Math.sign(grad[i]!));
    assertClose(await gpu.read(group.param), expected, { maxAbsolute: 1e-6 }, 'param');
  },
  'flat segment: zero padding between parameters stays zero and parameters match separate tensors': async ({ gpu, random }) => {
    const a = randomArray(random, 50);
    const b = randomArray(random, 70);
    const ga = randomArray(random, 50);
    const gb = randomArray(random, 70);
    const flat = new Float32Array(64 + 70);
    flat.set(a, 0);
    flat.set(b, 64);
    const flatGrad = new Float32Array(64 + 70);
    flatGrad.set(ga, 0);
    flatGrad.set(gb, 64);
    const segment = { param: gpu.upload(flat), grad: gpu.upload(flatGrad), m: gpu.upload(new Float32Array(134)), v: gpu.upload(new Float32Array(134)) };
    adam(gpu, segment, 1, { learningRate: 1e-2 });
    const host = { param: flat.slice(), m: new Float32Array(134), v: new Float32Array(134) };
    adamFloat32Emulation(host, flatGrad, 1, { learningRate: 1e-2 });
    const got = await gpu.read(segment.param);
    assertClose(got, host.param, 'exact', 'flat segment');
    assertClose(got.subarray(50, 64), new Float32Array(14), 'exact', 'padding');
  },
  'rejects mismatched shapes, aliased buffers, step 0 and bad betas': async ({ gpu }) => {
    const p = gpu.empty([3, 4]);
    const ok = { param: p, grad: gpu.empty([3, 4]), m: gpu.empty([3, 4]), v: gpu.empty([3, 4]) };
    await expectError(() => adam(gpu, { ...ok, m: poisoned(gpu, [4, 3]) }, 1, { learningRate: 1 }), ['adam', 'm', '[4, 3]', '[3, 4]']);
    await expectError(() => adam(gpu, [ok, { ...ok, grad: gpu.empty([12]) }], 1, { learningRate: 1 }), ['adam', 'group 1', 'grad', '[12]']);
    await expectError(() => adam(gpu, { ...ok, v: ok.m }, 1, { learningRate: 1 }), ['adam', 'alias']);
    await expectError(() => adam(gpu, ok, 0, { learningRate: 1 }), ['adam', 'step', '0']);
    await expectError(() => adam(gpu, ok, 1, { learningRate: 1, betas: [1, 0.9] }), ['adam', 'betas', '(1, 0.9)']);
  },
});
