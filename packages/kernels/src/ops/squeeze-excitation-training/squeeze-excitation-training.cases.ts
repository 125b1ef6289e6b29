import { assertClose, defineCases, expectError, numericalGradient, poisoned, poisonedWindow, randomArray, uploadWindow, weightedSum } from '../../testing/index.js';
import type { Gpu } from '../../runtime/gpu.js';
import { numel } from '../../runtime/tensor.js';
import type { Random } from '../../testing/random.js';
import type { SqueezeExcitationWeights } from '../squeeze-excitation-fused/squeeze-excitation-fused.js';
import type { SqueezeExcitationReferenceWeights } from '../squeeze-excitation-fused/squeeze-excitation-fused.reference.js';
import { squeezeExcitationBackward, squeezeExcitationTraining } from './squeeze-excitation-training.js';
import { squeezeExcitationBackwardReference, squeezeExcitationTrainingReference } from './squeeze-excitation-training.reference.js';

function hostWeights(random: Random, channels: number, reduced: number): SqueezeExcitationReferenceWeights {
  return {
    reduceWeight: randomArray(random, reduced * channels, { low: -0.8, high: 0.8 }),
    reduceBias: randomArray(random, reduced, { low: -0.5, high: 0.5 }),
    expandWeight: randomArray(random, channels * reduced, { low: -0.8, high: 0.8 }),
    expandBias: randomArray(random, channels, { low: -0.5, high: 0.5 }),
  };
}

function upload(gpu: Gpu, host: SqueezeExcitationReferenceWeights, channels: number, reduced: number): SqueezeExcitationWeights {
  return {
    reduceWeight: gpu.upload(Float32Array.from(host.reduceWeight), [reduced, channels, 1, 1]),
    reduceBias: gpu.upload(Float32Array.from(host.reduceBias), [reduced]),
    expandWeight: gpu.upload(Float32Array.from(host.expandWeight), [channels, reduced, 1, 1]),
    expandBias: gpu.upload(Float32Array.from(host.expandBias), [channels]),
  };
}

/** Forward (y, pooled, gate) and every gradient of one shape against float64, outputs poisoned first. */
async function check(gpu: Gpu, random: Random, shape: [number, number, number, number], reduced: number): Promise<void> {
  const [images, channels] = shape;
  const label = `[${shape}] R=${reduced}`;
  const x = randomArray(random, numel(shape), { low: -2, high: 2 });
  const dy = randomArray(random, numel(shape));
  const host = hostWeights(random, channels, reduced);
  const weights = upload(gpu, host, channels, reduced);
  const xs = gpu.upload(x, shape);
  const forward = squeezeExcitationTraining(gpu, xs, weights, poisoned(gpu, shape));
  const want = squeezeExcitationTrainingReference(x, shape, host);
  assertClose(await gpu.read(forward.pooled), want.p, 'reduction', `pooled ${label}`);
  assertClose(await gpu.read(forward.gate), want.g, 'forward', `gate ${label}`);
  assertClose(await gpu.read(forward.y), want.y, 'forward', `y ${label}`);
  const grads = squeezeExcitationBackward(gpu, gpu.upload(dy, shape), xs, weights, forward, {
    dx: poisoned(gpu, shape),
    dReduceWeight: poisoned(gpu, [reduced, channels, 1, 1]),
    dReduceBias: poisoned(gpu, [reduced]),
    dExpandWeight: poisoned(gpu, [channels, reduced, 1, 1]),
    dExpandBias: poisoned(gpu, [channels]),
  });
  const wantGrads = squeezeExcitationBackwardReference(dy, x, shape, host);
  for (const key of ['dx', 'dReduceWeight', 'dReduceBias', 'dExpandWeight', 'dExpandBias'] as const) {
    assertClose(await gpu.read(grads[key]), wantGrads[key], 'gradient', `${key} ${label}`);
  }
  if (images < 1) throw new Error('no images');
  for (const tensor of [xs, forward.y, forward.pooled, forward.gate, ...Object.values(grads), ...Object.values(weights)]) gpu.release(tensor);
}

export const squeezeExcitationTrainingCases = defineCases('squeeze-excitation-training', {
  'forward and backward against float64: [3, 7, 5, 3] R 3 (scalar rows), [2, 9, 4, 6] R 5 (vec4), [5, 67, 3, 3] R 70 (R over the workgroup), [1, 130, 2, 2] R 1': async ({ gpu, random }) => {
    await check(gpu, random, [3, 7, 5, 3], 3);
    await check(gpu, random, [2, 9, 4, 6], 5);
    await check(gpu, random, [5, 67, 3, 3], 70);
    await check(gpu, random, [1, 130, 2, 2], 1);
  },
  'backward matches float64 finite differences in x and every weight on [2, 5, 3, 3], R 2': async ({ gpu, random }) => {
    const shape: [number, number, number, number] = [2, 5, 3, 3];
    const [channels, reduced] = [5, 2];
    const x = randomArray(random, numel(shape), { low: -2, high: 2 });
    const w = randomArray(random, numel(shape));
    const host = hostWeights(random, channels, reduced);
    const loss = (xs: ArrayLike<number>, weights: SqueezeExcitationReferenceWeights): number => weightedSum(squeezeExcitationTrainingReference(xs, shape, weights).y, w);
    const weights = upload(gpu, host, channels, reduced);
    const xs = gpu.upload(x, shape);
    const forward = squeezeExcitationTraining(gpu, xs, weights);
    const grads = squeezeExcitationBackward(gpu, gpu.upload(w, shape), xs, weights, forward);
    assertClose(await gpu.read(grads.dx), numericalGradient((point) => loss(point, host), x), 'finiteDifference', 'dx');
    const keys = { reduceWeight: 'dReduceWeight', reduceBias: 'dReduceBias', expandWeight: 'dExpandWeight', expandBias: 'dExpandBias' } as const;
    for (const [key, gradient] of Object.entries(keys) as [keyof typeof keys, (typeof keys)[keyof typeof keys]][]) {
      const numeric = numericalGradient((point) => loss(x, { ...host, [key]: point }), host[key]);
      assertClose(await gpu.read(grads[gradient]), numeric, 'finiteDifference', gradient);
    }
  },
  'dx into a view at an offset, vec4 and scalar layouts: nothing outside written': async ({ gpu, random }) => {
    for (const [shape, layout] of [[[2, 3, 4, 2], 'auto'], [[2, 3, 4, 2], 'scalar'], [[2, 3, 3, 3], 'auto']] as const) {
      const [channels, reduced] = [shape[1], 2];
      const x = randomArray(random, numel(shape));
      const dy = randomArray(random, numel(shape));
      const host = hostWeights(random, channels, reduced);
      const weights = upload(gpu, host, channels, reduced);
      const xs = uploadWindow(gpu, x, shape);
      const forward = squeezeExcitationTraining(gpu, xs, weights);
      const dx = poisonedWindow(gpu, shape);
      squeezeExcitationBackward(gpu, uploadWindow(gpu, dy, shape), xs, weights, forward, { dx: dx.view, layout });
      assertClose(await gpu.read(dx.view), squeezeExcitationBackwardReference(dy, x, shape, host).dx, 'gradient', `dx [${shape}] ${layout}`);
      await dx.assertOutsideUntouched(`dx [${shape}] ${layout}`);
    }
  },
  'rejects a non-4-D x, mismatched weights, a wrong dy or saved shape, aliasing and R over the limit': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(24).map((_, i) => i), [2, 3, 2, 2]);
    const weights: SqueezeExcitationWeights = { reduceWeight: gpu.empty([2, 3, 1, 1]), reduceBias: gpu.empty([2]), expandWeight: gpu.empty([3, 2, 1, 1]), expandBias: gpu.empty([3]) };
    const forward = 'squeezeExcitationTraining';
    const backward = 'squeezeExcitationBackward';
    await expectError(() => squeezeExcitationTraining(gpu, gpu.empty([2, 3, 4]), weights), [forward, '[N, C, H, W]']);
    await expectError(() => squeezeExcitationTraining(gpu, x, { ...weights, expandBias: gpu.empty([4]) }), [forward, 'expandBias', '[4]', '[3]']);
    await expectError(() => squeezeExcitationTraining(gpu, x, { ...weights, reduceWeight: gpu.empty([300, 3, 1, 1]), reduceBias: gpu.empty([300]) }), [forward, '300']);
    await expectError(() => squeezeExcitationTraining(gpu, x, weights, x), [forward, 'alias']);
    const saved = { pooled: gpu.empty([2, 3]), gate: gpu.empty([2, 3]) };
    await expectError(() => squeezeExcitationBackward(gpu, gpu.empty([2, 3, 2, 3]), x, weights, saved), [backward, 'dy', '[2, 3, 2, 3]']);
    await expectError(() => squeezeExcitationBackward(gpu, x, x, weights, { ...saved, gate: gpu.empty([3, 3]) }), [backward, 'gate', '[3, 3]']);
    await expectError(() => squeezeExcitationBackward(gpu, x, x, weights, saved, { dx: x }), [backward, 'dx', 'alias']);
    await expectError(() => squeezeExcitationBackward(gpu, x, x, weights, saved, { dExpandBias: gpu.empty([2]) }), [backward, 'dExpandBias', '[2]', '[3]']);
  },
});
