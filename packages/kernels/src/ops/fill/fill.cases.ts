import { assertClose, defineCases, expectError, poisoned, poisonedWindow, POISON_BITS, randomArray, uploadWindow } from '../../testing/index.js';
import type { FlatVariant } from '../../runtime/flat.js';
import { copyTensor, fill } from './fill.js';
import { bitsOf, fillReference } from './fill.reference.js';

export const fillCases = defineCases('fill', {
  'fill writes the value into every one of 1031 elements': async ({ gpu }) => {
    const out = fill(gpu, poisoned(gpu, [1031]), -2.75);
    assertClose(await gpu.read(out), fillReference(1031, -2.75), 'exact', 'fill');
  },
  'fill with raw bits keeps a NaN payload (the poison itself)': async ({ gpu }) => {
    const out = fill(gpu, gpu.empty([17]), Number.NaN, POISON_BITS);
    const words = new Uint32Array((await gpu.read(out)).buffer);
    if (!words.every((word) => word === POISON_BITS)) throw new Error(`poison bits changed: ${words[0]?.toString(16)}`);
  },
  'copy is bit-exact, NaN payloads included, and writes every element': async ({ gpu, random }) => {
    const data = randomArray(random, 999);
    const bits = new Uint32Array(data.buffer);
    bits[5] = POISON_BITS;
    bits[6] = bitsOf(-0);
    const out = copyTensor(gpu, gpu.upload(data, [27, 37]), poisoned(gpu, [999]));
    const got = new Uint32Array((await gpu.read(out)).buffer);
    const mismatch = got.findIndex((word, index) => word !== bits[index]);
    if (mismatch >= 0) throw new Error(`copy: word ${mismatch} is ${got[mismatch]} not ${bits[mismatch]}`);
  },
  ...Object.fromEntries(
    (['vec4', 'scalar'] as FlatVariant[]).map((variant) => [
      `fill and copy, ${variant} layout, at an offset: 1, 3, 6, 7, 999 elements (tails) and 8, 1032 (multiples of 4)`,
      async ({ gpu, random }) => {
        for (const count of [1, 3, 6, 7, 999, 8, 1032]) {
          const filled = poisonedWindow(gpu, [count]);
          fill(gpu, filled.view, 0.625, bitsOf(0.625), variant);
          assertClose(await gpu.read(filled.view), fillReference(count, 0.625), 'exact', `fill ${variant} ${count}`);
          await filled.assertOutsideUntouched(`fill ${variant} ${count}`);
          const data = randomArray(random, count);
          const copied = poisonedWindow(gpu, [count]);
          copyTensor(gpu, uploadWindow(gpu, data, [count]), copied.view, variant);
          assertClose(await gpu.read(copied.view), data, 'exact', `copy ${variant} ${count}`);
          await copied.assertOutsideUntouched(`copy ${variant} ${count}`);
        }
      },
    ]),
  ),
  'copy rejects a different element count': async ({ gpu }) => {
    await expectError(() => copyTensor(gpu, gpu.empty([3, 4]), gpu.empty([13])), ['copy', '[3, 4]', '[13]']);
  },
});
