import {
  batchNormInferenceReference,
  batchNormTrainingReference,
  dropConnectReference,
  segmentationLossReference,
  squeezeExcitationReference,
} from '@ulseg/kernels/reference';
import { assertClose, defineCases, expectError, Random, randomArray } from '@ulseg/kernels/testing';
import { gradcheck } from '../test/gradcheck.js';
import { F, nn, noGrad, Tensor } from './index.js';

export const trainingOpCases = defineCases('autograd-training-ops', {
  'batchNorm2d in training mode: gradients of x, γ, β and the running statistics': async ({ gpu, random }) => {
    const shape = [3, 5, 4, 3];
    const runningMean = randomArray(random, 5);
    const runningVar = randomArray(random, 5, { low: 0.5, high: 2 });
    const parameters = (weight: ArrayLike<number>, bias: ArrayLike<number>) => ({ weight, bias, runningMean, runningVar });
    await gradcheck(
      gpu,
      random,
      {
        shapes: [shape, [5], [5]],
        forward: ([x, weight, bias]) => F.batchNorm2d(x!, undefined, undefined, weight!, bias!, true, 0.1, 1e-3),
        reference: ([x, weight, bias]) => batchNormTrainingReference(x!, shape, parameters(weight!, bias!), 0.1, 1e-3).y,
        ranges: [{}, { low: 0.5, high: 1.5 }, {}],
      },
      'batchNorm2d train',
    );
    const data = randomArray(random, 3 * 5 * 4 * 3);
    const mean = Tensor.fromArray(gpu, runningMean, [5]);
    const variance = Tensor.fromArray(gpu, runningVar, [5]);
    const weight = Tensor.fromArray(gpu, new Float32Array(5).fill(1), [5]);
    const bias = Tensor.zeros(gpu, [5]);
    noGrad(() => F.batchNorm2d(Tensor.fromArray(gpu, data, shape), mean, variance, weight, bias, true, 0.01, 1e-3));
    const expected = batchNormTrainingReference(data, shape, parameters(new Float32Array(5).fill(1), new Float32Array(5)), 0.01, 1e-3);
    assertClose(await mean.toArray(), expected.runningMean, 'reduction', 'running_mean (momentum 0.01)');
    assertClose(await variance.toArray(), expected.runningVar, 'reduction', 'running_var (unbiased)');
  },
  'batchNorm2d in eval mode: gradients through the running statistics': async ({ gpu, random }) => {
    const shape = [2, 3, 5, 3];
    const runningMean = randomArray(random, 3);
    const runningVar = randomArray(random, 3, { low: 0.5, high: 2 });
    const mean = Tensor.fromArray(gpu, runningMean, [3]);
    const variance = Tensor.fromArray(gpu, runningVar, [3]);
    await gradcheck(
      gpu,
      random,
      {
        shapes: [shape, [3], [3]],
        forward: ([x, weight, bias]) => F.batchNorm2d(x!, mean, variance, weight!, bias!, false, 0.1, 1e-5),
        reference: ([x, weight, bias]) => batchNormInferenceReference(x!, shape, { weight: weight!, bias: bias!, runningMean, runningVar }, 1e-5),
      },
      'batchNorm2d eval',
    );
  },
  'dropConnect keeps or drops whole samples and routes gradients through the same mask': async ({ gpu, random }) => {
    const shape = [6, 2, 3, 3];
    await gradcheck(
      gpu,
      random,
      { shapes: [shape], forward: ([x]) => F.dropConnect(x!, 0.4, 77), reference: ([x]) => dropConnectReference(x!, shape, 0.4, 77) },
      'dropConnect',
    );
    await expectError(() => F.dropConnect(Tensor.zeros(gpu, [2, 1]), 1, 1), ['dropConnect', 'p must lie in [0, 1)']);
  },
  'dropConnectAdd (x dropped + residual) in one kernel: forward and both gradients': async ({ gpu, random }) => {
    const shape = [6, 2, 3, 3];
    await gradcheck(
      gpu,
      random,
      {
        shapes: [shape, shape],
        forward: ([x, residual]) => F.dropConnectAdd(x!, residual!, 0.4, 77),
        reference: ([x, residual]) => dropConnectReference(x!, shape, 0.4, 77).map((value, i) => value + residual![i]!),
      },
      'dropConnectAdd',
    );
    await expectError(() => F.dropConnectAdd(Tensor.zeros(gpu, [2, 1]), Tensor.zeros(gpu, [2, 1]), 1, 1), ['dropConnectAdd', 'p must lie in [0, 1)']);
  },
  'nn.DropConnect: drop-connect + residual in training with a generator (a seed drawn per forward), x + residual in eval, at p = 0 or without one': async ({ gpu, random }) => {
    const shape = [6, 3, 2, 5];
    const data = randomArray(random, 180);
    const residualData = randomArray(random, 180);
    const x = Tensor.fromArray(gpu, data, shape);
    const residual = Tensor.fromArray(gpu, residualData, shape);
    const sum = Float64Array.from(data, (value, i) => value + residualData[i]!);
    const module = new nn.DropConnect(0.4);
    const seed = new Random(5).nextUint32();
    const dropped = dropConnectReference(data, shape, 0.4, seed).map((value, i) => value + residualData[i]!);
    module.random = new Random(5);
    assertClose(await module.forward([x, residual]).toArray(), dropped, 'elementwise', 'training');
    module.random = undefined;
    assertClose(await module.forward([x, residual]).toArray(), sum, 'elementwise', 'training without a generator');
    module.random = new Random(5);
    module.eval();
    assertClose(await module.forward([x, residual]).toArray(), sum, 'elementwise', 'eval');
    module.train();
    module.p = 0;
    assertClose(await module.forward([x, residual]).toArray(), sum, 'elementwise', 'p = 0');
    await expectError(() => (module.p = 1), ['DropConnect', 'p must lie in [0, 1)']);
    await expectError(() => new nn.DropConnect(-0.1), ['DropConnect', 'p must lie in [0, 1)']);
  },
  'Dice, BCE and their mix, Dice over the batch or per image: forward and gradients to the logits': async ({ gpu, random }) => {
    const shape = [2, 1, 5, 7];
    const target = Float64Array.from({ length: 70 }, () => (random.next() < 0.4 ? 1 : 0));
    const targetTensor = Tensor.fromArray(gpu, Float32Array.from(target), shape);
    for (const [bceWeight, diceReduction] of [[0, 'batch'], [1, 'batch'], [0.3, 'batch'], [0, 'image'], [0.3, 'image']] as const) {
      await gradcheck(
        gpu,
        random,
        {
          shapes: [shape],
          forward: ([logits]) => F.segmentationLoss(logits!, targetTensor, { bceWeight, diceReduction }),
          reference: ([logits]) => Float64Array.of(segmentationLossReference(logits!, target, { bceWeight, diceReduction }, 2).loss),
          ranges: [{ low: -4, high: 4 }],
        },
        `loss w=${bceWeight} Dice per ${diceReduction}`,
      );
    }
    const logits = Tensor.fromArray(gpu, randomArray(random, 70), shape);
    await expectError(() => F.diceLoss(logits, Tensor.zeros(gpu, [2, 1, 7, 5])), ['diceLoss', '[2, 1, 5, 7]', '[2, 1, 7, 5]']);
  },
  'squeezeExcitation: the fused inference path equals the composition; the fused training op and the composition match finite differences': async ({ gpu, random }) => {
    const shape = [2, 12, 5, 7];
    const sizes = { reduceWeight: [3, 12, 1, 1], reduceBias: [3], expandWeight: [12, 3, 1, 1], expandBias: [12] };
    const host = {
      x: randomArray(random, 2 * 12 * 5 * 7),
      reduceWeight: randomArray(random, 36, { low: -0.8, high: 0.8 }),
      reduceBias: randomArray(random, 3),
      expandWeight: randomArray(random, 36, { low: -1.5, high: 1.5 }),
      expandBias: randomArray(random, 12),
    };
    const tensors = {
      x: Tensor.fromArray(gpu, host.x, shape),
      reduceWeight: Tensor.fromArray(gpu, host.reduceWeight, sizes.reduceWeight, { requiresGrad: true }),
      reduceBias: Tensor.fromArray(gpu, host.reduceBias, sizes.reduceBias, { requiresGrad: true }),
      expandWeight: Tensor.fromArray(gpu, host.expandWeight, sizes.expandWeight, { requiresGrad: true }),
      expandBias: Tensor.fromArray(gpu, host.expandBias, sizes.expandBias, { requiresGrad: true }),
    };
    const run = () => F.squeezeExcitation(tensors.x, tensors.reduceWeight, tensors.reduceBias, tensors.expandWeight, tensors.expandBias);
    const fused = noGrad(run);
    const composed = run();
    if (fused.requiresGrad || !composed.requiresGrad) throw new Error('the fused path must run only when nothing records a gradient');
    const reference = squeezeExcitationReference(host.x, shape, host);
    assertClose(await fused.toArray(), reference, 'forward', 'fused (noGrad)');
    assertClose(await composed.toArray(), reference, 'forward', 'composed (recording)');
    if (composed.node?.op !== 'squeezeExcitationTraining') throw new Error(`recording: op ${composed.node?.op}, want the fused training op`);
    // Both recorded forms: the fused training op (default) and the composition (setTrainingFusion(false)).
    for (const fusion of [true, false]) {
      nn.setTrainingFusion(fusion);
      try {
        await gradcheck(
          gpu,
          random,
          {
            shapes: [shape, sizes.reduceWeight, sizes.reduceBias, sizes.expandWeight, sizes.expandBias],
            forward: ([x, w1, b1, w2, b2]) => F.squeezeExcitation(x!, w1!, b1!, w2!, b2!),
            reference: ([x, w1, b1, w2, b2]) =>
              squeezeExcitationReference(x!, shape, { reduceWeight: w1!, reduceBias: b1!, expandWeight: w2!, expandBias: b2! }),
          },
          `squeezeExcitation, training fusion ${fusion ? 'on' : 'off'}`,
        );
      } finally {
        nn.setTrainingFusion(true);
      }
    }
  },
});
