import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import type { CaseBody } from '../../testing/cases.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { binary } from '../binary/binary.js';
import { unary } from '../unary/unary.js';
import {
  convTranspose2d,
  convTranspose2dBackwardBias,
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
  convTransposeGeometry,
  type ConvTranspose2dOptions,
} from './conv-transpose2d.js';
import {
  convTranspose2dBackwardInputReference,
  convTranspose2dBackwardWeightReference,
  convTranspose2dReference,
} from './conv-transpose2d.reference.js';

/** Cold pipeline compiles (lavapipe without its shader cache, SwiftShader) take seconds each on a shared CPU. */
const COLD_COMPILE_MS = 300_000;
const slow = (run: CaseBody): { timeoutMs: number; run: CaseBody } => ({ timeoutMs: COLD_COMPILE_MS, run });

interface Spec extends ConvTranspose2dOptions {
  x: number[];
  w: number[];
}

const numelOf = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);
const outShape = (spec: Spec): number[] => {
  const g = convTransposeGeometry('test', spec.x, spec.w, spec);
  return [g.N, g.Cout, g.OH, g.OW];
};

async function checkForward(gpu: Gpu, random: Random, spec: Spec, withBias = true): Promise<void> {
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(spec.w));
  const bias = withBias ? randomArray(random, spec.w[1]!) : undefined;
  const y = convTranspose2d(gpu, gpu.upload(x, spec.x), gpu.upload(w, spec.w), {
    ...spec,
    bias: bias ? gpu.upload(bias) : undefined,
    out: poisoned(gpu, outShape(spec)),
  });
  assertClose(await gpu.read(y), convTranspose2dReference(x, spec.x, w, spec.w, { ...spec, bias }).data, 'forward', `convTranspose2d ${JSON.stringify(spec)}`);
}

async function checkBackward(gpu: Gpu, random: Random, spec: Spec, parts = { input: true, weight: true }): Promise<void> {
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(spec.w));
  const dy = randomArray(random, numelOf(outShape(spec)));
  const dyTensor = gpu.upload(dy, outShape(spec));
  const label = JSON.stringify(spec);
  if (parts.input) {
    const dx = convTranspose2dBackwardInput(gpu, dyTensor, gpu.upload(w, spec.w), spec.x, { ...spec, out: poisoned(gpu, spec.x) });
    assertClose(await gpu.read(dx), convTranspose2dBackwardInputReference(dy, w, spec.x, spec.w, spec), 'forward', `dx ${label}`);
  }
  if (parts.weight) {
    const dw = convTranspose2dBackwardWeight(gpu, gpu.upload(x, spec.x), dyTensor, spec.w, { ...spec, out: poisoned(gpu, spec.w) });
    assertClose(await gpu.read(dw), convTranspose2dBackwardWeightReference(x, spec.x, dy, spec.w, spec), 'gradient', `dw ${label}`);
  }
}

async function checkFiniteDifferences(gpu: Gpu, random: Random, spec: Spec): Promise<void> {
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(spec.w));
  const b = randomArray(random, spec.w[1]!);
  const r = randomArray(random, numelOf(outShape(spec)));
  const loss = (xs: ArrayLike<number>, ws: ArrayLike<number>, bs: ArrayLike<number>): number =>
    weightedSum(convTranspose2dReference(xs, spec.x, ws, spec.w, { ...spec, bias: bs }).data, r);
  const dyTensor = gpu.upload(r, outShape(spec));
  const label = JSON.stringify(spec);
  const dx = convTranspose2dBackwardInput(gpu, dyTensor, gpu.upload(w, spec.w), spec.x, { ...spec, out: poisoned(gpu, spec.x) });
  assertClose(await gpu.read(dx), numericalGradient((v) => loss(v, w, b), x), 'finiteDifference', `dx vs finite differences ${label}`);
  const dw = convTranspose2dBackwardWeight(gpu, gpu.upload(x, spec.x), dyTensor, spec.w, { ...spec, out: poisoned(gpu, spec.w) });
  assertClose(await gpu.read(dw), numericalGradient((v) => loss(x, v, b), w), 'finiteDifference', `dw vs finite differences ${label}`);
  const db = convTranspose2dBackwardBias(gpu, dyTensor, poisoned(gpu, [spec.w[1]!]));
  assertClose(await gpu.read(db), numericalGradient((v) => loss(x, w, v), b), 'finiteDifference', `db vs finite differences ${label}`);
}

/** Kernel, stride, padding, dilation combinations beyond Linknet's 4 / 2 / 1. */
const GENERAL: readonly Omit<Spec, 'x' | 'w'>[] = [
  { stride: 2, padding: 0 },
  { stride: 1, padding: 1 },
  { stride: 3, padding: 2 },
  { stride: 2, padding: 1, dilation: 2 },
  { stride: [2, 1], padding: [1, 0] },
];
const KERNELS = [3, 3, 5, 3, 3];

export const convTranspose2dCases = defineCases('convTranspose2d', {
  'Linknet 4x4 stride 2 padding 1 on [3, 5, 7, 9] → 4 channels, with bias': slow(async ({ gpu, random }) => {
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [5, 4, 4, 4], stride: 2, padding: 1 });
    await checkForward(gpu, random, { x: [2, 7, 4, 4], w: [7, 3, 4, 4], stride: 2, padding: 1 }, false);
  }),
  'kernels 2, 3, 5 with strides 1, 2, 3, paddings 0-2, dilation 2, rectangular stride': slow(async ({ gpu, random }) => {
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [5, 4, 2, 2], stride: 2 });
    for (let index = 0; index < GENERAL.length; index++) {
      const k = KERNELS[index]!;
      await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [5, 4, k, k], ...GENERAL[index] });
    }
  }),
  'fused scale, bias and relu equal the unfused composition': slow(async ({ gpu, random }) => {
    const spec: Spec = { x: [3, 5, 7, 9], w: [5, 6, 4, 4], stride: 2, padding: 1 };
    const x = gpu.upload(randomArray(random, numelOf(spec.x)), spec.x);
    const w = gpu.upload(randomArray(random, numelOf(spec.w)), spec.w);
    const scaleData = randomArray(random, 6, { low: 0.5, high: 2 });
    const shiftData = randomArray(random, 6);
    const fused = convTranspose2d(gpu, x, w, { ...spec, scale: gpu.upload(scaleData), bias: gpu.upload(shiftData), activation: 'relu', out: poisoned(gpu, outShape(spec)) });
    const plain = convTranspose2d(gpu, x, w, spec);
    const unfused = unary(gpu, 'relu', binary(gpu, 'add', binary(gpu, 'mul', plain, gpu.upload(scaleData, [6, 1, 1])), gpu.upload(shiftData, [6, 1, 1])));
    assertClose(await gpu.read(fused), await gpu.read(unfused), 'forward', 'fused convTranspose2d');
  }),
  'dx, dw, db against finite differences (4x4 stride 2 padding 1; 3x3 stride 2 dilation 2)': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      await checkFiniteDifferences(gpu, random, { x: [2, 3, 3, 4], w: [3, 2, 4, 4], stride: 2, padding: 1 });
      await checkFiniteDifferences(gpu, random, { x: [1, 2, 3, 3], w: [2, 3, 3, 3], stride: 2, padding: 1, dilation: 2 });
    },
  },
  'dx and dw against the reference: Linknet and general geometries': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [5, 4, 4, 4], stride: 2, padding: 1 });
      for (let index = 0; index < GENERAL.length; index++) {
        const k = KERNELS[index]!;
        await checkBackward(gpu, random, { x: [3, 5, 7, 9], w: [5, 4, k, k], ...GENERAL[index] });
      }
    },
  },
  'dw over N·H·W >= 20000': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random, adapter }) => {
      const size = adapter.includes('swiftshader') ? 48 : 72;
      await checkBackward(gpu, random, { x: [adapter.includes('swiftshader') ? 9 : 4, 2, size, size], w: [2, 3, 4, 4], stride: 2, padding: 1 }, { input: false, weight: true });
    },
  },
  'rejects channel mismatch, wrong dy, empty output, bad bias': slow(async ({ gpu }) => {
    const tensor = (shape: number[]) => gpu.upload(new Float32Array(numelOf(shape)).fill(1), shape);
    const x = tensor([3, 5, 7, 9]);
    await expectError(() => convTranspose2d(gpu, x, tensor([4, 4, 4, 4]), { stride: 2, padding: 1 }), ['convTranspose2d', 'channel mismatch', '[3, 5, 7, 9]', '[4, 4, 4, 4]']);
    await expectError(() => convTranspose2d(gpu, tensor([1, 5, 1, 1]), tensor([5, 4, 2, 2]), { padding: 1 }), ['convTranspose2d', 'empty']);
    await expectError(() => convTranspose2d(gpu, x, tensor([5, 4, 4, 4]), { stride: 2, padding: 1, bias: tensor([5]) }), ['convTranspose2d', 'bias', '[5]', '[4]']);
    await expectError(
      () => convTranspose2dBackwardInput(gpu, tensor([3, 4, 14, 17]), tensor([5, 4, 4, 4]), [3, 5, 7, 9], { stride: 2, padding: 1 }),
      ['convTranspose2dBackwardInput', 'dy', '[3, 4, 14, 17]', '[3, 4, 14, 18]'],
    );
    await expectError(() => convTranspose2dBackwardWeight(gpu, x, tensor([3, 4, 14, 18]), [5, 4, 4], { stride: 2, padding: 1 }), ['convTranspose2dBackwardWeight', '[5, 4, 4]']);
  }),
});
