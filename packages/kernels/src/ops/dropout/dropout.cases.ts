import { assertClose, defineCases, expectError, poisoned, randomArray } from '../../testing/index.js';
import type { FlatVariant } from '../../runtime/flat.js';
import { dropout, dropoutBackward, type DropoutUnit } from './dropout.js';
import { dropoutMaskReference, dropoutReference } from './dropout.reference.js';

const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

/** |rate − expected| within 5 standard deviations of a binomial proportion over `trials`. */
function assertRate(rate: number, expected: number, trials: number, label: string): void {
  const bound = 5 * Math.sqrt((expected * (1 - expected)) / trials);
  if (!(Math.abs(rate - expected) <= bound)) throw new Error(`${label}: rate ${rate} vs ${expected} ± ${bound} over ${trials}`);
}

export const dropoutCases = defineCases('dropout', {
  'exact masks and 1/(1 − p) scaling on odd sizes, element and channel units, vec4 and scalar layouts': async ({ gpu, random }) => {
    for (const [shape, unit, p, seed, variant] of [
      [[3, 5, 7, 9], 'element', 0.5, 7, 'auto'],
      [[3, 5, 7, 9], 'element', 0.2, 0xfffffffe, 'scalar'],
      [[2, 8, 4, 4], 'element', 0.5, 11, 'vec4'],
      [[3, 5, 7, 9], 'channel', 0.2, 3, 'auto'],
      [[2, 7, 3, 3], 'channel', 0.5, 12345, 'scalar'],
      [[2, 6, 2, 2], 'channel', 0.3, 99, 'vec4'],
    ] as [number[], DropoutUnit, number, number, FlatVariant][]) {
      const x = randomArray(random, count(shape));
      const y = dropout(gpu, gpu.upload(x, shape), p, seed, unit, poisoned(gpu, shape), variant);
      assertClose(await gpu.read(y), dropoutReference(x, shape, p, seed, unit), 'elementwise', `${unit} ${shape} p=${p} ${variant}`);
    }
  },
  'Dropout2d zeroes whole channels per sample; the backward is the same mask on dy': async ({ gpu, random }) => {
    const shape = [4, 9, 5, 3];
    const x = randomArray(random, count(shape));
    const y = await gpu.read(dropout(gpu, gpu.upload(x, shape), 0.4, 2024, 'channel', poisoned(gpu, shape)));
    const mask = dropoutMaskReference(36, 0.4, 2024);
    for (let u = 0; u < 36; u++) {
      const plane = y.subarray(u * 15, (u + 1) * 15);
      const zeros = plane.filter((v) => v === 0).length;
      if (zeros !== (mask[u] ? 0 : 15)) throw new Error(`channel unit ${u}: ${zeros} zeros, mask ${mask[u]}`);
    }
    if (mask.every((m) => m === 1) || mask.every((m) => m === 0)) throw new Error('the 36-unit mask should mix kept and dropped channels');
    const dy = randomArray(random, count(shape));
    const dx = dropoutBackward(gpu, gpu.upload(dy, shape), 0.4, 2024, 'channel', poisoned(gpu, shape));
    assertClose(await gpu.read(dx), dropoutReference(dy, shape, 0.4, 2024, 'channel'), 'elementwise', 'dropout2d backward');
    const dxElement = dropoutBackward(gpu, gpu.upload(dy, shape), 0.4, 2024, 'element', poisoned(gpu, shape));
    assertClose(await gpu.read(dxElement), dropoutReference(dy, shape, 0.4, 2024, 'element'), 'elementwise', 'dropout backward');
  },
  'keep rates are 1 − p (65536 elements; 4096 channels), p = 0 is the identity, seeds give different masks': async ({ gpu, random }) => {
    const ones = gpu.upload(new Float32Array(65536).fill(1), [16, 16, 16, 16]);
    for (const p of [0.2, 0.5]) {
      const kept = (await gpu.read(dropout(gpu, ones, p, 77, 'element'))).filter((v) => v !== 0).length;
      assertRate(kept / 65536, 1 - p, 65536, `dropout p=${p}`);
      const channels = (await gpu.read(dropout(gpu, gpu.upload(new Float32Array(65536).fill(1), [64, 64, 4, 4]), p, 78, 'channel'))).filter((v) => v !== 0).length / 16;
      assertRate(channels / 4096, 1 - p, 4096, `dropout2d p=${p}`);
    }
    const x = randomArray(random, 3 * 5 * 7);
    assertClose(await gpu.read(dropout(gpu, gpu.upload(x, [3, 5, 7]), 0, 5, 'element', poisoned(gpu, [3, 5, 7]))), x, 'exact', 'p = 0');
    const a = await gpu.read(dropout(gpu, ones, 0.5, 1, 'element'));
    const b = await gpu.read(dropout(gpu, ones, 0.5, 2, 'element'));
    if (a.every((v, i) => v === b[i])) throw new Error('seeds 1 and 2 gave the same mask');
  },
  'rejects p outside [0, 1), bad seeds, channel dropout of a non-4D x, and aliasing': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(24).fill(1), [1, 2, 3, 4]);
    await expectError(() => dropout(gpu, x, 1, 0), ['dropout', 'p', '[0, 1)']);
    await expectError(() => dropout(gpu, x, 0.5, -1), ['dropout', 'seed']);
    await expectError(() => dropout(gpu, gpu.upload([1, 2, 3], [3]), 0.5, 1, 'channel'), ['dropout2d', '[N, C, H, W]', '[3]']);
    await expectError(() => dropout(gpu, x, 0.5, 1, 'element', x), ['dropout', 'alias']);
  },
});
