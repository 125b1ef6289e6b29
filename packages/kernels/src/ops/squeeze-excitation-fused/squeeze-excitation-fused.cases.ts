import { numel } from '../../runtime/tensor.js';
import type { Gpu } from '../../runtime/gpu.js';
import { assertClose, defineCases, expectError, poisoned, Random, randomArray } from '../../testing/index.js';
import { squeezeExcitation, squeezeExcitationComposed, squeezeExcitationGate, type SqueezeExcitationWeights } from './squeeze-excitation-fused.js';
import { squeezeExcitationGateReference, squeezeExcitationReference, type SqueezeExcitationReferenceWeights } from './squeeze-excitation-fused.reference.js';
import { MAX_REDUCED } from './squeeze-excitation-fused.wgsl.js';

interface Weights {
  host: SqueezeExcitationReferenceWeights;
  device: SqueezeExcitationWeights;
}

/** Weights scaled like a trained SE (pre-activations of order 1, both σ tails reached). */
function weights(gpu: Gpu, random: Random, channels: number, reduced: number, spread = 1): Weights {
  const host = {
    reduceWeight: randomArray(random, reduced * channels, { low: -spread * 3 / Math.sqrt(channels), high: spread * 3 / Math.sqrt(channels) }),
    reduceBias: randomArray(random, reduced, { low: -0.5, high: 0.5 }),
    expandWeight: randomArray(random, channels * reduced, { low: -spread * 3 / Math.sqrt(reduced), high: spread * 3 / Math.sqrt(reduced) }),
    expandBias: randomArray(random, channels, { low: -0.5, high: 0.5 }),
  };
  return {
    host,
    device: {
      reduceWeight: gpu.upload(host.reduceWeight, [reduced, channels, 1, 1]),
      reduceBias: gpu.upload(host.reduceBias, [reduced]),
      expandWeight: gpu.upload(host.expandWeight, [channels, reduced, 1, 1]),
      expandBias: gpu.upload(host.expandBias, [channels]),
    },
  };
}

export const squeezeExcitationFusedCases = defineCases('squeeze-excitation-fused', {
  'squeezeExcitationGate matches float64 for N 3, C 37, R 5 and for R = MAX_REDUCED, C 300 (more channels than lanes)': async ({ gpu, random }) => {
    for (const [n, c, r] of [[3, 37, 5], [2, 300, MAX_REDUCED], [1, 1, 1]] as const) {
      const w = weights(gpu, random, c, r);
      const pooled = randomArray(random, n * c, { low: -2, high: 2 });
      const gate = squeezeExcitationGate(gpu, gpu.upload(pooled, [n, c, 1, 1]), w.device, poisoned(gpu, [n, c]));
      assertClose(await gpu.read(gate), squeezeExcitationGateReference(pooled, n, c, w.host), 'forward', `gate N${n} C${c} R${r}`);
    }
  },
  'squeezeExcitation matches float64 on [3, 37, 7, 9] and [2, 24, 33, 31]': async ({ gpu, random }) => {
    for (const [shape, r] of [[[3, 37, 7, 9], 9], [[2, 24, 33, 31], 6]] as const) {
      const w = weights(gpu, random, shape[1], r);
      const x = randomArray(random, numel(shape), { low: -1, high: 3 });
      const y = squeezeExcitation(gpu, gpu.upload(x, shape), w.device, poisoned(gpu, shape));
      assertClose(await gpu.read(y), squeezeExcitationReference(x, shape, w.host), 'forward', `SE ${shape} R${r}`);
    }
  },
  'the fused kernel equals its oracle, the composition pool → conv → silu → conv → sigmoid → scale, on [5, 40, 8, 8]': async ({ gpu, random }) => {
    const shape = [5, 40, 8, 8];
    // Large weights drive the gate into both σ tails (|pre-activation| up to ~30) where rounding differs most.
    const w = weights(gpu, random, 40, 10, 6);
    const x = gpu.upload(randomArray(random, numel(shape), { low: -1, high: 3 }), shape);
    const fused = await gpu.read(squeezeExcitation(gpu, x, w.device, poisoned(gpu, shape)));
    const composed = await gpu.read(squeezeExcitationComposed(gpu, x, w.device, poisoned(gpu, shape)));
    assertClose(fused, composed, 'forward', 'fused vs composed');
  },
  'rejects bad shapes, too many squeezed channels and aliasing, naming the argument': async ({ gpu, random }) => {
    const w = weights(gpu, random, 6, 2);
    const x = gpu.upload(new Float32Array(48).fill(1), [2, 6, 2, 2]);
    await expectError(() => squeezeExcitation(gpu, gpu.empty([2, 6, 4]), w.device), ['squeezeExcitation', '[N, C, H, W]', '[2, 6, 4]']);
    await expectError(() => squeezeExcitation(gpu, gpu.empty([2, 5, 2, 2]), w.device), ['squeezeExcitation', 'reduceWeight', '[2, 6, 1, 1]', '[2, 5, 1, 1]']);
    await expectError(() => squeezeExcitation(gpu, x, { ...w.device, expandBias: gpu.empty([5]) }), ['squeezeExcitation', 'expandBias', '[5]', '[6]']);
    await expectError(() => squeezeExcitation(gpu, x, { ...w.device, reduceBias: gpu.empty([3]) }), ['reduceBias', '[3]', '[2]']);
    const wide = weights(gpu, random, 6, MAX_REDUCED + 1);
    await expectError(() => squeezeExcitation(gpu, x, wide.device), ['squeezeExcitation', `${MAX_REDUCED + 1} squeezed channels`, 'composition']);
    const pooled = gpu.upload(new Float32Array(12).fill(1), [2, 6]);
    await expectError(() => squeezeExcitationGate(gpu, pooled, w.device, pooled), ['squeezeExcitationGate', 'alias']);
    await expectError(() => squeezeExcitationGate(gpu, pooled, w.device, gpu.empty([2, 5])), ['squeezeExcitationGate', 'output', '[2, 5]', '[2, 6]']);
  },
});
