import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import type { CaseBody } from '../../testing/cases.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { conv2dBackwardBias, conv2dBackwardInput, conv2dBackwardWeight } from './conv2d-backward.js';
import { conv2d } from './conv2d.js';
import { numelOf, PADS } from './conv2d.cases.js';
import { convGeometry, outputShape, type Conv2dOptions } from './conv2d-geometry.js';
import {
  conv2dBackwardBiasReference,
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dReference,
} from './conv2d.reference.js';

/** Cold pipeline compiles (lavapipe without its shader cache, SwiftShader) take seconds each on a shared CPU. */
const COLD_COMPILE_MS = 300_000;
const slow = (run: CaseBody): { timeoutMs: number; run: CaseBody } => ({ timeoutMs: COLD_COMPILE_MS, run });

export interface BackwardSpec extends Conv2dOptions {
  x: number[];
  w: number[];
  general?: boolean;
  splits?: number;
}

/** Input, weight and bias gradients of loss = Σ r·y against the float64 reference. */
export async function checkBackward(gpu: Gpu, random: Random, spec: BackwardSpec, parts = { input: true, weight: true }): Promise<void> {
  const yShape = outputShape(convGeometry('test', spec.x, spec.w, spec));
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(spec.w));
  const dy = randomArray(random, numelOf(yShape));
  const label = JSON.stringify(spec);
  const dyTensor = gpu.upload(dy, yShape);
  if (parts.input) {
    const dx = conv2dBackwardInput(gpu, dyTensor, gpu.upload(w, spec.w), spec.x, { ...spec, out: poisoned(gpu, spec.x) });
    assertClose(await gpu.read(dx), conv2dBackwardInputReference(dy, w, spec.x, spec.w, spec), 'forward', `dx ${label}`);
  }
  if (parts.weight) {
    const dw = conv2dBackwardWeight(gpu, gpu.upload(x, spec.x), dyTensor, spec.w, { ...spec, out: poisoned(gpu, spec.w) });
    assertClose(await gpu.read(dw), conv2dBackwardWeightReference(x, spec.x, dy, spec.w, spec), 'gradient', `dw ${label}`);
  }
}

/** Every gradient against float64 central differences of loss(x, w, b) = Σ r·conv2d(x, w) + b. */
async function checkFiniteDifferences(gpu: Gpu, random: Random, spec: BackwardSpec): Promise<void> {
  const yShape = outputShape(convGeometry('test', spec.x, spec.w, spec));
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(spec.w));
  const b = randomArray(random, spec.w[0]!);
  const r = randomArray(random, numelOf(yShape));
  const loss = (xs: ArrayLike<number>, ws: ArrayLike<number>, bs: ArrayLike<number>): number =>
    weightedSum(conv2dReference(xs, spec.x, ws, spec.w, { ...spec, bias: bs }).data, r);
  const dyTensor = gpu.upload(r, yShape);
  const label = JSON.stringify(spec);
  const dx = conv2dBackwardInput(gpu, dyTensor, gpu.upload(w, spec.w), spec.x, { ...spec, out: poisoned(gpu, spec.x) });
  assertClose(await gpu.read(dx), numericalGradient((v) => loss(v, w, b), x), 'finiteDifference', `dx vs finite differences ${label}`);
  const dw = conv2dBackwardWeight(gpu, gpu.upload(x, spec.x), dyTensor, spec.w, { ...spec, out: poisoned(gpu, spec.w) });
  assertClose(await gpu.read(dw), numericalGradient((v) => loss(x, v, b), w), 'finiteDifference', `dw vs finite differences ${label}`);
  const db = conv2dBackwardBias(gpu, dyTensor, poisoned(gpu, [spec.w[0]!]));
  assertClose(await gpu.read(db), numericalGradient((v) => loss(x, w, v), b), 'finiteDifference', `db vs finite differences ${label}`);
}

const swift = (adapter: string): boolean => adapter.includes('swiftshader');

export const conv2dBackwardCases = defineCases('conv2d backward', {
  "dx and dw at the dilated shapes of the original's other networks (ASPP d12/24/36 depthwise on 4x6, ResNet 3x3 d2, EfficientNet 5x5 d2 p4), and finite differences": slow(
    async ({ gpu, random }) => {
      for (const dilation of [12, 24, 36]) {
        await checkBackward(gpu, random, { x: [2, 5, 4, 6], w: [5, 1, 3, 3], groups: 5, padding: dilation, dilation });
      }
      await checkBackward(gpu, random, { x: [2, 6, 5, 7], w: [5, 6, 3, 3], padding: 2, dilation: 2 });
      await checkBackward(gpu, random, { x: [2, 6, 5, 7], w: [6, 1, 5, 5], groups: 6, padding: 4, dilation: 2 });
      await checkFiniteDifferences(gpu, random, { x: [2, 3, 4, 6], w: [3, 1, 3, 3], groups: 3, padding: 12, dilation: 12 });
      await checkFiniteDifferences(gpu, random, { x: [1, 2, 5, 5], w: [2, 1, 5, 5], groups: 2, padding: 4, dilation: 2 });
    },
  ),
  'dx, dw, db against finite differences: stride 2 pads (0,1,0,1), 5x5 (1,2,1,2), dilation 2, groups, 1x1': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      await checkFiniteDifferences(gpu, random, { x: [2, 3, 5, 6], w: [4, 3, 3, 3], stride: 2, padding: [0, 1, 0, 1] });
      await checkFiniteDifferences(gpu, random, { x: [1, 2, 7, 6], w: [3, 2, 5, 5], stride: 2, padding: [1, 2, 1, 2] });
      await checkFiniteDifferences(gpu, random, { x: [2, 2, 6, 5], w: [2, 2, 3, 3], dilation: 2, padding: 2 });
      await checkFiniteDifferences(gpu, random, { x: [2, 4, 5, 5], w: [6, 2, 3, 3], groups: 2, padding: 1 });
      await checkFiniteDifferences(gpu, random, { x: [2, 3, 4, 5], w: [3, 1, 3, 3], groups: 3, padding: 1, general: true });
      await checkFiniteDifferences(gpu, random, { x: [2, 3, 4, 5], w: [4, 3, 1, 1] });
    },
  },
  'dx and dw of 3x3 on [3, 5, 7, 9], every pad combination, stride 1 and 2': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const padding of PADS) {
        for (const stride of [1, 2]) await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 3, 3], padding, stride });
      }
    },
  },
  'dx and dw: 5x5 stride 2, dilation 2, stride 3 with kernel 2 (empty phases), groups, depthwise, 1x1 general': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 5, 5], stride: 2, padding: [1, 2, 1, 2] });
      await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 3, 3], dilation: 2, padding: [2, 2, 2, 2], stride: 2 });
      await checkBackward(gpu, random, { x: [2, 3, 8, 7], w: [4, 3, 2, 2], stride: 3, padding: [0, 1, 1, 0] });
      await checkBackward(gpu, random, { x: [3, 6, 7, 9], w: [9, 2, 3, 3], groups: 3, padding: [0, 1, 0, 1], stride: 2 });
      await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [5, 1, 3, 3], groups: 5, padding: 1, general: true });
      await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [6, 5, 1, 1], general: true });
      await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [6, 5, 1, 1] });
      await checkBackward(gpu, random, { x: [6, 20, 1, 1], w: [5, 20, 1, 1] });
      await checkBackward(gpu, random, { x: [2, 8, 10, 10], w: [12, 8, 1, 1] });
      // 1x1 at 2 x 2 pixels: gemm moves the batch into K (partials [N, Cout, C] would outweigh the operands).
      await checkBackward(gpu, random, { x: [4, 23, 2, 2], w: [37, 23, 1, 1] });
    },
  },
  'dw reduced over N·OH·OW >= 20000 (split into chunks and summed), and explicit split counts': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random, adapter }) => {
      const size = swift(adapter) ? 48 : 72;
      await checkBackward(gpu, random, { x: [swift(adapter) ? 9 : 4, 3, size, size], w: [5, 3, 3, 3], padding: 1 }, { input: false, weight: true });
      await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 3, 3], padding: 1, splits: 7 }, { input: false, weight: true });
      await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 3, 3], padding: 1, splits: 1 }, { input: false, weight: true });
    },
  },
  'db sums dy over N, H, W': slow(async ({ gpu, random }) => {
    const dy = randomArray(random, 3 * 4 * 5 * 7);
    const db = conv2dBackwardBias(gpu, gpu.upload(dy, [3, 4, 5, 7]), poisoned(gpu, [4]));
    assertClose(await gpu.read(db), conv2dBackwardBiasReference(dy, [3, 4, 5, 7]), 'reduction', 'db');
  }),
  'rejects dy of the wrong shape, weight shapes that do not match x': slow(async ({ gpu }) => {
    const tensor = (shape: number[]) => gpu.upload(new Float32Array(numelOf(shape)).fill(1), shape);
    const w = tensor([4, 5, 3, 3]);
    await expectError(() => conv2dBackwardInput(gpu, tensor([3, 4, 7, 9]), w, [3, 5, 7, 9]), ['conv2dBackwardInput', 'dy', '[3, 4, 7, 9]', '[3, 4, 5, 7]']);
    await expectError(() => conv2dBackwardInput(gpu, tensor([3, 4, 5, 7]), w, [3, 6, 7, 9]), ['conv2dBackwardInput', 'channel mismatch']);
    await expectError(() => conv2dBackwardWeight(gpu, tensor([3, 5, 7, 9]), tensor([3, 4, 5, 7]), [4, 5, 3]), ['conv2dBackwardWeight', '[4, 5, 3]']);
    await expectError(() => conv2dBackwardWeight(gpu, tensor([3, 5, 7, 9]), tensor([3, 4, 5, 7]), [4, 5, 3, 3], { groups: 3 }), ['conv2dBackwardWeight', 'groups = 3']);
    await expectError(() => conv2dBackwardBias(gpu, tensor([3, 4, 5])), ['conv2dBackwardBias', '[3, 4, 5]']);
    // The implicit GEMM takes only the tiled core; a 1x1 routed through gemm and the im2col route take any (gemm.cases runs them all).
    await expectError(() => conv2dBackwardInput(gpu, tensor([3, 4, 5, 7]), w, [3, 5, 7, 9], { variant: 'lanes', im2col: false }), ['conv2dBackwardInput', "'tiled' GEMM core only", "not 'lanes'"]);
    await expectError(() => conv2dBackwardWeight(gpu, tensor([3, 5, 7, 9]), tensor([3, 4, 5, 7]), [4, 5, 3, 3], { variant: 'lanes', im2col: false }), ['conv2dBackwardWeight', "'tiled' GEMM core only"]);
    await expectError(() => conv2d(gpu, tensor([3, 5, 7, 9]), w, { variant: 'lanes', im2col: false }), ['conv2d', "'tiled' GEMM core only"]);
  }),
});
