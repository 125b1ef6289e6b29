import {
  assertClose,
  defineCases,
  expectError,
  numericalGradient,
  poisoned,
  poisonedWindow,
  randomArray,
  uploadWindow,
  weightedSum,
} from '../../testing/index.js';
import type { FlatVariant } from '../../runtime/flat.js';
import type { Gpu } from '../../runtime/gpu.js';
import { numel } from '../../runtime/tensor.js';
import type { Random } from '../../testing/random.js';
import { batchNorm2dBackward } from './batch-norm-backward.js';
import {
  batchNorm2d,
  batchNorm2dInference,
  batchNorm2dTraining,
  batchNormLayout,
  foldBatchNorm2d,
  type BatchNormParameters,
  type BatchNormReduction,
} from './batch-norm.js';
import {
  batchNormBackwardReference,
  batchNormInferenceReference,
  batchNormTrainingReference,
  foldBatchNormReference,
  type BatchNormReferenceParameters,
} from './batch-norm.reference.js';

/** x with a per-channel offset in [−3, 3] and spread in [0.5, 2], so statistics are not trivially 0 and 1. */
function input(random: Random, shape: readonly number[]): Float32Array {
  const [, channels, h, w] = shape as [number, number, number, number];
  const offsets = Array.from({ length: channels }, () => random.uniform(-3, 3));
  const spreads = Array.from({ length: channels }, () => random.uniform(0.5, 2));
  const x = randomArray(random, numel(shape));
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / (h * w)) % channels;
    x[i] = offsets[c]! + spreads[c]! * x[i]!;
  }
  return x;
}

function parameters(random: Random, channels: number): BatchNormReferenceParameters {
  return {
    weight: randomArray(random, channels, { low: 0.8, high: 1.2 }),
    bias: randomArray(random, channels, { low: -0.2, high: 0.2, minMagnitude: 0.01 }),
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

/** One training forward on the GPU against float64: y, saved statistics and the running update. */
async function checkTraining(
  gpu: Gpu,
  random: Random,
  shape: number[],
  momentum: number,
  eps: number,
  yTolerance: 'elementwise' | 'reduction',
  reduction?: BatchNormReduction,
): Promise<void> {
  const channels = shape[1]!;
  const x = input(random, shape);
  const host = parameters(random, channels);
  const device = upload(gpu, host);
  const { y, mean, invstd } = batchNorm2dTraining(gpu, gpu.upload(x, shape), device, {
    momentum,
    eps,
    out: poisoned(gpu, shape),
    mean: poisoned(gpu, [channels]),
    invstd: poisoned(gpu, [channels]),
    reduction,
  });
  const want = batchNormTrainingReference(x, shape, host, momentum, eps);
  const label = `${shape} m=${momentum} eps=${eps} ${reduction ?? 'default'} reduction`;
  assertClose(await gpu.read(mean), want.mean, 'reduction', `mean ${label}`);
  assertClose(await gpu.read(invstd), want.invstd, 'reduction', `invstd ${label}`);
  assertClose(await gpu.read(y), want.y, yTolerance, `y ${label}`);
  assertClose(await gpu.read(device.runningMean), want.runningMean, 'elementwise', `running mean ${label}`);
  assertClose(await gpu.read(device.runningVar), want.runningVar, 'elementwise', `running var ${label}`);
  for (const tensor of [y, mean, invstd, ...Object.values(device)]) gpu.release(tensor);
}

const TINY = [2, 3, 3, 4];
const REDUCTIONS: BatchNormReduction[] = ['workgroup', 'lane'];

export const batchNormCases = defineCases('batch-norm', {
  'training forward on [3, 5, 7, 9]: y, mean, invstd and running statistics (m 0.1 / eps 1e-5, m 0.01 / eps 1e-3)': async ({ gpu, random }) => {
    await checkTraining(gpu, random, [3, 5, 7, 9], 0.1, 1e-5, 'elementwise');
    await checkTraining(gpu, random, [3, 5, 7, 9], 0.010000000000000009, 1e-3, 'elementwise');
  },
  'training statistics exact to 1e-6 on [8, 3456, 8, 8], [4, 16, 64, 64] and [8, 56, 128, 128] (many chunks per channel)': {
    timeoutMs: 240_000,
    run: async ({ gpu, random }) => {
      // The default picks 'lane' for 512 values per channel on the CPU adapters, 'workgroup' for 131072.
      for (const reduction of [...REDUCTIONS, undefined]) {
        await checkTraining(gpu, random, [8, 3456, 8, 8], 0.010000000000000009, 1e-3, 'reduction', reduction);
      }
      // [4, 16, 64, 64]: 16384 values per channel, the longest the default reduces with 'lane' on the CPU adapters.
      for (const reduction of [...REDUCTIONS, undefined]) {
        await checkTraining(gpu, random, [4, 16, 64, 64], 0.1, 1e-5, 'reduction', reduction);
      }
      await checkTraining(gpu, random, [8, 56, 128, 128], 0.1, 1e-5, 'reduction', 'workgroup');
      await checkTraining(gpu, random, [8, 56, 128, 128], 0.1, 1e-5, 'reduction');
    },
  },
  'both reductions on odd shapes: runs that cross image boundaries, a short last run, fewer values than one run': async ({ gpu, random }) => {
    // [9, 4, 11, 13]: n = 1287 values per channel = 5 runs of RUN and one of 7; [3, 37, 3, 5]: n = 45 < RUN.
    for (const reduction of REDUCTIONS) {
      await checkTraining(gpu, random, [9, 4, 11, 13], 0.1, 1e-5, 'elementwise', reduction);
      await checkTraining(gpu, random, [3, 37, 3, 5], 0.1, 1e-3, 'elementwise', reduction);
    }
  },
  'training forward without running statistics leaves nothing else written; num_batches_tracked counted when given': async ({ gpu, random }) => {
    const shape = [4, 3, 5, 3];
    const x = input(random, shape);
    const host = parameters(random, 3);
    const { weight, bias } = upload(gpu, host);
    const { y } = batchNorm2dTraining(gpu, gpu.upload(x, shape), { weight, bias }, { out: poisoned(gpu, shape) });
    assertClose(await gpu.read(y), batchNormTrainingReference(x, shape, host, 0.1, 1e-5).y, 'elementwise', 'y');
    // num_batches_tracked, given, is counted by the statistics pass whether or not running statistics are.
    const tracked = gpu.upload(new Float32Array([7]), []);
    batchNorm2dTraining(gpu, gpu.upload(x, shape), { weight, bias }, { numBatchesTracked: tracked });
    batchNorm2dTraining(gpu, gpu.upload(x, shape), upload(gpu, host), { numBatchesTracked: tracked, reduction: 'workgroup' });
    assertClose(await gpu.read(tracked), [9], 'exact', 'num_batches_tracked');
  },
  'batchNorm2d (the F.batch_norm form) dispatches to the training and inference forwards': async ({ gpu, random }) => {
    const shape = [3, 2, 5, 3];
    const x = input(random, shape);
    const host = parameters(random, 2);
    const { weight, bias, runningMean, runningVar } = upload(gpu, host);
    const xs = gpu.upload(x, shape);
    const inference = batchNorm2d(gpu, xs, weight, bias, { training: false, runningMean, runningVar, eps: 1e-3, out: poisoned(gpu, shape) });
    assertClose(await gpu.read(inference.y), batchNormInferenceReference(x, shape, host, 1e-3), 'elementwise', 'inference');
    const training = batchNorm2d(gpu, xs, weight, bias, { training: true, runningMean, runningVar, momentum: 0.2, eps: 1e-3, out: poisoned(gpu, shape) });
    const want = batchNormTrainingReference(x, shape, host, 0.2, 1e-3);
    assertClose(await gpu.read(training.y), want.y, 'elementwise', 'training y');
    assertClose(await gpu.read(training.invstd), want.invstd, 'reduction', 'training invstd');
    assertClose(await gpu.read(runningVar), want.runningVar, 'elementwise', 'running var');
  },
  'inference forward and the folded (scale, shift) on [3, 5, 7, 9] match float64': async ({ gpu, random }) => {
    const shape = [3, 5, 7, 9];
    const x = input(random, shape);
    for (const eps of [1e-5, 1e-3]) {
      const host = parameters(random, 5);
      const device = upload(gpu, host);
      const y = batchNorm2dInference(gpu, gpu.upload(x, shape), device, { eps, out: poisoned(gpu, shape) });
      assertClose(await gpu.read(y), batchNormInferenceReference(x, shape, host, eps), 'elementwise', `inference eps=${eps}`);
      const { scale, shift } = foldBatchNorm2d(gpu, device, { eps, scale: poisoned(gpu, [5]), shift: poisoned(gpu, [5]) });
      const want = foldBatchNormReference(host, eps);
      assertClose(await gpu.read(scale), want.scale, 'elementwise', `scale eps=${eps}`);
      assertClose(await gpu.read(shift), want.shift, 'elementwise', `shift eps=${eps}`);
    }
  },
  'backward matches float64 finite differences in x, γ and β on [2, 3, 3, 4]': async ({ gpu, random }) => {
    for (const eps of [1e-5, 1e-3]) {
      const x = input(random, TINY);
      const host = parameters(random, 3);
      const w = randomArray(random, numel(TINY));
      const loss = (xs: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number>): number =>
        weightedSum(batchNormTrainingReference(xs, TINY, { ...host, weight, bias }, 0.1, eps).y, w);
      const numericX = numericalGradient((point) => loss(point, host.weight, host.bias), x);
      const numericWeight = numericalGradient((point) => loss(x, point, host.bias), host.weight);
      const numericBias = numericalGradient((point) => loss(x, host.weight, point), host.bias);
      const device = upload(gpu, host);
      const xs = gpu.upload(x, TINY);
      const saved = batchNorm2dTraining(gpu, xs, device, { eps });
      const grads = batchNorm2dBackward(gpu, gpu.upload(w, TINY), xs, device.weight, saved, {
        dx: poisoned(gpu, TINY),
        dweight: poisoned(gpu, [3]),
        dbias: poisoned(gpu, [3]),
      });
      assertClose(await gpu.read(grads.dx), numericX, 'finiteDifference', `dx eps=${eps}`);
      assertClose(await gpu.read(grads.dweight), numericWeight, 'finiteDifference', `dγ eps=${eps}`);
      assertClose(await gpu.read(grads.dbias), numericBias, 'finiteDifference', `dβ eps=${eps}`);
    }
  },
  'backward matches the float64 analytic gradient on [3, 5, 7, 9], [9, 4, 11, 13], [8, 56, 32, 32] and [4, 16, 64, 64], both reductions': {
    timeoutMs: 120_000,
    run: async ({ gpu, random }) => {
      for (const [shape, reduction] of REDUCTIONS.flatMap((r) => [[3, 5, 7, 9], [9, 4, 11, 13], [8, 56, 32, 32], [4, 16, 64, 64]].map((shape) => [shape, r] as const))) {
        const channels = shape[1]!;
        const x = input(random, shape);
        const dy = randomArray(random, numel(shape));
        const host = parameters(random, channels);
        const device = upload(gpu, host);
        const xs = gpu.upload(x, shape);
        const saved = batchNorm2dTraining(gpu, xs, device, { eps: 1e-3, reduction });
        const grads = batchNorm2dBackward(gpu, gpu.upload(dy, shape), xs, device.weight, saved, {
          dx: poisoned(gpu, shape),
          dweight: poisoned(gpu, [channels]),
          dbias: poisoned(gpu, [channels]),
          reduction,
        });
        const want = batchNormBackwardReference(dy, x, shape, host.weight, 1e-3);
        assertClose(await gpu.read(grads.dbias), want.dbias, 'reduction', `dβ ${shape} ${reduction}`);
        assertClose(await gpu.read(grads.dweight), want.dweight, 'reduction', `dγ ${shape} ${reduction}`);
        assertClose(await gpu.read(grads.dx), want.dx, 'reduction', `dx ${shape} ${reduction}`);
      }
    },
  },
  ...Object.fromEntries(
    (['auto', 'scalar'] as FlatVariant[]).map((layout) => [
      `${layout} layout at an offset: training y, inference y and backward dx on [3, 5, 4, 6], [2, 3, 2, 2] (H·W a multiple of 4) and [3, 5, 7, 9]`,
      async ({ gpu, random }) => {
        for (const shape of [[3, 5, 4, 6], [2, 3, 2, 2], [3, 5, 7, 9]]) {
          const hw = shape[2]! * shape[3]!;
          const expected = layout === 'auto' && hw % 4 === 0 ? 'vec4' : 'scalar';
          if (batchNormLayout(hw, layout) !== expected) throw new Error(`batchNormLayout(${hw}, ${layout}) is not ${expected}`);
          const label = `${layout} [${shape}]`;
          const channels = shape[1]!;
          const x = input(random, shape);
          const dy = randomArray(random, numel(shape));
          const host = parameters(random, channels);
          const device = upload(gpu, host);
          const xs = uploadWindow(gpu, x, shape);
          const y = poisonedWindow(gpu, shape);
          const saved = batchNorm2dTraining(gpu, xs, device, { eps: 1e-3, out: y.view, layout });
          const want = batchNormTrainingReference(x, shape, host, 0.1, 1e-3);
          assertClose(await gpu.read(saved.y), want.y, 'elementwise', `training y ${label}`);
          await y.assertOutsideUntouched(`training y ${label}`);
          const dx = poisonedWindow(gpu, shape);
          batchNorm2dBackward(gpu, uploadWindow(gpu, dy, shape), xs, device.weight, saved, { dx: dx.view, layout });
          assertClose(await gpu.read(dx.view), batchNormBackwardReference(dy, x, shape, host.weight, 1e-3).dx, 'reduction', `dx ${label}`);
          await dx.assertOutsideUntouched(`dx ${label}`);
          const inferred = poisonedWindow(gpu, shape);
          const evalHost = { ...host, runningMean: await gpu.read(device.runningMean), runningVar: await gpu.read(device.runningVar) };
          batchNorm2dInference(gpu, xs, device, { eps: 1e-3, out: inferred.view, layout });
          assertClose(await gpu.read(inferred.view), batchNormInferenceReference(x, shape, evalHost, 1e-3), 'elementwise', `inference ${label}`);
          await inferred.assertOutsideUntouched(`inference ${label}`);
        }
      },
    ]),
  ),
  'rejects a non-4-D x, wrong channel counts, a mismatched dy, aliasing and a single value per channel': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(24).map((_, i) => i), [2, 3, 2, 2]);
    const three = (): Required<BatchNormParameters> => ({ weight: gpu.empty([3]), bias: gpu.empty([3]), runningMean: gpu.empty([3]), runningVar: gpu.empty([3]) });
    const p = three();
    await expectError(() => batchNorm2dTraining(gpu, gpu.empty([2, 3, 4]), p), ['batchNorm2dTraining', '[N, C, H, W]', '[2, 3, 4]']);
    await expectError(() => batchNorm2dTraining(gpu, x, { ...p, weight: gpu.empty([4]) }), ['batchNorm2dTraining', 'weight', '[4]', '[3]', '[2, 3, 2, 2]']);
    await expectError(() => batchNorm2dTraining(gpu, x, { ...p, runningVar: undefined }), ['batchNorm2dTraining', 'runningMean', 'runningVar']);
    await expectError(() => batchNorm2dTraining(gpu, x, p, { out: x }), ['batchNorm2dTraining', 'y', 'alias']);
    await expectError(() => batchNorm2dTraining(gpu, x, { ...p, runningMean: p.weight }), ['batchNorm2dTraining', 'runningMean', 'alias']);
    await expectError(() => batchNorm2dTraining(gpu, gpu.empty([1, 3, 1, 1]), p), ['batchNorm2dTraining', '[1, 3, 1, 1]', 'more than 1']);
    await expectError(() => batchNorm2dInference(gpu, x, { weight: p.weight, bias: p.bias }), ['batchNorm2dInference', 'runningMean']);
    await expectError(() => batchNorm2dInference(gpu, x, { ...p, bias: gpu.empty([2]) }), ['batchNorm2dInference', 'bias', '[2]', '[3]']);
    await expectError(() => foldBatchNorm2d(gpu, { ...p, runningVar: gpu.empty([5]) }), ['foldBatchNorm2d', 'runningVar', '[5]', '[3]']);
    const saved = { mean: gpu.empty([3]), invstd: gpu.empty([3]) };
    await expectError(() => batchNorm2dBackward(gpu, gpu.empty([2, 3, 2, 3]), x, p.weight, saved), ['batchNorm2dBackward', 'dy', '[2, 3, 2, 3]', '[2, 3, 2, 2]']);
    await expectError(() => batchNorm2dBackward(gpu, x, x, p.weight, { ...saved, invstd: gpu.empty([2]) }), ['batchNorm2dBackward', 'invstd', '[2]', '[3]']);
    await expectError(() => batchNorm2dBackward(gpu, x, x, p.weight, saved, { dx: x }), ['batchNorm2dBackward', 'dx', 'alias']);
  },
});
