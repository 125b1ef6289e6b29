import { assertClose, defineCases, expectError, poisoned, POISON_BITS, randomArray } from '../../testing/index.js';
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
  'copy rejects a different element count': async ({ gpu }) => {
    await expectError(() => copyTensor(gpu, gpu.empty([3, 4]), gpu.empty([13])), ['copy', '[3, 4]', '[13]']);
  },
});
