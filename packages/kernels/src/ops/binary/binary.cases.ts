import { assertClose, defineCases, expectError, poisoned, poisonedWindow, randomArray, uploadWindow } from '../../testing/index.js';
import type { FlatVariant } from '../../runtime/flat.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { binary, binaryLayout, BINARY_OPS, type BinaryOp } from './binary.js';
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

/** As check, with every tensor a view at an offset and the words around the output checked untouched. */
async function checkWindowed(
  gpu: Gpu,
  random: Random,
  op: BinaryOp,
  aShape: number[],
  bShape: number[],
  variant: FlatVariant,
): Promise<void> {
  const count = (shape: number[]): number => shape.reduce((product, size) => product * size, 1);
  const a = randomArray(random, count(aShape));
  const b = randomArray(random, count(bShape), op === 'div' ? { low: 0.2, high: 2 } : {});
  const outShape = broadcastShapes(op, aShape, bShape);
  const window = poisonedWindow(gpu, outShape);
  const out = binary(gpu, op, uploadWindow(gpu, a, aShape), uploadWindow(gpu, b, bShape), window.view, variant);
  const expected = binaryReference(op, a, aShape, b, bShape);
  const label = `${op} ${variant} [${aShape}] x [${bShape}]`;
  assertClose(await gpu.read(out), EXACT[op] ? Float32Array.from(expected.data) : expected.data, EXACT[op] ? 'exact' : 'elementwise', label);
  await window.assertOutsideUntouched(label);
}

/**
 * Shapes for each layout: same shape with a tail (945) and without (192); broadcast along the last axis for b
 * ([2, 3, 4, 8] x [3, 1, 1] coalesces to [2, 3, 32] x [3, 1]), for a ([3, 1] x [1, 8]), neither ([4, 8] x [8]);
 * a scalar operand on either side with a tail (15, 14 elements); a last axis of 6 (not a multiple of 4: scalar).
 */
const LAYOUT_SHAPES: [number[], number[]][] = [
  [[3, 5, 7, 9], [3, 5, 7, 9]],
  [[2, 3, 4, 8], [2, 3, 4, 8]],
  [[2, 3, 4, 8], [3, 1, 1]],
  [[3, 1], [1, 8]],
  [[4, 8], [8]],
  [[3, 5], []],
  [[], [2, 7]],
  [[5, 6], [5, 1]],
  [[2, 1, 12], [2, 3, 12]],
];

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
  ...Object.fromEntries(
    (['vec4', 'scalar'] as FlatVariant[]).map((variant) => [
      `every op, ${variant} layout, at an offset: ${LAYOUT_SHAPES.map(([a, b]) => `[${a}] x [${b}]`).join(', ')}`,
      async ({ gpu, random }) => {
        for (const op of BINARY_OPS) for (const [aShape, bShape] of LAYOUT_SHAPES) await checkWindowed(gpu, random, op, aShape, bShape, variant);
      },
    ]),
  ),
  'the layouts: coalesced axes and vec4 entry point of each LAYOUT_SHAPES pair': async () => {
    const want = [
      '945|1|1 main4_vv',
      '192|1|1 main4_vv',
      '2,3,32|96,32,1|0,1,0 main4_vs',
      '3,8|1,0|0,1 main4_sv',
      '4,8|8,1|0,1 main4_vv',
      '15|1|0 main4_vs',
      '14|0|1 main4_sv',
      '5,6|6,1|1,0 null',
      '2,3,12|12,0,1|36,12,1 main4_vv',
    ];
    LAYOUT_SHAPES.forEach(([aShape, bShape], index) => {
      const { axes, vectorEntryPoint } = binaryLayout(aShape, bShape, broadcastShapes('add', aShape, bShape));
      const got = `${axes.shape}|${axes.aStrides}|${axes.bStrides} ${vectorEntryPoint}`;
      if (got !== want[index]) throw new Error(`[${aShape}] x [${bShape}]: ${got}, want ${want[index]}`);
    });
  },
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
