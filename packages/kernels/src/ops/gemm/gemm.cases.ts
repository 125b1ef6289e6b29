import { assertClose, defineCases, expectError, poisoned, randomArray } from '../../testing/index.js';
import type { CaseBody } from '../../testing/cases.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { gemm, gemmShape, swapOperands, type GemmOptions } from './gemm.js';
import { gemmReference } from './gemm.reference.js';
import type { Activation } from './tiles.js';
import { GEMM_VARIANTS, type GemmVariant } from '../../device/profile.js';

/** Cold pipeline compiles (lavapipe without its shader cache, SwiftShader) take seconds each on a shared CPU. */
const COLD_COMPILE_MS = 300_000;
const slow = (run: CaseBody): { timeoutMs: number; run: CaseBody } => ({ timeoutMs: COLD_COMPILE_MS, run });

interface Check {
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: boolean;
  scale?: boolean;
  channelAxis?: 'row' | 'column';
  activation?: Activation;
  splitK?: number;
  variant?: GemmVariant;
  swapOperands?: boolean;
  foldBatch?: boolean;
}

const count = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

async function check(gpu: Gpu, random: Random, spec: Check): Promise<void> {
  const a = randomArray(random, count(spec.a));
  const b = randomArray(random, count(spec.b));
  const shape = gemmShape(spec.a, spec.b, spec.transposeA, spec.transposeB);
  const channels = (spec.channelAxis ?? 'row') === 'row' ? shape.M : shape.N;
  const bias = spec.bias ? randomArray(random, channels) : undefined;
  const scale = spec.scale ? randomArray(random, channels, { low: 0.5, high: 2 }) : undefined;
  const options: GemmOptions = {
    transposeA: spec.transposeA,
    transposeB: spec.transposeB,
    channelAxis: spec.channelAxis,
    activation: spec.activation,
    splitK: spec.splitK,
    variant: spec.variant,
    swapOperands: spec.swapOperands,
    foldBatch: spec.foldBatch,
    out: poisoned(gpu, shape.outShape),
  };
  if (bias) options.bias = gpu.upload(bias);
  if (scale) options.scale = gpu.upload(scale);
  const out = gemm(gpu, gpu.upload(a, spec.a), gpu.upload(b, spec.b), options);
  const expected = gemmReference(a, spec.a, b, spec.b, { ...spec, bias, scale });
  const label = `gemm ${JSON.stringify(spec)}`;
  if (out.shape.join() !== expected.shape.join()) throw new Error(`${label}: shape ${out.shape} want ${expected.shape}`);
  assertClose(await gpu.read(out), expected.data, 'forward', label);
}

const swift = (adapter: string): boolean => adapter.includes('swiftshader');

export const gemmCases = defineCases('gemm', {
  'odd M, N, K (incl. 1) with every combination of transposes': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random, adapter }) => {
      const sizes: [number, number, number][] = swift(adapter)
        ? [[1, 1, 1], [7, 9, 5], [33, 17, 1], [65, 70, 37]]
        : [[1, 1, 1], [7, 9, 5], [33, 17, 1], [5, 67, 130], [65, 63, 129], [130, 9, 17]];
      for (const [M, N, K] of sizes) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            await check(gpu, random, {
              a: transposeA ? [K, M] : [M, K],
              b: transposeB ? [N, K] : [K, N],
              transposeA,
              transposeB,
            });
          }
        }
      }
    },
  },
  'vec4 loads (M, N, K multiples of 4) with every combination of transposes, partial tiles and split K': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const [M, N, K] of [[68, 36, 44], [4, 8, 4], [20, 100, 12]] as const) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            await check(gpu, random, { a: transposeA ? [K, M] : [M, K], b: transposeB ? [N, K] : [K, N], transposeA, transposeB });
          }
        }
      }
      await check(gpu, random, { a: [2, 12, 400], b: [400, 8], splitK: 3 });
      await check(gpu, random, { a: [400, 12], b: [8, 400], transposeA: true, transposeB: true, splitK: 5 });
    },
  },
  'batched, with A or B broadcast over the batch': slow(async ({ gpu, random }) => {
    await check(gpu, random, { a: [3, 7, 11], b: [3, 11, 9] });
    await check(gpu, random, { a: [7, 11], b: [3, 11, 9] });
    await check(gpu, random, { a: [3, 11, 7], b: [9, 11], transposeA: true, transposeB: true });
    await check(gpu, random, { a: [1, 5, 4], b: [4, 4, 13] });
  }),
  'epilogue: bias per row + relu, scale and bias per column + silu, sigmoid, scale only': slow(async ({ gpu, random }) => {
    await check(gpu, random, { a: [2, 19, 23], b: [23, 37], bias: true, activation: 'relu' });
    await check(gpu, random, { a: [19, 23], b: [37, 23], transposeB: true, bias: true, scale: true, channelAxis: 'column', activation: 'silu' });
    await check(gpu, random, { a: [9, 5], b: [5, 70], bias: true, activation: 'sigmoid' });
    await check(gpu, random, { a: [9, 5], b: [5, 70], scale: true });
  }),
  'long K split into partial products (explicit and automatic)': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random, adapter }) => {
      await check(gpu, random, { a: [6, 1000], b: [1000, 5], splitK: 3 });
      await check(gpu, random, { a: [2, 9, 777], b: [777, 7], transposeB: false, splitK: 4 });
      await check(gpu, random, { a: [3, swift(adapter) ? 2100 : 5000], b: [swift(adapter) ? 2100 : 5000, 11] });
    },
  },
  'sumBatch adds the batch of products into one output (with split K; batch moved into K, partials, and the default)': slow(async ({ gpu, random }) => {
    const specs: [Check, number | undefined][] = [
      [{ a: [3, 7, 12], b: [3, 9, 12], transposeB: true }, 1],
      [{ a: [5, 2000, 6], b: [5, 2000, 8], transposeA: true }, 3],
      // A 1x1 weight gradient at 2 x 2 pixels (dy [N, Cout, HW] · x [N, C, HW]ᵀ), and every transpose pair at odd sizes.
      [{ a: [4, 37, 4], b: [4, 21, 4], transposeB: true }, undefined],
      [{ a: [3, 13, 5], b: [3, 5, 11] }, undefined],
      [{ a: [3, 5, 13], b: [3, 11, 5], transposeA: true, transposeB: true }, undefined],
      [{ a: [2, 5, 9], b: [2, 5, 7], transposeA: true }, undefined],
    ];
    for (const [spec, splitK] of specs) {
      for (const batchIntoK of [true, false, undefined]) {
        const a = randomArray(random, count(spec.a));
        const b = randomArray(random, count(spec.b));
        const shape = gemmShape(spec.a, spec.b, spec.transposeA, spec.transposeB);
        const transposes = { transposeA: spec.transposeA, transposeB: spec.transposeB };
        const out = gemm(gpu, gpu.upload(a, spec.a), gpu.upload(b, spec.b), { ...transposes, sumBatch: true, splitK, batchIntoK, out: poisoned(gpu, [shape.M, shape.N]) });
        const each = gemmReference(a, spec.a, b, spec.b, transposes).data;
        const expected = new Float64Array(shape.M * shape.N);
        each.forEach((v, index) => (expected[index % expected.length] = expected[index % expected.length]! + v));
        assertClose(await gpu.read(out), expected, 'forward', `gemm sumBatch batchIntoK ${batchIntoK} ${JSON.stringify(spec)}`);
      }
    }
  }),
  'full tiles in both dimensions with edges (150 x 140 x 70)': slow(async ({ gpu, random }) => {
    await check(gpu, random, { a: [150, 70], b: [70, 140], bias: true });
  }),
  'every GEMM core (tiled, lanes, subgroup) on odd and vec4 sizes, both transposes, batch broadcast, epilogue, split K': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const variant of GEMM_VARIANTS) {
        if (variant === 'subgroup' && !gpu.deviceProfile.subgroups) {
          // Adapters without subgroups (Chromium's compatibility adapter) refuse it by name.
          await expectError(() => check(gpu, random, { a: [4, 4], b: [4, 4], variant }), ['gemm', "'subgroup' GEMM variant", 'subgroups feature']);
          continue;
        }
        // 17 x 67 x 9: a partial 16-row tile, a partial 64-column tile, a k tail; 20 x 68 x 36: vec4 loads.
        for (const [M, N, K] of [[17, 67, 9], [20, 68, 36], [1, 1, 1]] as const) {
          for (const transposeA of [false, true]) {
            for (const transposeB of [false, true]) {
              await check(gpu, random, { a: transposeA ? [K, M] : [M, K], b: transposeB ? [N, K] : [K, N], transposeA, transposeB, variant });
            }
          }
        }
        await check(gpu, random, { a: [3, 11, 7], b: [9, 11], transposeA: true, transposeB: true, variant });
        await check(gpu, random, { a: [2, 19, 23], b: [23, 37], bias: true, scale: true, activation: 'silu', variant });
        await check(gpu, random, { a: [19, 24], b: [36, 24], transposeB: true, bias: true, channelAxis: 'column', activation: 'relu', variant });
        await check(gpu, random, { a: [6, 1000], b: [1000, 5], splitK: 3, variant });
      }
    },
  },
  'Cᵀ = op(B)ᵀ op(A)ᵀ into C (swapOperands forced on and off) on every core: narrow N, transposes, batch broadcast, epilogue per row and column, split K, sumBatch': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const variant of GEMM_VARIANTS.filter((name) => name !== 'subgroup' || gpu.deviceProfile.subgroups)) {
        for (const swapOperands of [true, false]) {
          // 72 x 4 x 12: vec4 loads (a 1x1 convolution at 2 x 2 pixels), every transpose; 37 x 5 x 9: odd everywhere.
          for (const transposeA of [false, true]) {
            for (const transposeB of [false, true]) {
              await check(gpu, random, { a: transposeA ? [12, 72] : [72, 12], b: transposeB ? [4, 12] : [12, 4], transposeA, transposeB, variant, swapOperands });
            }
          }
          await check(gpu, random, { a: [37, 9], b: [9, 5], variant, swapOperands });
          await check(gpu, random, { a: [37, 9], b: [3, 9, 5], variant, swapOperands });
          await check(gpu, random, { a: [3, 9, 37], b: [5, 9], transposeA: true, transposeB: true, variant, swapOperands });
          await check(gpu, random, { a: [2, 19, 23], b: [23, 6], bias: true, scale: true, activation: 'silu', variant, swapOperands });
          await check(gpu, random, { a: [19, 24], b: [4, 24], transposeB: true, bias: true, scale: true, channelAxis: 'column', activation: 'relu', variant, swapOperands });
          await check(gpu, random, { a: [66, 1000], b: [1000, 3], splitK: 3, variant, swapOperands });
          const [a, b] = [randomArray(random, 3 * 8 * 45), randomArray(random, 3 * 5 * 8)];
          const out = gemm(gpu, gpu.upload(a, [3, 8, 45]), gpu.upload(b, [3, 5, 8]), { transposeA: true, transposeB: true, sumBatch: true, variant, swapOperands, out: poisoned(gpu, [45, 5]) });
          const expected = new Float64Array(45 * 5);
          gemmReference(a, [3, 8, 45], b, [3, 5, 8], { transposeA: true, transposeB: true }).data.forEach((v, index) => (expected[index % expected.length] = expected[index % expected.length]! + v));
          assertClose(await gpu.read(out), expected, 'forward', `gemm sumBatch ${variant} swapOperands ${swapOperands}`);
        }
      }
    },
  },
  'Cᵀ of a batch of B against one A folds the batch into the rows (foldBatch on and off) on every core: vec4 and odd rows, transposes, epilogue per row and column, split K': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const variant of GEMM_VARIANTS.filter((name) => name !== 'subgroup' || gpu.deviceProfile.subgroups)) {
        for (const foldBatch of [true, false]) {
          const fixed = { variant, swapOperands: true, foldBatch };
          // 72 x 4 x 12 per image: vec4 rows within each image (a 1x1 convolution at 2 x 2 pixels); odd N = 3 and 5.
          await check(gpu, random, { a: [72, 12], b: [3, 12, 4], ...fixed });
          await check(gpu, random, { a: [12, 19], b: [2, 12, 3], transposeA: true, bias: true, scale: true, activation: 'relu', ...fixed });
          await check(gpu, random, { a: [21, 10], b: [3, 5, 10], transposeB: true, bias: true, scale: true, channelAxis: 'column', activation: 'silu', ...fixed });
          await check(gpu, random, { a: [6, 1000], b: [3, 1000, 4], splitK: 3, ...fixed });
        }
      }
    },
  },
  'swapOperands: the lanes cores run Cᵀ where its tiles are at least twice as full, the tiled core never': async () => {
    const cases: [GemmVariant, number, number, boolean][] = [
      ['subgroup', 1152, 4, true],
      ['lanes', 672, 16, true],
      ['lanes', 64, 64, false],
      ['subgroup', 4, 1152, false],
      ['lanes', 33, 17, false],
      ['tiled', 1152, 4, false],
    ];
    for (const [variant, M, N, want] of cases) {
      if (swapOperands(variant, M, N) !== want) throw new Error(`swapOperands(${variant}, ${M}, ${N}) should be ${want}`);
    }
  },
  'rejects mismatched sizes, bad epilogue shapes, wrong output, aliasing': slow(async ({ gpu }) => {
    const a = gpu.upload(new Float32Array(12).fill(1), [3, 4]);
    const b = gpu.upload(new Float32Array(10).fill(1), [5, 2]);
    await expectError(() => gemm(gpu, a, b), ['gemm', '[3, 4]', '[5, 2]', 'inner sizes differ']);
    const a3 = gpu.upload(new Float32Array(24).fill(1), [2, 3, 4]);
    const b3 = gpu.upload(new Float32Array(24).fill(1), [3, 4, 2]);
    await expectError(() => gemm(gpu, a3, b3), ['gemm', 'batch sizes 2 and 3']);
    const b42 = gpu.upload(new Float32Array(8).fill(1), [4, 2]);
    await expectError(() => gemm(gpu, a, b42, { bias: gpu.upload(new Float32Array(2)) }), ['gemm', 'bias', '[2]', '[3]']);
    await expectError(() => gemm(gpu, a, b42, { out: gpu.empty([2, 3]) }), ['gemm', 'output shape [2, 3]', '[3, 2]']);
    await expectError(() => gemm(gpu, a, b42, { out: { ...a, shape: [3, 2] } }), ['gemm', 'alias']);
    await expectError(() => gemm(gpu, a, b42, { activation: 'relu', splitK: 2 }), ['gemm', 'splitK']);
    await expectError(() => gemm(gpu, a3, a3, { transposeB: true, sumBatch: true, bias: gpu.upload(new Float32Array(3)) }), ['gemm', 'sumBatch']);
    await expectError(() => gemm(gpu, gpu.upload(new Float32Array(4), [4]), b42), ['gemm', '[M, K]']);
  }),
});
