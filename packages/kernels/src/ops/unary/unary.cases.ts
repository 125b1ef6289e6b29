import {
  expectError,
  defineCases,
  assertClose,
  poisoned,
  poisonedWindow,
  randomArray,
  uploadWindow,
  type RandomArrayOptions,
} from '../../testing/index.js';
import { flatSplit, VEC4_TAIL_MIN, type FlatVariant } from '../../runtime/flat.js';
import { unary, UNARY_OPS, type UnaryOp } from './unary.js';
import { unaryReference } from './unary.reference.js';

/** Input ranges where each op is defined and float32-representable; sigmoid-family ops reach |x| = 80. */
const RANGES: Record<UnaryOp, RandomArrayOptions> = {
  relu: {},
  sigmoid: { low: -80, high: 80 },
  silu: { low: -80, high: 80 },
  exp: { low: -10, high: 10 },
  log: { low: 0.01, high: 50 },
  neg: {},
  sqrt: { low: 0.01, high: 50 },
  abs: {},
  square: { low: -4, high: 4 },
  reciprocal: { low: 0.1, high: 3 },
  tanh: { low: -80, high: 80 },
};

const shape = [3, 5, 7, 9];

export const unaryCases = defineCases('unary', {
  ...Object.fromEntries(
    UNARY_OPS.map((op) => [
      `${op} matches float64 on [3, 5, 7, 9]`,
      async ({ gpu, random }) => {
        const data = randomArray(random, 3 * 5 * 7 * 9, RANGES[op]);
        const x = gpu.upload(data, shape);
        const y = unary(gpu, op, x, poisoned(gpu, shape));
        assertClose(await gpu.read(y), unaryReference(op, data), 'elementwise', op);
      },
    ]),
  ),
  ...Object.fromEntries(
    (['vec4', 'scalar'] as FlatVariant[]).map((variant) => [
      `every op, ${variant} layout, at an offset: 6, 7 and 945 elements (vec4 + tail), 3 (tail only), 144 (vec4 only)`,
      async ({ gpu, random }) => {
        for (const op of UNARY_OPS) {
          for (const shape of [[2, 3], [7], [3, 5, 7, 9], [3], [2, 3, 4, 6]]) {
            const count = shape.reduce((product, size) => product * size, 1);
            const data = randomArray(random, count, RANGES[op]);
            const out = poisonedWindow(gpu, shape);
            const y = unary(gpu, op, uploadWindow(gpu, data, shape), out.view, variant);
            assertClose(await gpu.read(y), unaryReference(op, data), 'elementwise', `${op} ${variant} [${shape}]`);
            await out.assertOutsideUntouched(`${op} ${variant} [${shape}]`);
          }
        }
      },
    ]),
  ),
  'flatSplit: auto is vec4 without a tail, or with one from VEC4_TAIL_MIN on; forced layouts are obeyed': async () => {
    const cases: [number, FlatVariant, string][] = [
      [8, 'auto', '2,8'],
      [7, 'auto', '0,0'],
      [3, 'vec4', '0,0'],
      [7, 'vec4', '1,4'],
      [8, 'scalar', '0,0'],
      [VEC4_TAIL_MIN + 1, 'auto', `${VEC4_TAIL_MIN / 4},${VEC4_TAIL_MIN}`],
      [VEC4_TAIL_MIN - 1, 'auto', '0,0'],
    ];
    for (const [count, variant, want] of cases) {
      const split = flatSplit(count, variant);
      if (`${split.vectors},${split.tailStart}` !== want) throw new Error(`flatSplit(${count}, ${variant}) = ${JSON.stringify(split)}, want ${want}`);
    }
  },
  'sigmoid, silu and tanh stay finite and exact at |x| = 80': async ({ gpu }) => {
    const data = Float32Array.from([-80, -40, -1e-3, 0, 1e-3, 40, 80]);
    for (const op of ['sigmoid', 'silu', 'tanh'] as const) {
      const y = unary(gpu, op, gpu.upload(data), poisoned(gpu, [data.length]));
      assertClose(await gpu.read(y), unaryReference(op, data), { relativeL2: 1e-6, maxAbsolute: 1e-6 }, op);
    }
  },
  'relu over 2^24 + 3 elements, scalar layout, folds the grid into y and writes every element': {
    timeoutMs: 120_000,
    run: async ({ gpu, random }) => {
      const count = 2 ** 24 + 3;
      const data = randomArray(random, count);
      const y = unary(gpu, 'relu', gpu.upload(data), poisoned(gpu, [count]), 'scalar');
      assertClose(await gpu.read(y), unaryReference('relu', data), 'exact', 'relu');
    },
  },
  'rejects a mismatched output, an aliased output and an unknown op': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(6).fill(1), [2, 3]);
    await expectError(() => unary(gpu, 'exp', x, gpu.empty([3, 2])), ['unary.exp', '[3, 2]', '[2, 3]']);
    await expectError(() => unary(gpu, 'exp', x, x), ['unary.exp', 'alias']);
    await expectError(() => unary(gpu, 'cube' as UnaryOp, x), ["unknown op 'cube'"]);
  },
  'rejects a tensor over maxStorageBufferBindingSize, naming kernel, shape and limit': async ({ gpu }) => {
    const limit = gpu.limits.maxStorageBufferBindingSize;
    const huge = { buffer: gpu.empty([4]).buffer, shape: [limit / 4 + 1] };
    await expectError(() => unary(gpu, 'relu', huge, { ...huge, buffer: gpu.empty([4]).buffer }), ['unary.relu', `[${limit / 4 + 1}]`, `${limit}`, 'maxStorageBufferBindingSize']);
  },
  'rejects a non-float32 tensor': async ({ gpu }) => {
    const x = gpu.upload([1, 2, 3]);
    await expectError(() => unary(gpu, 'relu', { ...x, dtype: 'int32' }), ['unary.relu', 'float32', 'int32']);
    await expectError(() => gpu.upload(new Float64Array(3) as unknown as Float32Array), ['float32', 'Float64Array']);
  },
});
