import { assertClose, defineCases, expectError, poisoned, poisonedWindow, randomArray, uploadWindow } from '../../testing/index.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { reductionPlan } from './reduce-plan.js';
import { reduce, REDUCE_OPS, type ReduceLayout, type ReduceOp } from './reduce.js';
import { reduceReference } from './reduce.reference.js';

async function check(
  gpu: Gpu,
  random: Random,
  op: ReduceOp,
  shape: number[],
  axes: number[] | undefined,
  keepDims = false,
  layout?: ReduceLayout,
): Promise<void> {
  const data = randomArray(random, shape.reduce((product, size) => product * size, 1));
  const outShape = reductionPlan(op, shape, axes, keepDims).outShape;
  const out = reduce(gpu, op, gpu.upload(data, shape), { axes, keepDims, out: poisoned(gpu, outShape), layout });
  const expected = reduceReference(op, data, shape, axes, keepDims);
  assertClose(await gpu.read(out), expected.data, op === 'max' ? 'exact' : 'reduction', `${op} ${shape} over ${axes ?? 'all'} (${layout ?? 'auto'})`);
}

/** The same reduction in every layout that takes it, input and output at an offset, nothing outside the output written. */
async function checkLayouts(gpu: Gpu, random: Random, op: ReduceOp, shape: number[], axes: number[], layouts: readonly ReduceLayout[]): Promise<void> {
  const data = randomArray(random, shape.reduce((product, size) => product * size, 1));
  const expected = reduceReference(op, data, shape, axes);
  for (const layout of layouts) {
    const out = poisonedWindow(gpu, expected.shape);
    const label = `${op} [${shape}] over [${axes}], ${layout}`;
    reduce(gpu, op, uploadWindow(gpu, data, shape), { axes, out: out.view, layout });
    assertClose(await gpu.read(out.view), expected.data, op === 'max' ? 'exact' : 'reduction', label);
    await out.assertOutsideUntouched(label);
  }
}

export const reduceCases = defineCases('reduce', {
  ...Object.fromEntries(
    REDUCE_OPS.map((op) => [
      `${op} over all, [1, 3], [0], [-1] keepDims, [0, 2] of [3, 5, 7, 9]; N and H·W of [2, 6, 5, 3]; [1, 2, 4] of a 5-D`,
      async ({ gpu, random }) => {
        const shape = [3, 5, 7, 9];
        await check(gpu, random, op, shape, undefined);
        await check(gpu, random, op, shape, [1, 3]);
        await check(gpu, random, op, shape, [0]);
        await check(gpu, random, op, shape, [-1], true);
        await check(gpu, random, op, shape, [0, 2]);
        // One thread per output, reduced axes N and H·W (H, W merged): the walk wraps from one image to the next.
        await check(gpu, random, op, [2, 6, 5, 3], [0, 2, 3]);
        await check(gpu, random, op, [4, 3, 2, 5, 3], [1, 2, 4], true);
        await check(gpu, random, op, [4099], [0]);
      },
    ]),
  ),
  'sum, mean and max of 10^7 random elements match float64 to 1e-6': {
    timeoutMs: 120_000,
    run: async ({ gpu, random }) => {
      const count = 10_000_000;
      const data = randomArray(random, count, { low: -1, high: 3 });
      const x = gpu.upload(data);
      for (const op of REDUCE_OPS) {
        const out = reduce(gpu, op, x, { out: poisoned(gpu, []) });
        const [got] = await gpu.read(out);
        const [want] = reduceReference(op, data, [count], undefined).data;
        assertClose([got!], [want!], op === 'max' ? 'exact' : 'reduction', `${op} of 1e7`);
      }
    },
  },
  'more than 65535 outputs (one thread each) and long outputs (tree passes)': {
    timeoutMs: 120_000,
    run: async ({ gpu, random }) => {
      await check(gpu, random, 'sum', [70001, 3], [1]);
      await check(gpu, random, 'max', [70001, 65], [1]);
      await check(gpu, random, 'mean', [70001, 3], [0]);
    },
  },
  ...Object.fromEntries(
    REDUCE_OPS.map((op) => [
      `${op} over leading axes in every layout at an offset: [5, 148] and [3, 4, 1, 1] (vec4), [7, 13] and [2, 3, 7] over [0, 1] (scalar)`,
      async ({ gpu, random }) => {
        await checkLayouts(gpu, random, op, [5, 148], [0], ['auto', 'vec4', 'scalar', 'strided']);
        // [N, C, 1, 1] over N, H, W (a 1x1 bias gradient): the size-1 axes drop out, N leads.
        await checkLayouts(gpu, random, op, [3, 4, 1, 1], [0, 2, 3], ['auto', 'vec4', 'scalar', 'strided']);
        await checkLayouts(gpu, random, op, [7, 13], [0], ['auto', 'scalar', 'strided']);
        await checkLayouts(gpu, random, op, [2, 3, 7], [0, 1], ['auto', 'scalar', 'strided']);
        // Many short outputs in auto: one vec4 lane per 4 outputs; 70001 (odd): one lane per output.
        await check(gpu, random, op, [3, 70004], [0]);
        await check(gpu, random, op, [2, 70001], [0]);
      },
    ]),
  ),
  ...Object.fromEntries(
    REDUCE_OPS.map((op) => [
      `${op} over contiguous runs in every layout at an offset: planes of [3, 5, 7, 12] and [2, 3, 5, 7], per channel of [3, 5, 4, 9], segments across runs`,
      async ({ gpu, random }) => {
        // Planes of 84 (vec4 loads) and 35 (f32 loads: 'plane' falls back) per (n, c).
        await checkLayouts(gpu, random, op, [3, 5, 7, 12], [2, 3], ['auto', 'plane', 'plane-scalar', 'strided']);
        await checkLayouts(gpu, random, op, [2, 3, 5, 7], [2, 3], ['auto', 'plane', 'plane-scalar', 'strided']);
        // Batch-norm statistics: runs of H·W = 36 per image, N of them per channel.
        await checkLayouts(gpu, random, op, [3, 5, 4, 9], [0, 2, 3], ['auto', 'plane', 'plane-scalar', 'strided']);
        // Few outputs, long reductions: several segments per output, a segment boundary inside a run, then the
        // serial pass over the segments; runs of 9700 (vec4) and 12297 (f32).
        await checkLayouts(gpu, random, op, [2, 3, 97, 100], [0, 2, 3], ['auto', 'plane', 'plane-scalar']);
        await checkLayouts(gpu, random, op, [2, 12297], [1], ['auto', 'plane']);
        // [4, 3, 5] over the middle axis: the innermost reduced axis is not contiguous, auto takes the general kernels.
        await check(gpu, random, op, [4, 3, 5], [1]);
      },
    ]),
  ),
  'rejects a bad axis, a repeated axis and a wrong output shape': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(24).fill(1), [2, 3, 4]);
    await expectError(() => reduce(gpu, 'sum', x, { axes: [3] }), ['sum', 'axis 3', '[2, 3, 4]']);
    await expectError(() => reduce(gpu, 'mean', x, { axes: [1, -2] }), ['mean', 'repeat']);
    await expectError(() => reduce(gpu, 'max', x, { axes: [1], out: gpu.empty([2, 3]) }), ['reduce.max', '[2, 3]', '[2, 4]']);
  },
  'refuses a leading-axis layout where the reduced axes do not lead, vec4 for outputs not dividing by 4, an unknown layout, a plane layout over a strided innermost axis': async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(42).fill(1), [2, 3, 7]);
    await expectError(() => reduce(gpu, 'sum', x, { axes: [1], layout: 'scalar' }), ['reduce.sum', "'scalar'", 'lead', '[2, 3, 7]']);
    await expectError(() => reduce(gpu, 'sum', x, { axes: [0], layout: 'vec4' }), ['reduce.sum', "'vec4'", 'divide by 4', '21']);
    await expectError(() => reduce(gpu, 'mean', x, { axes: [0], layout: 'wide' as never }), ['reduce.mean', "'wide'", 'strided']);
    await expectError(() => reduce(gpu, 'max', x, { axes: [1], layout: 'plane' }), ['reduce.max', "'plane'", 'contiguous', 'stride 7']);
  },
});
