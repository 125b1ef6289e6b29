import { convGeometry, im2colPlan, type Conv2dOptions, type Gpu } from '@ulseg/kernels';
import { assertClose, defineCases, Random, randomArray } from '@ulseg/kernels/testing';
import { F, markWeightsChanged, nn, noGrad, Tensor } from './index.js';

type Activation = nn.Activation;

const X_SHAPE = [3, 5, 7, 9];

/** A BatchNorm2d with random non-zero γ, β, running mean and running variance in [0.5, 2]. */
function randomNorm(gpu: Gpu, random: Random, channels: number, eps?: number): nn.BatchNorm2d {
  const norm = new nn.BatchNorm2d(new nn.InitContext(gpu, random), channels, { eps });
  const entry = (data: Float32Array) => ({ data, shape: [channels] });
  norm.load(
    new Map([
      ['weight', entry(randomArray(random, channels, { low: -2, high: 2 }))],
      ['bias', entry(randomArray(random, channels))],
      ['running_mean', entry(randomArray(random, channels))],
      ['running_var', entry(randomArray(random, channels, { low: 0.5, high: 2 }))],
    ]),
    { strict: false },
  );
  return norm;
}

const activate = (x: Tensor, activation: Activation): Tensor => (activation === 'none' ? x : F[activation](x));

interface FusedSpec {
  label: string;
  conv: (ctx: nn.InitContext) => nn.Conv2d | nn.ConvTranspose2d;
  channels: number;
  activation: Activation;
  eps?: number;
  /** Dispatches of the fused convolution: 2 on the profile's im2col route (im2col, gemm), else 1. */
  convDispatches?: (gpu: Gpu) => number;
}

const conv2dSpec = (label: string, out: number, kernel: number, config: Conv2dOptions & { bias?: boolean }, activation: Activation, eps?: number): FusedSpec => ({
  label,
  conv: (ctx) => new nn.Conv2d(ctx, X_SHAPE[1]!, out, kernel, { bias: false, ...config }),
  channels: out,
  activation,
  eps,
  convDispatches: (gpu) => (im2colPlan(gpu, convGeometry('test', X_SHAPE, [out, X_SHAPE[1]! / (config.groups ?? 1), kernel, kernel], config), {}) ? 2 : 1),
});

/**
 * Eval, no recording: convBatchNorm against act(bn(conv(x))) within the forward tolerance (1e-5 relative L2), with
 * no history, one convolution-sized kernel (the fold, [+ the bias shift,] the conv) and no buffer left behind.
 */
async function checkFused(gpu: Gpu, random: Random, spec: FusedSpec): Promise<void> {
  const conv = spec.conv(new nn.InitContext(gpu, random));
  const norm = randomNorm(gpu, random, spec.channels, spec.eps);
  conv.eval();
  norm.eval();
  const x = Tensor.fromArray(gpu, randomArray(random, X_SHAPE.reduce((a, b) => a * b)), X_SHAPE);
  const composed = noGrad(() => activate(norm.forward(conv.forward(x)), spec.activation));
  const expected = await composed.toArray();
  composed.dispose();
  await gpu.sync();
  const live = gpu.pool.stats().liveBytes;
  const dispatches = gpu.counters.dispatches;
  const fused = noGrad(() => nn.convBatchNorm(conv, norm, x, spec.activation));
  const kernels = gpu.counters.dispatches - dispatches;
  const label = `${spec.label}, ${spec.activation}`;
  if (fused.node || fused.requiresGrad) throw new Error(`${label}: the fused result has history`);
  if (fused.shape.join() !== composed.shape.join()) throw new Error(`${label}: shape ${fused.shape}, want ${composed.shape}`);
  const convKernels = spec.convDispatches?.(gpu) ?? 1;
  const want = (conv.bias ? 2 : 1) + convKernels;
  if (kernels !== want) throw new Error(`${label}: ${kernels} dispatches, want ${want} (fold${conv.bias ? ', bias shift' : ''}, conv${convKernels > 1 ? ' as im2col + gemm' : ''})`);
  assertClose(await fused.toArray(), expected, 'forward', label);
  fused.dispose();
  // The fold (scale and shift) stays on the BN; nothing else is left behind.
  const cache = norm.foldCache;
  if (!cache) throw new Error(`${label}: the fold was not cached`);
  const cached = gpu.pool.stats().liveBytes - live;
  const foldBytes = cache.scale.buffer.size + cache.shift.buffer.size;
  if (cached !== foldBytes) throw new Error(`${label}: ${cached} bytes left behind, want the cached fold's ${foldBytes}`);
  // Unchanged weights: the convolution alone, the same result.
  const again = async (wantDispatches: number, what: string): Promise<void> => {
    const before = gpu.counters.dispatches;
    const y = noGrad(() => nn.convBatchNorm(conv, norm, x, spec.activation));
    const count = gpu.counters.dispatches - before;
    if (count !== wantDispatches) throw new Error(`${label} ${what}: ${count} dispatches, want ${wantDispatches}`);
    assertClose(await y.toArray(), expected, 'forward', `${label} ${what}`);
    y.dispose();
  };
  await again(convKernels, 'second call (cached fold)');
  // A weights change (optimiser step, load, BN in training) refolds; the old fold is released.
  markWeightsChanged();
  await again(want, 'after markWeightsChanged');
  if (norm.foldCache === cache || gpu.pool.stats().liveBytes - live !== foldBytes) throw new Error(`${label}: the stale fold was kept`);
  // A new running variance written through load() is seen.
  const variance = randomArray(random, spec.channels, { low: 0.5, high: 2 });
  norm.load(new Map([['running_var', { data: variance, shape: [spec.channels] }]]), { strict: false });
  const y = noGrad(() => nn.convBatchNorm(conv, norm, x, spec.activation));
  const reference = noGrad(() => activate(norm.forward(conv.forward(x)), spec.activation));
  assertClose(await y.toArray(), await reference.toArray(), 'forward', `${label} after loading running_var`);
  for (const item of [y, reference, x]) item.dispose();
  // Disposing a module that holds the BN (as a model's dispose does) releases the fold with the weights.
  const parent = new nn.Sequential(conv, norm);
  const beforeDispose = gpu.pool.stats().liveBytes;
  parent.dispose();
  if (norm.foldCache || beforeDispose - gpu.pool.stats().liveBytes < foldBytes) throw new Error(`${label}: the fold outlived its module`);
}

interface Gradients {
  y: Float32Array;
  weight: Float32Array;
  gamma: Float32Array;
  input: Float32Array | undefined;
}

/** y, dL/dw (conv), dL/dγ (BN) and dL/dx for L = Σ r·forward(x); the result must have been recorded. */
async function gradients(modules: nn.Module[], x: Tensor, r: Tensor, forward: () => Tensor, label: string): Promise<Gradients> {
  for (const module of modules) module.zeroGrad();
  if (x.grad) {
    x.grad.dispose();
    x.grad = undefined;
  }
  const y = forward();
  if (!y.node) throw new Error(`${label}: the result was not recorded`);
  const loss = F.sum(F.mul(y, r));
  loss.backward();
  const [conv, norm] = modules as [nn.Conv2d, nn.BatchNorm2d];
  if (!conv.weight.grad || !norm.weight.grad) throw new Error(`${label}: no gradient reached the conv weight or the BN weight`);
  const result = { y: await y.toArray(), weight: await conv.weight.grad.toArray(), gamma: await norm.weight.grad.toArray(), input: await (x.grad as Tensor | undefined)?.toArray() };
  y.dispose();
  loss.dispose();
  return result;
}

/** Bit for bit (`close` false), or y within the element-wise and the gradients within the gradient tolerance. */
function expectSame(actual: Gradients, expected: Gradients, label: string, close = false): void {
  assertClose(actual.y, expected.y, close ? 'elementwise' : 'exact', `${label} y`);
  assertClose(actual.weight, expected.weight, close ? 'gradient' : 'exact', `${label} dL/dw`);
  assertClose(actual.gamma, expected.gamma, close ? 'gradient' : 'exact', `${label} dL/dγ`);
  if (expected.input) assertClose(actual.input ?? [], expected.input, close ? 'gradient' : 'exact', `${label} dL/dx`);
  if (!expected.weight.some((value) => value !== 0) || !expected.gamma.some((value) => value !== 0)) throw new Error(`${label}: zero gradients`);
}

const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'sigmoid', 'silu'];

export const convBatchNormCases = defineCases('autograd-conv-batch-norm', {
  'eval: fused 1x1 (gemm route) and 1x1 with conv bias equal the composition': async ({ gpu, random }) => {
    await checkFused(gpu, random, conv2dSpec('1x1 5→6', 6, 1, {}, 'silu', 1e-3));
    await checkFused(gpu, random, conv2dSpec('1x1 5→6 with conv bias', 6, 1, { bias: true }, 'none'));
  },
  'eval: fused 3x3 with asymmetric padding [l, r, t, b], every activation, equals the composition': async ({ gpu, random }) => {
    for (const activation of ACTIVATIONS) {
      await checkFused(gpu, random, conv2dSpec('3x3 5→4 pad [0, 1, 2, 1]', 4, 3, { padding: [0, 1, 2, 1] }, activation));
    }
    await checkFused(gpu, random, conv2dSpec('3x3 5→4 stride 2 pad [0, 1, 0, 1]', 4, 3, { stride: 2, padding: [0, 1, 0, 1] }, 'silu', 1e-3));
    await checkFused(gpu, random, conv2dSpec('3x3 5→4 pad 1 with conv bias', 4, 3, { padding: 1, bias: true }, 'relu'));
  },
  'eval: fused depthwise (groups = C) k3 stride 1 and k5 stride 2 equal the composition': async ({ gpu, random }) => {
    await checkFused(gpu, random, conv2dSpec('depthwise 3x3 pad 1', 5, 3, { padding: 1, groups: 5 }, 'silu', 1e-3));
    await checkFused(gpu, random, conv2dSpec('depthwise 5x5 stride 2 pad [1, 2, 1, 2]', 5, 5, { stride: 2, padding: [1, 2, 1, 2], groups: 5 }, 'silu', 1e-3));
    await checkFused(gpu, random, conv2dSpec('depthwise 5x5 stride 2 pad 2 with conv bias', 5, 5, { stride: 2, padding: 2, groups: 5, bias: true }, 'sigmoid'));
  },
  'eval: fused convTranspose2d 4x4 stride 2 padding 1 with bias (Linknet) equals the composition': async ({ gpu, random }) => {
    await checkFused(gpu, random, {
      label: 'convTranspose2d 5→4 4x4 s2 p1 with bias',
      conv: (ctx) => new nn.ConvTranspose2d(ctx, X_SHAPE[1]!, 4, 4, { stride: 2, padding: 1 }),
      channels: 4,
      activation: 'relu',
    });
  },
  'training, or eval recording gradients: the composition (training: BN + activation as one op), same output and gradients to w, γ and x': async ({ gpu, random }) => {
    const conv = new nn.Conv2d(new nn.InitContext(gpu, random), 5, 4, 3, { padding: [0, 1, 2, 1] });
    const norm = randomNorm(gpu, random, 4, 1e-3);
    const x = Tensor.fromArray(gpu, randomArray(random, 3 * 5 * 7 * 9), X_SHAPE);
    const r = Tensor.fromArray(gpu, randomArray(random, 3 * 4 * 8 * 8), [3, 4, 8, 8]);
    const modules = [conv, norm];
    for (const training of [true, false]) {
      for (const module of modules) module.train(training);
      const label = training ? 'training' : 'eval with grad';
      const fused = await gradients(modules, x, r, () => nn.convBatchNorm(conv, norm, x, 'silu'), label);
      const composed = await gradients(modules, x, r, () => F.silu(norm.forward(conv.forward(x))), label);
      expectSame(fused, composed, label, training);
    }
    const tracked = await norm.stateDict().find(([key]) => key === 'num_batches_tracked')![1].item();
    if (tracked !== 2) throw new Error(`num_batches_tracked ${tracked}, want 2 (the training call must run BatchNorm2d.forward)`);

    // Eval, grad mode on, nothing requiring grad: fused, bit for bit the noGrad result. x requiring grad: recorded.
    const reference = noGrad(() => nn.convBatchNorm(conv, norm, x, 'silu'));
    for (const parameter of [...conv.parameters(), ...norm.parameters()]) parameter.requiresGrad = false;
    const untracked = nn.convBatchNorm(conv, norm, x, 'silu');
    if (untracked.node) throw new Error('eval with nothing requiring grad: the result was recorded');
    assertClose(await untracked.toArray(), await reference.toArray(), 'exact', 'eval, nothing requiring grad');
    x.requiresGrad = true;
    const recorded = nn.convBatchNorm(conv, norm, x, 'silu');
    if (!recorded.node) throw new Error('eval with x requiring grad: the result was not recorded');
    const loss = F.sum(F.mul(recorded, r));
    loss.backward();
    if (!x.grad) throw new Error('eval with x requiring grad: no gradient reached x');
    for (const item of [reference, untracked, recorded, loss, x, r, conv, norm]) item.dispose();
  },
  'training: BN + activation is one op for every activation (the activation pair and the counter add fewer than setTrainingFusion(false)), same running statistics, counter, output and gradients': async ({ gpu, random }) => {
    const x = Tensor.fromArray(gpu, randomArray(random, 3 * 5 * 7 * 9), X_SHAPE, { requiresGrad: true });
    const r = Tensor.fromArray(gpu, randomArray(random, 3 * 4 * 7 * 9), [3, 4, 7, 9]);
    for (const activation of ACTIVATIONS) {
      const conv = new nn.Conv2d(new nn.InitContext(gpu, random), 5, 4, 3, { padding: 1 });
      const results: Gradients[] = [];
      const dispatches: number[] = [];
      const running: Float32Array[][] = [];
      const tracked: number[] = [];
      for (const fusion of [true, false]) {
        const norm = randomNorm(gpu, new Random(11), 4, 1e-3);
        norm.train();
        nn.setTrainingFusion(fusion);
        try {
          const before = gpu.counters.dispatches;
          results.push(await gradients([conv, norm], x, r, () => nn.convBatchNorm(conv, norm, x, activation), `${activation} fusion ${fusion}`));
          dispatches.push(gpu.counters.dispatches - before);
        } finally {
          nn.setTrainingFusion(true);
        }
        running.push([await norm.runningMean.toArray(), await norm.runningVar.toArray()]);
        tracked.push(await norm.stateDict().find(([key]) => key === 'num_batches_tracked')![1].item());
        norm.dispose();
      }
      const label = `training ${activation}`;
      if (!results[0]!.input) throw new Error(`${label}: no gradient reached x`);
      expectSame(results[0]!, results[1]!, label, true);
      assertClose(running[0]![0]!, running[1]![0]!, 'elementwise', `${label} running mean`);
      assertClose(running[0]![1]!, running[1]![1]!, 'elementwise', `${label} running var`);
      // The activation's pass and its backward; num_batches_tracked's own add.
      const saved = (activation === 'none' ? 0 : 2) + 1;
      if (dispatches[1]! - dispatches[0]! !== saved) throw new Error(`${label}: ${dispatches[0]} dispatches fused, ${dispatches[1]} composed; want ${saved} fewer`);
      if (tracked[0] !== 1 || tracked[1] !== 1) throw new Error(`${label}: num_batches_tracked ${tracked}, want 1 on both paths`);
      conv.dispose();
    }
    x.dispose();
    r.dispose();
  },
});
