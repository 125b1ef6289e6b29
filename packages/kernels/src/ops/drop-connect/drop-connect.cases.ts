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
import { numel } from '../../runtime/tensor.js';
import { dropConnect, dropConnectAdd, dropConnectBackward, dropConnectMask } from './drop-connect.js';
import { dropConnectKeep, dropConnectMaskReference, dropConnectReference } from './drop-connect.reference.js';

/** |rate − expected| within 5 standard deviations of a binomial proportion over `trials`. */
function assertRate(rate: number, expected: number, trials: number, label: string): void {
  const bound = 5 * Math.sqrt((expected * (1 - expected)) / trials);
  if (!(Math.abs(rate - expected) <= bound)) throw new Error(`${label}: rate ${rate} vs ${expected} ± ${bound} over ${trials}`);
}

export const dropConnectCases = defineCases('drop-connect', {
  'the GPU mask equals the CPU hash bit for bit (1031 samples, several seeds and rates)': async ({ gpu }) => {
    for (const [p, seed] of [[0.2, 0], [0.5, 1], [0.0375, 0xdeadbeef], [0.9, 4294967295]] as const) {
      const mask = dropConnectMask(gpu, 1031, p, seed, poisoned(gpu, [1031]));
      assertClose(await gpu.read(mask), dropConnectMaskReference(1031, p, seed), 'exact', `mask p=${p} seed=${seed}`);
    }
  },
  'keep rate is 1 − p: 65536 samples on the GPU, and 8 samples over 10^4 seeds': async ({ gpu }) => {
    for (const p of [0.0125, 0.2, 0.5]) {
      const mask = await gpu.read(dropConnectMask(gpu, 65536, p, 12345, poisoned(gpu, [65536])));
      assertRate(mask.reduce((sum, v) => sum + v, 0) / 65536, 1 - p, 65536, `GPU p=${p}`);
      let kept = 0;
      let agree = 0;
      for (let seed = 0; seed < 10_000; seed++) {
        for (let n = 0; n < 8; n++) {
          const keep = dropConnectKeep(seed, n, p);
          kept += keep ? 1 : 0;
          agree += keep === dropConnectKeep(seed + 1, n, p) ? 1 : 0;
        }
      }
      assertRate(kept / 80_000, 1 - p, 80_000, `over seeds p=${p}`);
      // Consecutive seeds are independent: they agree with probability p² + (1 − p)².
      assertRate(agree / 80_000, p * p + (1 - p) * (1 - p), 80_000, `seed-to-seed agreement p=${p}`);
    }
  },
  ...Object.fromEntries(
    (['vec4', 'scalar'] as FlatVariant[]).map((variant) => [
      `${variant} layout at an offset: forward, backward and + residual on [7, 3, 5, 3] (samples of 45 straddle vec4s, tail 1), [6, 2, 4] and [5]`,
      async ({ gpu, random }) => {
        for (const shape of [[7, 3, 5, 3], [6, 2, 4], [5]]) {
          const count = numel(shape);
          const x = randomArray(random, count);
          const residual = randomArray(random, count);
          const [p, seed] = [0.4, 1234];
          const want = dropConnectReference(x, shape, p, seed);
          const label = `${variant} [${shape}]`;
          const forward = poisonedWindow(gpu, shape);
          assertClose(await gpu.read(dropConnect(gpu, uploadWindow(gpu, x, shape), p, seed, forward.view, variant)), want, 'elementwise', `dropConnect ${label}`);
          await forward.assertOutsideUntouched(`dropConnect ${label}`);
          const backward = poisonedWindow(gpu, shape);
          assertClose(await gpu.read(dropConnectBackward(gpu, uploadWindow(gpu, x, shape), p, seed, backward.view, variant)), want, 'elementwise', `dropConnectBackward ${label}`);
          await backward.assertOutsideUntouched(`dropConnectBackward ${label}`);
          const sum = poisonedWindow(gpu, shape);
          const z = dropConnectAdd(gpu, uploadWindow(gpu, x, shape), uploadWindow(gpu, residual, shape), p, seed, sum.view, variant);
          assertClose(await gpu.read(z), want.map((value, i) => value + residual[i]!), 'elementwise', `dropConnectAdd ${label}`);
          await sum.assertOutsideUntouched(`dropConnectAdd ${label}`);
          const mask = dropConnectMaskReference(shape[0]!, p, seed);
          if (shape.length > 1 && (mask.every((v) => v === 1) || mask.every((v) => v === 0))) throw new Error(`${label}: seed ${seed} kept or dropped every sample`);
        }
      },
    ]),
  ),
  'dropConnectAdd rejects a residual of another shape and an output aliasing the residual': async ({ gpu }) => {
    const x = gpu.empty([2, 3]);
    const residual = gpu.empty([2, 3]);
    await expectError(() => dropConnectAdd(gpu, x, gpu.empty([3, 2]), 0.2, 1), ['dropConnectAdd', 'residual', '[3, 2]', '[2, 3]']);
    await expectError(() => dropConnectAdd(gpu, x, residual, 0.2, 1, residual), ['dropConnectAdd', 'alias']);
  },
  'forward on [7, 3, 5, 4]: dropped samples exactly 0, kept ones x/(1 − p); p = 0 is the identity': async ({ gpu, random }) => {
    const shape = [7, 3, 5, 4];
    const x = randomArray(random, numel(shape));
    for (const [p, seed] of [[0.3, 77], [0.3, 78], [0, 5]] as const) {
      const y = await gpu.read(dropConnect(gpu, gpu.upload(x, shape), p, seed, poisoned(gpu, shape)));
      const want = dropConnectReference(x, shape, p, seed);
      assertClose(y, want, 'elementwise', `dropConnect p=${p} seed=${seed}`);
      const mask = dropConnectMaskReference(7, p, seed);
      const dropped = y.filter((_, i) => mask[Math.floor(i / 60)] === 0);
      if (dropped.some((v) => v !== 0)) throw new Error('a dropped sample has a non-zero output');
      if (p === 0) assertClose(y, x, 'exact', 'p = 0');
      else if (mask.every((v) => v === 1) || mask.every((v) => v === 0)) throw new Error(`seed ${seed} kept or dropped all 7 samples`);
    }
  },
  'backward equals the forward map on dy, and finite differences on [5, 2, 3]': async ({ gpu, random }) => {
    const shape = [5, 2, 3];
    const x = randomArray(random, 30);
    const dy = randomArray(random, 30);
    const p = 0.4;
    const seed = 2024;
    const numeric = numericalGradient((point) => weightedSum(dropConnectReference(point, shape, p, seed), dy), x);
    const dx = dropConnectBackward(gpu, gpu.upload(dy, shape), p, seed, poisoned(gpu, shape));
    assertClose(await gpu.read(dx), numeric, 'finiteDifference', 'dx vs finite differences');
    assertClose(await gpu.read(dx), dropConnectReference(dy, shape, p, seed), 'elementwise', 'dx vs reference');
  },
  'rejects p outside [0, 1), a bad seed, a wrong output shape and aliasing': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(6).fill(1), [2, 3]);
    await expectError(() => dropConnect(gpu, x, 1, 0), ['dropConnect', 'p', '[0, 1)', '1']);
    await expectError(() => dropConnect(gpu, x, -0.1, 0), ['dropConnect', '-0.1']);
    await expectError(() => dropConnectBackward(gpu, x, 0.2, 2 ** 32), ['dropConnectBackward', 'seed', `${2 ** 32}`]);
    await expectError(() => dropConnect(gpu, x, 0.2, 1.5), ['dropConnect', 'seed', '1.5']);
    await expectError(() => dropConnect(gpu, x, 0.2, 0, gpu.empty([3, 2])), ['dropConnect', '[3, 2]', '[2, 3]']);
    await expectError(() => dropConnect(gpu, x, 0.2, 0, x), ['dropConnect', 'alias']);
    await expectError(() => dropConnectMask(gpu, 4, 0.2, 0, gpu.empty([5])), ['dropConnectMask', '[5]', '[4]']);
  },
});
