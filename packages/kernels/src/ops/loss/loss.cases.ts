import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray } from '../../testing/index.js';
import type { Gpu } from '../../runtime/gpu.js';
import { numel } from '../../runtime/tensor.js';
import type { Random } from '../../testing/random.js';
import { segmentationLoss, segmentationLossBackward, segmentationMetrics, type SegmentationLossOptions } from './loss.js';
import { segmentationLossBackwardReference, segmentationLossReference, segmentationMetricsReference } from './loss.reference.js';

/** Logits in ±8 with every 97th at ±80; targets in {0, 1} (about 30% ones) or soft in [0, 1]. */
function sample(random: Random, count: number, soft = false): { logits: Float32Array; target: Float32Array } {
  const logits = randomArray(random, count, { low: -8, high: 8, minMagnitude: 0.01 });
  for (let i = 0; i < count; i += 97) logits[i] = random.next() < 0.5 ? -80 : 80;
  const target = Float32Array.from({ length: count }, () => (soft ? random.next() : random.next() < 0.3 ? 1 : 0));
  return { logits, target };
}

async function checkForward(gpu: Gpu, random: Random, shape: number[], options: SegmentationLossOptions, soft = false): Promise<void> {
  const { logits, target } = sample(random, numel(shape), soft);
  const perImage = options.diceReduction === 'image';
  const { loss, sums } = segmentationLoss(gpu, gpu.upload(logits, shape), gpu.upload(target, shape), options, {
    loss: poisoned(gpu, [3]),
    sums: poisoned(gpu, perImage ? [shape[0]!, 4] : [4]),
  });
  const want = segmentationLossReference(logits, target, options, shape[0]);
  const label = `${shape} w=${options.bceWeight ?? 0}${soft ? ' soft' : ''}${perImage ? ' per image' : ''}`;
  assertClose(await gpu.read(sums), want.sums, 'reduction', `sums ${label}`);
  const [total, dice, bce] = await gpu.read(loss);
  assertClose([total!], [want.loss], 'reduction', `loss ${label}`);
  assertClose([dice!], [want.dice], 'reduction', `dice ${label}`);
  assertClose([bce!], [want.bce], 'reduction', `bce ${label}`);
}

export const lossCases = defineCases('loss', {
  'forward matches float64 on [3, 1, 7, 9] (one chunk) and [2, 1, 191, 173] (a combine pass), w = 0, 0.3, 1': async ({ gpu, random }) => {
    for (const shape of [[3, 1, 7, 9], [2, 1, 191, 173]]) {
      for (const bceWeight of [0, 0.3, 1]) await checkForward(gpu, random, shape, { bceWeight });
    }
    await checkForward(gpu, random, [2, 1, 191, 173], { bceWeight: 0.5, smoothing: 0.25 }, true);
  },
  'forward over 4.3 million elements (two combine passes) matches float64 to 1e-6': {
    timeoutMs: 180_000,
    run: async ({ gpu, random }) => {
      await checkForward(gpu, random, [4, 1, 1031, 1043], { bceWeight: 0.3 });
    },
  },
  'per-image Dice: forward matches float64 on [3, 1, 7, 9], [2, 1, 191, 173] (a combine pass per image) and [5, 3, 5, 7], w = 0, 0.3, 1': async ({ gpu, random }) => {
    for (const shape of [[3, 1, 7, 9], [2, 1, 191, 173], [5, 3, 5, 7]]) {
      for (const bceWeight of [0, 0.3, 1]) await checkForward(gpu, random, shape, { bceWeight, diceReduction: 'image' });
    }
    await checkForward(gpu, random, [3, 1, 191, 173], { bceWeight: 0.5, smoothing: 0.25, diceReduction: 'image' }, true);
  },
  'per-image Dice: the mean of each image alone; one image equals the batch Dice; a small lesion weighs as much as a large one': async ({ gpu, random }) => {
    const shape = [3, 1, 11, 13];
    const hw = 11 * 13;
    const { logits, target } = sample(random, 3 * hw);
    const l = gpu.upload(logits, shape);
    const t = gpu.upload(target, shape);
    const [, dice] = await gpu.read(segmentationLoss(gpu, l, t, { diceReduction: 'image' }).loss);
    let alone = 0;
    for (let n = 0; n < 3; n++) {
      const part = [1, 1, 11, 13];
      const one = segmentationLoss(gpu, gpu.upload(logits.subarray(n * hw, (n + 1) * hw), part), gpu.upload(target.subarray(n * hw, (n + 1) * hw), part));
      alone += (await gpu.read(one.loss))[1]! / 3;
    }
    assertClose([dice!], [alone], 'reduction', 'per-image Dice vs the mean of single-image batch Dice');
    const single = [1, 1, 11, 13];
    const image = await gpu.read(segmentationLoss(gpu, gpu.upload(logits.subarray(0, hw), single), gpu.upload(target.subarray(0, hw), single), { diceReduction: 'image' }).loss);
    const batch = await gpu.read(segmentationLoss(gpu, gpu.upload(logits.subarray(0, hw), single), gpu.upload(target.subarray(0, hw), single)).loss);
    assertClose(image, batch, 'reduction', 'N = 1: image = batch');
    // Image 0 a large lesion found, image 1 a 3-pixel lesion missed: the pooled Dice hardly sees the miss.
    const big = new Float32Array(2 * hw);
    const truth = new Float32Array(2 * hw);
    for (let s = 0; s < 60; s++) [big[s], truth[s]] = [9, 1];
    for (let s = 60; s < hw; s++) big[s] = -9;
    for (let s = hw; s < 2 * hw; s++) big[s] = -9;
    for (let s = hw; s < hw + 3; s++) truth[s] = 1;
    const two = [2, 1, 11, 13];
    const pooled = (await gpu.read(segmentationLoss(gpu, gpu.upload(big, two), gpu.upload(truth, two)).loss))[1]!;
    const perImage = (await gpu.read(segmentationLoss(gpu, gpu.upload(big, two), gpu.upload(truth, two), { diceReduction: 'image' }).loss))[1]!;
    if (!(pooled < 0.05 && perImage > 0.35)) throw new Error(`missed small lesion: pooled Dice loss ${pooled}, per-image ${perImage}`);
  },
  'per-image Dice: backward matches float64 on [3, 1, 7, 9] and [2, 1, 191, 173], w = 0, 0.3, 1, with and without dy': async ({ gpu, random }) => {
    for (const shape of [[3, 1, 7, 9], [2, 1, 191, 173]]) {
      for (const [bceWeight, upstream] of [[0, undefined], [0.3, -0.7], [1, 2.5]] as const) {
        const { logits, target } = sample(random, numel(shape));
        const l = gpu.upload(logits, shape);
        const t = gpu.upload(target, shape);
        const options = { bceWeight, diceReduction: 'image' } as const;
        const { sums } = segmentationLoss(gpu, l, t, options);
        const dy = upstream === undefined ? undefined : gpu.upload([upstream], []);
        const dl = segmentationLossBackward(gpu, l, t, sums, { ...options, dy }, poisoned(gpu, shape));
        const want = segmentationLossBackwardReference(logits, target, options, upstream ?? 1, shape[0]);
        assertClose(await gpu.read(dl), want, 'reduction', `dl ${shape} w=${bceWeight} dy=${upstream} per image`);
      }
    }
  },
  'per-image Dice: backward matches float64 finite differences on [3, 1, 3, 5], w = 0, 0.4, binary and soft targets': async ({ gpu, random }) => {
    const shape = [3, 1, 3, 5];
    for (const [bceWeight, soft] of [[0, false], [0.4, false], [0, true]] as const) {
      const { target } = sample(random, 45, soft);
      const logits = randomArray(random, 45, { low: -3, high: 3 });
      const options = { bceWeight, diceReduction: 'image' } as const;
      const numeric = numericalGradient((point) => segmentationLossReference(point, target, options, 3).loss, logits);
      const l = gpu.upload(logits, shape);
      const t = gpu.upload(target, shape);
      const { sums } = segmentationLoss(gpu, l, t, options);
      const dl = segmentationLossBackward(gpu, l, t, sums, options, poisoned(gpu, shape));
      assertClose(await gpu.read(dl), numeric, 'finiteDifference', `dl w=${bceWeight}${soft ? ' soft' : ''} per image vs finite differences`);
    }
  },
  'backward matches float64 on [3, 1, 7, 9] and [2, 1, 191, 173], w = 0, 0.3, 1, with and without dy': async ({ gpu, random }) => {
    for (const shape of [[3, 1, 7, 9], [2, 1, 191, 173]]) {
      for (const [bceWeight, upstream] of [[0, undefined], [0.3, -0.7], [1, 2.5]] as const) {
        const { logits, target } = sample(random, numel(shape));
        const l = gpu.upload(logits, shape);
        const t = gpu.upload(target, shape);
        const { sums } = segmentationLoss(gpu, l, t, { bceWeight });
        const dy = upstream === undefined ? undefined : gpu.upload([upstream], []);
        const dl = segmentationLossBackward(gpu, l, t, sums, { bceWeight, dy }, poisoned(gpu, shape));
        const want = segmentationLossBackwardReference(logits, target, { bceWeight }, upstream ?? 1);
        assertClose(await gpu.read(dl), want, 'reduction', `dl ${shape} w=${bceWeight} dy=${upstream}`);
      }
    }
  },
  'backward matches float64 finite differences on [2, 1, 3, 5], w = 0, 0.4, 1, binary and soft targets': async ({ gpu, random }) => {
    const shape = [2, 1, 3, 5];
    for (const [bceWeight, soft] of [[0, false], [0.4, false], [1, false], [0.4, true]] as const) {
      const { target } = sample(random, 30, soft);
      const logits = randomArray(random, 30, { low: -3, high: 3 });
      const numeric = numericalGradient((point) => segmentationLossReference(point, target, { bceWeight }).loss, logits);
      const l = gpu.upload(logits, shape);
      const t = gpu.upload(target, shape);
      const { sums } = segmentationLoss(gpu, l, t, { bceWeight });
      const dl = segmentationLossBackward(gpu, l, t, sums, { bceWeight }, poisoned(gpu, shape));
      assertClose(await gpu.read(dl), numeric, 'finiteDifference', `dl w=${bceWeight}${soft ? ' soft' : ''} vs finite differences`);
    }
  },
  'metrics per image: random masks, empty vs empty = 1, empty prediction = 0, l = 0 and t = 0.5 count as positive': async ({ gpu, random }) => {
    const [n, h, w] = [5, 7, 9];
    const { logits, target } = sample(random, n * h * w);
    const hw = h * w;
    for (let s = 0; s < hw; s++) {
      logits[hw + s] = -1; // image 1: both masks empty
      target[hw + s] = 0.25;
      logits[2 * hw + s] = -2; // image 2: empty prediction, non-empty truth
    }
    logits[3 * hw] = 0; // image 3, pixel 0: predicted (p = 0.5)
    target[3 * hw] = 0.5; // and true
    const shape = [n, 1, h, w];
    const metrics = await gpu.read(segmentationMetrics(gpu, gpu.upload(logits, shape), gpu.upload(target, shape), poisoned(gpu, [n, 2])));
    const want = segmentationMetricsReference(logits, target, n);
    assertClose(metrics, want, 'elementwise', 'metrics');
    if (metrics[2] !== 1 || metrics[3] !== 1 || metrics[4] !== 0 || metrics[5] !== 0) {
      throw new Error(`empty cases: image 1 (${metrics[2]}, ${metrics[3]}), image 2 (${metrics[4]}, ${metrics[5]})`);
    }
  },
  'rejects mismatched shapes, a multi-channel metric input, bad sums, dy and Dice reductions, and aliasing': async ({ gpu }) => {
    const l = gpu.upload(new Float32Array(12).fill(1), [2, 1, 2, 3]);
    const t = gpu.upload(new Float32Array(12).fill(1), [2, 1, 2, 3]);
    const { sums } = segmentationLoss(gpu, l, t);
    await expectError(() => segmentationLoss(gpu, l, gpu.empty([2, 1, 3, 2])), ['segmentationLoss', '[2, 1, 2, 3]', '[2, 1, 3, 2]']);
    await expectError(() => segmentationLoss(gpu, l, t, {}, { loss: gpu.empty([1]) }), ['segmentationLoss', 'loss', '[1]', '[3]']);
    await expectError(() => segmentationLossBackward(gpu, l, t, gpu.empty([3])), ['segmentationLossBackward', 'sums', '[3]', '[4]']);
    await expectError(() => segmentationLossBackward(gpu, l, t, sums, { diceReduction: 'image' }), ['segmentationLossBackward', 'sums', '[4]', '[2, 4]']);
    await expectError(() => segmentationLoss(gpu, l, t, { diceReduction: 'image' }, { sums: gpu.empty([4]) }), ['segmentationLoss', 'sums', '[4]', '[2, 4]']);
    const flat = gpu.upload(new Float32Array(6).fill(1), [6]);
    await expectError(() => segmentationLoss(gpu, flat, flat, { diceReduction: 'image' }), ['segmentationLoss', "'image'", '[N, ...]', '[6]']);
    await expectError(() => segmentationLoss(gpu, l, t, { diceReduction: 'pixel' as 'image' }), ['segmentationLoss', 'diceReduction', "'pixel'"]);
    await expectError(() => segmentationLossBackward(gpu, l, t, sums, { dy: gpu.empty([2]) }), ['segmentationLossBackward', 'dy', '[2]']);
    await expectError(() => segmentationLossBackward(gpu, l, t, sums, {}, l), ['segmentationLossBackward', 'alias']);
    await expectError(() => segmentationMetrics(gpu, gpu.empty([2, 2, 2, 3]), gpu.empty([2, 2, 2, 3])), ['segmentationMetrics', '[N, 1, H, W]', '[2, 2, 2, 3]']);
    await expectError(() => segmentationMetrics(gpu, l, t, gpu.empty([2])), ['segmentationMetrics', '[2]', '[2, 2]']);
  },
});
