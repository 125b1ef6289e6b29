import { assertClose, defineCases, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import type { CaseBody } from '../../testing/cases.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { GemmVariant } from '../../device/profile.js';
import type { Random } from '../../testing/random.js';
import { checkBackward, type BackwardSpec } from './conv2d-backward.cases.js';
import { conv2dBackwardInput, conv2dBackwardWeight } from './conv2d-backward.js';
import { checkForward, numelOf, type ForwardSpec } from './conv2d.cases.js';
import { convGeometry, outputShape } from './conv2d-geometry.js';
import { im2colPlan, type Im2colChoice } from './conv2d-im2col.js';
import { conv2dReference } from './conv2d.reference.js';

/** Cold pipeline compiles (lavapipe without its shader cache, SwiftShader) take seconds each on a shared CPU. */
const COLD_COMPILE_MS = 300_000;
const slow = (run: CaseBody): { timeoutMs: number; run: CaseBody } => ({ timeoutMs: COLD_COMPILE_MS, run });

type Spec = ForwardSpec & BackwardSpec & Im2colChoice & { variant?: GemmVariant };

/** Odd sizes, strides 1 and 2, asymmetric padding, dilation, rectangular kernels; OH·OW and W with and without a factor 4. */
const SPECS: Spec[] = [
  { x: [3, 5, 7, 9], w: [4, 5, 3, 3], padding: 1 },
  { x: [3, 5, 7, 9], w: [4, 5, 3, 3], padding: [0, 1, 0, 1], stride: 2 },
  { x: [2, 6, 8, 8], w: [7, 6, 3, 3], padding: [1, 2, 1, 2], stride: 2 },
  { x: [2, 3, 8, 12], w: [5, 3, 3, 3], padding: 2, dilation: 2 },
  { x: [2, 4, 9, 8], w: [3, 4, 5, 3], padding: [1, 0], stride: [1, 2], dilation: [2, 1] },
  { x: [1, 19, 17, 16], w: [70, 19, 3, 3], padding: 1 },
];

/** The GEMM cores this device runs (subgroup only with the subgroups feature). */
const cores = (gpu: Gpu): GemmVariant[] => (gpu.deviceProfile.subgroups ? ['tiled', 'lanes', 'subgroup'] : ['tiled', 'lanes']);

function expectPlan(gpu: Gpu, spec: Spec, taken: boolean): void {
  const plan = im2colPlan(gpu, convGeometry('test', spec.x, spec.w, spec), spec);
  if ((plan !== null) !== taken) throw new Error(`im2col route ${taken ? 'declined' : 'taken'} for ${JSON.stringify(spec)}`);
}

/** Every gradient of loss = Σ r·conv2d(x, w) on the im2col route against float64 central differences. */
async function checkFiniteDifferences(gpu: Gpu, random: Random, spec: BackwardSpec & Im2colChoice): Promise<void> {
  const yShape = outputShape(convGeometry('test', spec.x, spec.w, spec));
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(spec.w));
  const r = randomArray(random, numelOf(yShape));
  const loss = (xs: ArrayLike<number>, ws: ArrayLike<number>): number => weightedSum(conv2dReference(xs, spec.x, ws, spec.w, { stride: spec.stride, padding: spec.padding, dilation: spec.dilation }).data, r);
  const dy = gpu.upload(r, yShape);
  const label = JSON.stringify(spec);
  const dx = conv2dBackwardInput(gpu, dy, gpu.upload(w, spec.w), spec.x, { ...spec, out: poisoned(gpu, spec.x) });
  assertClose(await gpu.read(dx), numericalGradient((v) => loss(v, w), x), 'finiteDifference', `dx vs finite differences ${label}`);
  const dw = conv2dBackwardWeight(gpu, gpu.upload(x, spec.x), dy, spec.w, { ...spec, out: poisoned(gpu, spec.w) });
  assertClose(await gpu.read(dw), numericalGradient((v) => loss(x, v), w), 'finiteDifference', `dw vs finite differences ${label}`);
}

export const conv2dIm2colCases = defineCases('conv2d im2col', {
  'forward, dx and dw on the im2col route and on the implicit kernels (both forced) against the float64 references': slow(async ({ gpu, random }) => {
    for (const base of SPECS) {
      for (const im2col of [true, false]) {
        const spec: Spec = { ...base, im2col, bias: true };
        expectPlan(gpu, spec, im2col);
        await checkForward(gpu, random, spec);
        await checkBackward(gpu, random, { x: spec.x, w: spec.w, stride: spec.stride, padding: spec.padding, dilation: spec.dilation, im2col } as BackwardSpec);
      }
    }
  }),
  'every GEMM core under the route, with a folded batch norm and activation in the forward': slow(async ({ gpu, random }) => {
    for (const variant of cores(gpu)) {
      const spec: Spec = { x: [2, 5, 7, 9], w: [6, 5, 3, 3], padding: [0, 1, 0, 1], stride: 2, im2col: true, variant };
      await checkForward(gpu, random, { ...spec, bias: true, scale: true, activation: 'silu' } as Spec);
      await checkBackward(gpu, random, spec as BackwardSpec);
    }
  }),
  'the batch in chunks of images under a small cols budget (offsets that are and are not binding-aligned)': slow(async ({ gpu, random }) => {
    // 4·K·P = 4·45·63 bytes per image: a budget of 2 images gives chunks [0, 2), [2, 4), [4, 5).
    const odd: Spec = { x: [5, 5, 7, 9], w: [4, 5, 3, 3], padding: 1, im2col: true, im2colBudget: 2 * 4 * 45 * 63 };
    // 16 x 16 planes: every image's offset is aligned, so chunks are views.
    const aligned: Spec = { x: [3, 2, 16, 16], w: [4, 2, 3, 3], padding: 1, im2col: true, im2colBudget: 4 * 18 * 256 };
    for (const spec of [odd, aligned]) {
      const plan = im2colPlan(gpu, convGeometry('test', spec.x, spec.w, spec), spec);
      if (!plan || plan.images >= spec.x[0]!) throw new Error(`expected chunks for ${JSON.stringify(spec)}, got ${JSON.stringify(plan)}`);
      await checkForward(gpu, random, { ...spec, bias: true } as Spec);
      await checkBackward(gpu, random, spec as BackwardSpec);
    }
  }),
  'declines grouped convolutions, 1x1 kernels and an image over the budget, which take the other kernels': slow(async ({ gpu, random }) => {
    const grouped: Spec = { x: [2, 6, 7, 9], w: [9, 2, 3, 3], groups: 3, padding: 1, im2col: true };
    const pointwise: Spec = { x: [2, 6, 7, 9], w: [4, 6, 1, 1], stride: 2, im2col: true };
    const large: Spec = { x: [2, 3, 7, 9], w: [4, 3, 3, 3], padding: 1, im2col: true, im2colBudget: 1000 };
    for (const spec of [grouped, pointwise, large]) {
      expectPlan(gpu, spec, false);
      await checkForward(gpu, random, spec);
      await checkBackward(gpu, random, spec as BackwardSpec);
    }
  }),
  'dx and dw on the route against finite differences: stride 2 pads (0,1,0,1), dilation 2, chunks': slow(async ({ gpu, random }) => {
    await checkFiniteDifferences(gpu, random, { x: [2, 3, 5, 6], w: [4, 3, 3, 3], stride: 2, padding: [0, 1, 0, 1], im2col: true });
    await checkFiniteDifferences(gpu, random, { x: [2, 2, 6, 5], w: [2, 2, 3, 3], dilation: 2, padding: 2, im2col: true });
    await checkFiniteDifferences(gpu, random, { x: [3, 2, 4, 5], w: [3, 2, 3, 3], padding: 1, im2col: true, im2colBudget: 4 * 18 * 20 });
  }),
});
