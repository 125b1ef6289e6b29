import { assertClose, defineCases, expectError, numericalGradient, poisoned, poisonedWindow, randomArray, uploadWindow, weightedSum } from '../../testing/index.js';
import type { Gpu } from '../../runtime/gpu.js';
import { numel } from '../../runtime/tensor.js';
import type { Random } from '../../testing/random.js';
import type { BatchNormParameters, BatchNormReduction } from '../batch-norm/batch-norm.js';
import type { BatchNormReferenceParameters } from '../batch-norm/batch-norm.reference.js';
import type { Activation } from '../gemm/tiles.js';
import { batchNorm2dActivationBackward, batchNorm2dActivationTraining } from './batch-norm-activation.js';
import { batchNormActivationBackwardReference, batchNormActivationReference } from './batch-norm-activation.reference.js';

/** x with a per-channel offset in [−3, 3] and spread in [0.5, 2], so statistics are not trivially 0 and 1. */
function input(random: Random, shape: readonly number[]): Float32Array {
  const [, channels, h, w] = shape as [number, number, number, number];
  const offsets = Array.from({ length: channels }, () => random.uniform(-3, 3));
  const spreads = Array.from({ length: channels }, () => random.uniform(0.5, 2));
  const x = randomArray(random, numel(shape));
  for (let i = 0; i < x.length; i++) x[i] = offsets[Math.floor(i / (h * w)) % channels]! + spreads[Math.floor(i / (h * w)) % channels]! * x[i]!;
  return x;
}

/** γ around 1 and β around 0.3 in magnitude, so relu cuts a fair share of z and silu sees both signs. */
function parameters(random: Random, channels: number): BatchNormReferenceParameters {
  return {
    weight: randomArray(random, channels, { low: 0.6, high: 1.4 }),
    bias: randomArray(random, channels, { low: -0.5, high: 0.5, minMagnitude: 0.05 }),
    runningMean: randomArray(random, channels, { low: -0.3, high: 0.3, minMagnitude: 0.01 }),
    runningVar: randomArray(random, channels, { low: 0.5, high: 1.5 }),
  };
}

function upload(gpu: Gpu, host: BatchNormReferenceParameters): Required<BatchNormParameters> {
  const c = [host.weight.length];
  return {
    weight: gpu.upload(Float32Array.from(host.weight), c),
    bias: gpu.upload(Float32Array.from(host.bias), c),
    runningMean: gpu.upload(Float32Array.from(host.runningMean), c),
    runningVar: gpu.upload(Float32Array.from(host.runningVar), c),
  };
}

const ACTIVATIONS: Activation[] = ['none', 'relu', 'sigmoid', 'silu'];
const REDUCTIONS: BatchNormReduction[] = ['workgroup', 'lane'];

/** Forward and backward of one shape against float64, every output poisoned first. */
async function check(gpu: Gpu, random: Random, shape: number[], activation: Activation, reduction: BatchNormReduction | undefined, momentum = 0.1, eps = 1e-3): Promise<void> {
  const channels = shape[1]!;
  const label = `${activation} [${shape}] ${reduction ?? 'default'}`;
  const x = input(random, shape);
  const dy = randomArray(random, numel(shape));
  const host = parameters(random, channels);
  const device = upload(gpu, host);
  const xs = gpu.upload(x, shape);
  const tracked = gpu.upload(new Float32Array([41]), []);
  const saved = batchNorm2dActivationTraining(gpu, xs, device, {
    numBatchesTracked: tracked,
    activation,
    momentum,
    eps,
    reduction,
    out: poisoned(gpu, shape),
    mean: poisoned(gpu, [channels]),
    invstd: poisoned(gpu, [channels]),
  });
  const want = batchNormActivationReference(x, shape, host, activation, momentum, eps);
  assertClose(await gpu.read(saved.mean), want.mean, 'reduction', `mean ${label}`);
  assertClose(await gpu.read(saved.invstd), want.invstd, 'reduction', `invstd ${label}`);
  assertClose(await gpu.read(saved.y), want.y, 'elementwise', `y ${label}`);
  assertClose(await gpu.read(device.runningMean), want.runningMean, 'elementwise', `running mean ${label}`);
  assertClose(await gpu.read(device.runningVar), want.runningVar, 'elementwise', `running var ${label}`);
  assertClose(await gpu.read(tracked), [42], 'exact', `num_batches_tracked ${label}`);
  const grads = batchNorm2dActivationBackward(gpu, gpu.upload(dy, shape), xs, device, saved, {
    activation,
    reduction,
    dx: poisoned(gpu, shape),
    dweight: poisoned(gpu, [channels]),
    dbias: poisoned(gpu, [channels]),
  });
  const wantGrads = batchNormActivationBackwardReference(dy, x, shape, host.weight, host.bias, activation, eps);
  assertClose(await gpu.read(grads.dbias), wantGrads.dbias, 'reduction', `dβ ${label}`);
  assertClose(await gpu.read(grads.dweight), wantGrads.dweight, 'reduction', `dγ ${label}`);
  assertClose(await gpu.read(grads.dx), wantGrads.dx, 'forward', `dx ${label}`);
  for (const tensor of [saved.y, saved.mean, saved.invstd, grads.dx, grads.dweight, grads.dbias, xs, tracked, ...Object.values(device)]) gpu.release(tensor);
}

const TINY = [2, 3, 3, 4];

export const batchNormActivationCases = defineCases('batch-norm-activation', {
  'forward and backward of every activation on [3, 5, 7, 9] (scalar layout) and [3, 5, 4, 6] (vec4), both reductions': async ({ gpu, random }) => {
    for (const activation of ACTIVATIONS) {
      for (const reduction of REDUCTIONS) {
        await check(gpu, random, [3, 5, 7, 9], activation, reduction);
        await check(gpu, random, [3, 5, 4, 6], activation, reduction, 0.010000000000000009, 1e-5);
      }
    }
  },
  'many chunks per channel and runs crossing images: [9, 4, 11, 13] and [4, 16, 32, 32] with silu and relu, both reductions': {
    timeoutMs: 120_000,
    run: async ({ gpu, random }) => {
      for (const reduction of [...REDUCTIONS, undefined]) {
        await check(gpu, random, [9, 4, 11, 13], 'silu', reduction);
        await check(gpu, random, [4, 16, 32, 32], 'relu', reduction);
      }
    },
  },
  'backward matches float64 finite differences in x, γ and β on [2, 3, 3, 4] for every activation': async ({ gpu, random }) => {
    for (const activation of ACTIVATIONS) {
      const eps = 1e-3;
      const x = input(random, TINY);
      const host = parameters(random, 3);
      const w = randomArray(random, numel(TINY));
      const loss = (xs: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number>): number =>
        weightedSum(batchNormActivationReference(xs, TINY, { ...host, weight, bias }, activation, 0.1, eps).y, w);
      const numericX = numericalGradient((point) => loss(point, host.weight, host.bias), x);
      const numericWeight = numericalGradient((point) => loss(x, point, host.bias), host.weight);
      const numericBias = numericalGradient((point) => loss(x, host.weight, point), host.bias);
      const device = upload(gpu, host);
      const xs = gpu.upload(x, TINY);
      const saved = batchNorm2dActivationTraining(gpu, xs, device, { activation, eps });
      const grads = batchNorm2dActivationBackward(gpu, gpu.upload(w, TINY), xs, device, saved, {
        activation,
        dx: poisoned(gpu, TINY),
        dweight: poisoned(gpu, [3]),
        dbias: poisoned(gpu, [3]),
      });
      assertClose(await gpu.read(grads.dx), numericX, 'finiteDifference', `dx ${activation}`);
      assertClose(await gpu.read(grads.dweight), numericWeight, 'finiteDifference', `dγ ${activation}`);
      assertClose(await gpu.read(grads.dbias), numericBias, 'finiteDifference', `dβ ${activation}`);
    }
  },
  'views at an offset: y and dx written only inside their windows, vec4 and scalar layouts': async ({ gpu, random }) => {
    for (const [shape, layout] of [[[3, 5, 4, 6], 'auto'], [[3, 5, 4, 6], 'scalar'], [[3, 5, 7, 9], 'auto']] as const) {
      const label = `[${shape}] ${layout}`;
      const channels = shape[1];
      const x = input(random, shape);
      const dy = randomArray(random, numel(shape));
      const host = parameters(random, channels);
      const device = upload(gpu, host);
      const xs = uploadWindow(gpu, x, shape);
      const y = poisonedWindow(gpu, shape);
      const saved = batchNorm2dActivationTraining(gpu, xs, device, { activation: 'silu', out: y.view, layout });
      assertClose(await gpu.read(saved.y), batchNormActivationReference(x, shape, host, 'silu', 0.1, 1e-5).y, 'elementwise', `y ${label}`);
      await y.assertOutsideUntouched(`y ${label}`);
      const dx = poisonedWindow(gpu, shape);
      batchNorm2dActivationBackward(gpu, uploadWindow(gpu, dy, shape), xs, device, saved, { activation: 'silu', dx: dx.view, layout });
      const want = batchNormActivationBackwardReference(dy, x, shape, host.weight, host.bias, 'silu', 1e-5);
      assertClose(await gpu.read(dx.view), want.dx, 'forward', `dx ${label}`);
      await dx.assertOutsideUntouched(`dx ${label}`);
    }
  },
  'rejects an unknown activation, wrong channel counts, a mismatched dy, aliasing and a single value per channel': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(24).map((_, i) => i), [2, 3, 2, 2]);
    const p: Required<BatchNormParameters> = { weight: gpu.empty([3]), bias: gpu.empty([3]), runningMean: gpu.empty([3]), runningVar: gpu.empty([3]) };
    const forward = 'batchNorm2dActivationTraining';
    const backward = 'batchNorm2dActivationBackward';
    await expectError(() => batchNorm2dActivationTraining(gpu, x, p, { activation: 'tanh' as Activation }), [forward, 'tanh']);
    await expectError(() => batchNorm2dActivationTraining(gpu, x, { ...p, bias: gpu.empty([4]) }), [forward, 'bias', '[4]', '[3]']);
    await expectError(() => batchNorm2dActivationTraining(gpu, x, p, { out: x }), [forward, 'y', 'alias']);
    await expectError(() => batchNorm2dActivationTraining(gpu, gpu.empty([1, 3, 1, 1]), p), [forward, '[1, 3, 1, 1]', 'more than 1']);
    await expectError(() => batchNorm2dActivationTraining(gpu, x, p, { numBatchesTracked: gpu.empty([2]) }), ['numBatchesTracked', '[2]', 'one value']);
    await expectError(() => batchNorm2dActivationTraining(gpu, x, p, { numBatchesTracked: p.runningMean }), [forward, 'alias']);
    const saved = { mean: gpu.empty([3]), invstd: gpu.empty([3]) };
    await expectError(() => batchNorm2dActivationBackward(gpu, gpu.empty([2, 3, 2, 3]), x, p, saved), [backward, 'dy', '[2, 3, 2, 3]', '[2, 3, 2, 2]']);
    await expectError(() => batchNorm2dActivationBackward(gpu, x, x, { ...p, weight: gpu.empty([2]) }, saved), [backward, 'weight', '[2]', '[3]']);
    await expectError(() => batchNorm2dActivationBackward(gpu, x, x, p, saved, { dx: x }), [backward, 'dx', 'alias']);
  },
});
