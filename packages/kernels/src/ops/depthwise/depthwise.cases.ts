import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import type { CaseBody } from '../../testing/cases.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { numelOf, PADS } from '../conv2d/conv2d.cases.js';
import { convGeometry, outputShape, type Padding } from '../conv2d/conv2d-geometry.js';
import type { Activation } from '../gemm/tiles.js';
import {
  DEPTHWISE_OUTPUTS,
  DEPTHWISE_WEIGHT_LANES_MAX_ITEMS,
  depthwiseConv2d,
  depthwiseConv2dBackwardInput,
  depthwiseConv2dBackwardWeight,
  type DepthwiseOutputs,
  type DepthwiseWeightLayout,
} from './depthwise.js';
import {
  depthwiseConv2dBackwardInputReference,
  depthwiseConv2dBackwardWeightReference,
  depthwiseConv2dReference,
} from './depthwise.reference.js';

/** Cold pipeline compiles (lavapipe without its shader cache, SwiftShader) take seconds each on a shared CPU. */
const COLD_COMPILE_MS = 300_000;
const slow = (run: CaseBody): { timeoutMs: number; run: CaseBody } => ({ timeoutMs: COLD_COMPILE_MS, run });

interface Spec {
  x: number[];
  k: number;
  stride: number;
  padding: Padding;
}

const wShape = (spec: Spec): number[] => [spec.x[1]!, 1, spec.k, spec.k];
const yShape = (spec: Spec): number[] => outputShape(convGeometry('test', spec.x, wShape(spec), { ...spec, groups: spec.x[1] }));

async function checkForward(gpu: Gpu, random: Random, spec: Spec, activation?: Activation, outputsPerLane?: DepthwiseOutputs): Promise<void> {
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(wShape(spec)));
  const bias = randomArray(random, spec.x[1]!);
  const scale = randomArray(random, spec.x[1]!, { low: 0.5, high: 2 });
  const y = depthwiseConv2d(gpu, gpu.upload(x, spec.x), gpu.upload(w, wShape(spec)), {
    ...spec,
    bias: gpu.upload(bias),
    scale: activation ? gpu.upload(scale) : undefined,
    activation,
    out: poisoned(gpu, yShape(spec)),
    outputsPerLane,
  });
  const expected = depthwiseConv2dReference(x, spec.x, w, wShape(spec), { ...spec, bias, scale: activation ? scale : undefined, activation });
  assertClose(await gpu.read(y), expected.data, 'forward', `depthwise ${JSON.stringify(spec)} ${activation ?? ''} ${outputsPerLane ?? 'profile'} a lane`);
}

async function checkBackward(gpu: Gpu, random: Random, spec: Spec, parts = { input: true, weight: true }, layout?: DepthwiseWeightLayout): Promise<void> {
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(wShape(spec)));
  const dy = randomArray(random, numelOf(yShape(spec)));
  const dyTensor = gpu.upload(dy, yShape(spec));
  const label = JSON.stringify(spec);
  if (parts.input) {
    const dx = depthwiseConv2dBackwardInput(gpu, dyTensor, gpu.upload(w, wShape(spec)), spec.x, { ...spec, out: poisoned(gpu, spec.x) });
    assertClose(await gpu.read(dx), depthwiseConv2dBackwardInputReference(dy, w, spec.x, wShape(spec), spec), 'forward', `dx ${label}`);
  }
  if (parts.weight) {
    const dw = depthwiseConv2dBackwardWeight(gpu, gpu.upload(x, spec.x), dyTensor, wShape(spec), { ...spec, out: poisoned(gpu, wShape(spec)), layout });
    assertClose(await gpu.read(dw), depthwiseConv2dBackwardWeightReference(x, spec.x, dy, wShape(spec), spec), 'gradient', `dw ${layout ?? 'auto'} ${label}`);
  }
}

async function checkFiniteDifferences(gpu: Gpu, random: Random, spec: Spec): Promise<void> {
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(wShape(spec)));
  const r = randomArray(random, numelOf(yShape(spec)));
  const loss = (xs: ArrayLike<number>, ws: ArrayLike<number>): number => weightedSum(depthwiseConv2dReference(xs, spec.x, ws, wShape(spec), spec).data, r);
  const dyTensor = gpu.upload(r, yShape(spec));
  const dx = depthwiseConv2dBackwardInput(gpu, dyTensor, gpu.upload(w, wShape(spec)), spec.x, { ...spec, out: poisoned(gpu, spec.x) });
  assertClose(await gpu.read(dx), numericalGradient((v) => loss(v, w), x), 'finiteDifference', `dx vs finite differences ${JSON.stringify(spec)}`);
  const dw = depthwiseConv2dBackwardWeight(gpu, gpu.upload(x, spec.x), dyTensor, wShape(spec), { ...spec, out: poisoned(gpu, wShape(spec)) });
  assertClose(await gpu.read(dw), numericalGradient((v) => loss(x, v), w), 'finiteDifference', `dw vs finite differences ${JSON.stringify(spec)}`);
}

const GEOMETRIES = [3, 5].flatMap((k) => [1, 2].map((stride) => ({ k, stride })));

export const depthwiseCases = defineCases('depthwise', {
  'forward, kernels 3 and 5, strides 1 and 2, every pad combination, on [3, 5, 7, 9] with bias': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const { k, stride } of GEOMETRIES) {
        for (const padding of PADS) await checkForward(gpu, random, { x: [3, 5, 7, 9], k, stride, padding });
      }
    },
  },
  'forward with 8 and 16 outputs a lane forced, rows of several blocks and a partial last block, fused silu': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const outputs of DEPTHWISE_OUTPUTS) {
        for (const { k, stride } of GEOMETRIES) {
          await checkForward(gpu, random, { x: [2, 3, 7, 37], k, stride, padding: [1, 2, 0, 1] }, undefined, outputs);
        }
        await checkForward(gpu, random, { x: [1, 4, 5, 35], k: 5, stride: 1, padding: 2 }, 'silu', outputs);
      }
    },
  },
  'fused scale, bias and silu / relu': slow(async ({ gpu, random }) => {
    await checkForward(gpu, random, { x: [2, 6, 9, 11], k: 5, stride: 2, padding: [1, 2, 1, 2] }, 'silu');
    await checkForward(gpu, random, { x: [2, 6, 9, 11], k: 3, stride: 1, padding: 1 }, 'relu');
  }),
  'dx and dw against the reference, every geometry and pad combination': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const { k, stride } of GEOMETRIES) {
        for (const padding of PADS) await checkBackward(gpu, random, { x: [3, 5, 7, 9], k, stride, padding });
      }
    },
  },
  ...Object.fromEntries(
    (['workgroup', 'lanes'] as DepthwiseWeightLayout[]).map((layout) => [
      `dw with the ${layout} layout forced: every geometry and pad combination, a deep-layer shape (2 x 3 pixels, 37 channels), and beyond the lanes threshold`,
      {
        timeoutMs: COLD_COMPILE_MS,
        run: async ({ gpu, random }) => {
          const weight = { input: false, weight: true };
          for (const { k, stride } of GEOMETRIES) {
            for (const padding of PADS) await checkBackward(gpu, random, { x: [3, 5, 7, 9], k, stride, padding }, weight, layout);
            await checkBackward(gpu, random, { x: [4, 37, 2, 3], k, stride, padding: [k >> 1, 0, k >> 1, k >> 1] }, weight, layout);
          }
          // N·OH·⌈OW / 8⌉ past the threshold at which auto leaves the lanes layout.
          const rows = DEPTHWISE_WEIGHT_LANES_MAX_ITEMS + 7;
          await checkBackward(gpu, random, { x: [1, 3, rows, 11], k: 5, stride: 1, padding: 2 }, weight, layout);
        },
      },
    ]),
  ),
  'dx and dw against finite differences': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      await checkFiniteDifferences(gpu, random, { x: [2, 3, 5, 6], k: 3, stride: 2, padding: [0, 1, 0, 1] });
      await checkFiniteDifferences(gpu, random, { x: [2, 2, 7, 6], k: 5, stride: 2, padding: [1, 2, 1, 2] });
      await checkFiniteDifferences(gpu, random, { x: [2, 2, 5, 6], k: 3, stride: 1, padding: 1 });
      await checkFiniteDifferences(gpu, random, { x: [1, 2, 6, 7], k: 5, stride: 1, padding: 2 });
    },
  },
  'dw reduced over N·OH·OW >= 20000 (stride 1 and 2)': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random, adapter }) => {
      const small = adapter.includes('swiftshader');
      await checkBackward(gpu, random, { x: [small ? 9 : 4, 3, small ? 48 : 72, small ? 48 : 72], k: 5, stride: 1, padding: 2 }, { input: false, weight: true });
      await checkBackward(gpu, random, { x: [16, 2, 72, 72], k: 3, stride: 2, padding: [0, 1, 0, 1] }, { input: false, weight: true });
    },
  },
  'rejects non-depthwise groups, kernel 7, dilation, wrong dy': slow(async ({ gpu }) => {
    const tensor = (shape: number[]) => gpu.upload(new Float32Array(numelOf(shape)).fill(1), shape);
    const x = tensor([3, 5, 7, 9]);
    await expectError(() => depthwiseConv2d(gpu, x, tensor([5, 5, 3, 3]), { groups: 1 }), ['depthwiseConv2d', 'groups = C', '[5, 5, 3, 3]']);
    await expectError(() => depthwiseConv2d(gpu, x, tensor([5, 1, 7, 7]), { padding: 3 }), ['depthwiseConv2d', '3x3 or 5x5', '[5, 1, 7, 7]']);
    await expectError(() => depthwiseConv2d(gpu, x, tensor([5, 1, 3, 3]), { dilation: 2 }), ['depthwiseConv2d', 'dilation 1']);
    await expectError(() => depthwiseConv2d(gpu, x, tensor([4, 1, 3, 3])), ['depthwiseConv2d', 'must divide']);
    await expectError(
      () => depthwiseConv2dBackwardInput(gpu, tensor([3, 5, 7, 9]), tensor([5, 1, 3, 3]), [3, 5, 7, 9], { stride: 2 }),
      ['depthwiseConv2dBackwardInput', 'dy', '[3, 5, 7, 9]', '[3, 5, 3, 4]'],
    );
  }),
});
