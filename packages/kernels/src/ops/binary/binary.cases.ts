import { assertClose, defineCases, expectError, poisoned, randomArray } from '../../testing/index.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { binary, BINARY_OPS, type BinaryOp } from './binary.js';
import { binaryReference } from './binary.reference.js';
import { broadcastShapes } from './broadcast.js';

async function check(gpu: Gpu, random: Random, op: BinaryOp, aShape: number[], bShape: number[], exact: boolean): Promise<void> {
  const count = (shape: number[]): number => shape.reduce((product, size) => product * size, 1);
  const a = randomArray(random, count(aShape));
  const b = randomArray(random, count(bShape), op === 'div' ? { low: 0.2, high: 2 } : {});
  const outShape = broadcastShapes(op, aShape, bShape);
  const out = binary(gpu, op, gpu.upload(a, aShape), gpu.upload(b, bShape), poisoned(gpu, outShape));
  const expected = binaryReference(op, a, aShape, b, bShape);
  if (out.shape.join() !== expected.shape.join()) throw new Error(`${op}: shape ${out.shape} want ${expected.shape}`);
  // float32 add/sub/mul/max/min are correctly rounded: the float64 result rounded to float32 is exact.
  const want = exact ? Float32Array.from(expected.data) : expected.data;
  assertClose(await gpu.read(out), want, exact ? 'exact' : 'elementwise', `${op} ${aShape} x ${bShape}`);
}

const EXACT: Record<BinaryOp, boolean> = { add: true, sub: true, mul: true, div: false, maximum: true, minimum: true };

export const binaryCases = defineCases('binary', {
  ...Object.fromEntries(
    BINARY_OPS.map((op) => [
      `${op}: same shapes [3, 5, 7, 9], broadcast [3, 1, 5] x [1, 4, 1], [2, 3, 4, 5] x [5], [7, 1] x [1, 9], scalar`,
      async ({ gpu, random }) => {
        await check(gpu, random, op, [3, 5, 7, 9], [3, 5, 7, 9], EXACT[op]);
        await check(gpu, random, op, [3, 1, 5], [1, 4, 1], EXACT[op]);
        await check(gpu, random, op, [2, 3, 4, 5], [5], EXACT[op]);
        await check(gpu, random, op, [7, 1], [1, 9], EXACT[op]);
        await check(gpu, random, op, [3, 5], [], EXACT[op]);
        await check(gpu, random, op, [1], [2, 1, 3, 1, 5, 1, 3, 2], EXACT[op]);
      },
    ]),
  ),
  'add of one buffer to itself (x + x) is read twice, not aliased': async ({ gpu, random }) => {
    const data = randomArray(random, 33);
    const x = gpu.upload(data);
    const y = binary(gpu, 'add', x, x, poisoned(gpu, [33]));
    assertClose(await gpu.read(y), Float32Array.from(data, (v) => 2 * v), 'exact', 'x + x');
  },
  'rejects shapes that do not broadcast and a wrong output shape': async ({ gpu }) => {
    const a = gpu.upload(new Float32Array(12).fill(1), [3, 4]);
    const b = gpu.upload(new Float32Array(5).fill(1), [5]);
    await expectError(() => binary(gpu, 'add', a, b), ['add', '[3, 4]', '[5]', 'do not broadcast']);
    await expectError(() => binary(gpu, 'mul', a, a, gpu.empty([4, 3])), ['binary.mul', '[4, 3]', '[3, 4]']);
    await expectError(() => binary(gpu, 'mul', a, a, a), ['binary.mul', 'alias']);
  },
});
