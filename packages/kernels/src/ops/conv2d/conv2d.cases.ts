import { assertClose, defineCases, expectError, poisoned, randomArray } from '../../testing/index.js';
import type { CaseBody } from '../../testing/cases.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { binary } from '../binary/binary.js';
import { unary } from '../unary/unary.js';
import type { Activation } from '../gemm/tiles.js';
import { conv2d, type Conv2dForwardOptions } from './conv2d.js';
import { convGeometry, outputShape, type Conv2dOptions, type Padding } from './conv2d-geometry.js';
import { conv2dReference } from './conv2d.reference.js';

/** Cold pipeline compiles (lavapipe without its shader cache, SwiftShader) take seconds each on a shared CPU. */
const COLD_COMPILE_MS = 300_000;
const slow = (run: CaseBody): { timeoutMs: number; run: CaseBody } => ({ timeoutMs: COLD_COMPILE_MS, run });

export const numelOf = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);

/** The pad combinations every convolution is tested with, as [left, right, top, bottom]. */
export const PADS: readonly Padding[] = [
  [0, 0, 0, 0],
  [1, 1, 1, 1],
  [0, 1, 0, 1],
  [1, 2, 1, 2],
  [2, 2, 2, 2],
];

export interface ForwardSpec extends Conv2dOptions {
  x: number[];
  w: number[];
  bias?: boolean;
  scale?: boolean;
  activation?: Activation;
  general?: boolean;
}

export async function checkForward(gpu: Gpu, random: Random, spec: ForwardSpec): Promise<void> {
  const x = randomArray(random, numelOf(spec.x));
  const w = randomArray(random, numelOf(spec.w));
  const g = convGeometry('test', spec.x, spec.w, spec);
  const bias = spec.bias ? randomArray(random, g.Cout) : undefined;
  const scale = spec.scale ? randomArray(random, g.Cout, { low: 0.5, high: 2 }) : undefined;
  const options: Conv2dForwardOptions = { ...spec, bias: undefined, scale: undefined, out: poisoned(gpu, outputShape(g)) };
  if (bias) options.bias = gpu.upload(bias);
  if (scale) options.scale = gpu.upload(scale);
  const y = conv2d(gpu, gpu.upload(x, spec.x), gpu.upload(w, spec.w), options);
  const expected = conv2dReference(x, spec.x, w, spec.w, { ...spec, bias, scale });
  assertClose(await gpu.read(y), expected.data, 'forward', `conv2d ${JSON.stringify({ ...spec, bias: !!bias, scale: !!scale })}`);
}

/** Fused conv + per-channel affine + activation against the unfused composition conv2d → mul → add → act. */
async function checkFused(gpu: Gpu, random: Random, spec: ForwardSpec & { activation: 'relu' | 'silu' }): Promise<void> {
  const g = convGeometry('test', spec.x, spec.w, spec);
  const x = gpu.upload(randomArray(random, numelOf(spec.x)), spec.x);
  const w = gpu.upload(randomArray(random, numelOf(spec.w)), spec.w);
  const scaleData = randomArray(random, g.Cout, { low: 0.5, high: 2 });
  const shiftData = randomArray(random, g.Cout);
  const scale = gpu.upload(scaleData);
  const shift = gpu.upload(shiftData);
  const fused = conv2d(gpu, x, w, { ...spec, scale, bias: shift, out: poisoned(gpu, outputShape(g)) });
  const plain = conv2d(gpu, x, w, { ...spec, bias: undefined, scale: undefined, activation: undefined });
  const scaled = binary(gpu, 'mul', plain, gpu.upload(scaleData, [g.Cout, 1, 1]));
  const shifted = binary(gpu, 'add', scaled, gpu.upload(shiftData, [g.Cout, 1, 1]));
  const unfused = unary(gpu, spec.activation, shifted);
  assertClose(await gpu.read(fused), await gpu.read(unfused), 'forward', `fused conv2d ${JSON.stringify(spec)}`);
}

const swift = (adapter: string): boolean => adapter.includes('swiftshader');

export const conv2dCases = defineCases('conv2d', {
  '3x3 on [3, 5, 7, 9] → 4 channels, pads (0,0,0,0) (1,1,1,1) (0,1,0,1) (1,2,1,2) (2,2,2,2), stride 1 and 2': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const padding of PADS) {
        for (const stride of [1, 2]) await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 3, 3], padding, stride, bias: true });
      }
    },
  },
  '5x5 stride 2 pads (1,2,1,2), dilation 2, rectangular kernel and stride': slow(async ({ gpu, random }) => {
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 5, 5], padding: [1, 2, 1, 2], stride: 2 });
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 3, 3], padding: [2, 2, 2, 2], dilation: 2 });
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [4, 5, 3, 3], padding: 1, dilation: [2, 1], stride: [1, 2] });
    await checkForward(gpu, random, { x: [2, 3, 8, 6], w: [5, 3, 1, 3], padding: [1, 0], stride: [2, 1] });
  }),
  "dilated shapes of the original's other networks: ASPP depthwise 3x3 dilation 12/24/36 on 4x6, dilated ResNet 3x3 d2 p2, EfficientNet depthwise 5x5 d2 p4 and 3x3 d2 p2": slow(
    async ({ gpu, random }) => {
      for (const dilation of [12, 24, 36]) {
        await checkForward(gpu, random, { x: [2, 5, 4, 6], w: [5, 1, 3, 3], groups: 5, padding: dilation, dilation });
      }
      await checkForward(gpu, random, { x: [2, 6, 5, 7], w: [5, 6, 3, 3], padding: 2, dilation: 2 });
      await checkForward(gpu, random, { x: [2, 6, 4, 6], w: [5, 6, 3, 3], padding: 2, dilation: 2, bias: true });
      await checkForward(gpu, random, { x: [2, 6, 5, 7], w: [6, 1, 5, 5], groups: 6, padding: 4, dilation: 2 });
      await checkForward(gpu, random, { x: [2, 6, 4, 6], w: [6, 1, 3, 3], groups: 6, padding: 2, dilation: 2 });
    },
  ),
  'groups: depthwise (groups = C) and 1 < groups < C, with channel multipliers': slow(async ({ gpu, random }) => {
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [5, 1, 3, 3], groups: 5, padding: 1, general: true });
    await checkForward(gpu, random, { x: [3, 6, 7, 9], w: [9, 2, 3, 3], groups: 3, padding: [0, 1, 0, 1], stride: 2, bias: true });
    await checkForward(gpu, random, { x: [2, 4, 7, 9], w: [8, 2, 3, 3], groups: 2, padding: [1, 2, 1, 2], stride: 2 });
    await checkForward(gpu, random, { x: [2, 4, 7, 9], w: [8, 1, 3, 3], groups: 4, padding: 1 });
  }),
  '1x1: gemm route (with bias, scale, activation) and the implicit-GEMM kernel, stride 2': slow(async ({ gpu, random }) => {
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [11, 5, 1, 1] });
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [11, 5, 1, 1], bias: true, scale: true, activation: 'silu' });
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [11, 5, 1, 1], general: true, bias: true });
    await checkForward(gpu, random, { x: [3, 5, 7, 9], w: [11, 5, 1, 1], stride: 2 });
    // one pixel per image (squeeze-excitation): the batch becomes the gemm's rows
    await checkForward(gpu, random, { x: [6, 20, 1, 1], w: [5, 20, 1, 1], bias: true, activation: 'sigmoid' });
    await checkForward(gpu, random, { x: [6, 5, 1, 1], w: [20, 5, 1, 1], bias: true, scale: true, activation: 'silu' });
  }),
  'full tiles with edges: [2, 19, 17, 17] → 70 channels, 3x3 pad 1': slow(async ({ gpu, random, adapter }) => {
    const C = swift(adapter) ? 9 : 19;
    await checkForward(gpu, random, { x: [2, C, 17, 17], w: [70, C, 3, 3], padding: 1, bias: true });
  }),
  'fused conv + folded batch norm + relu / silu equals the unfused composition': slow(async ({ gpu, random }) => {
    await checkFused(gpu, random, { x: [3, 5, 7, 9], w: [6, 5, 3, 3], padding: [0, 1, 0, 1], stride: 2, activation: 'silu' });
    await checkFused(gpu, random, { x: [3, 5, 7, 9], w: [6, 5, 1, 1], activation: 'relu' });
    await checkFused(gpu, random, { x: [3, 6, 7, 9], w: [6, 1, 5, 5], groups: 6, padding: [1, 2, 1, 2], stride: 2, activation: 'silu' });
    await checkFused(gpu, random, { x: [3, 6, 7, 9], w: [6, 1, 3, 3], groups: 6, padding: 1, activation: 'relu' });
  }),
  'rejects channel mismatch, groups not dividing C, wrong weight rank, empty output, bad bias and output': slow(async ({ gpu }) => {
    const x = gpu.upload(new Float32Array(3 * 5 * 7 * 9).fill(1), [3, 5, 7, 9]);
    const w = (shape: number[]) => gpu.upload(new Float32Array(numelOf(shape)).fill(1), shape);
    await expectError(() => conv2d(gpu, x, w([4, 4, 3, 3])), ['conv2d', 'channel mismatch', '[3, 5, 7, 9]', '[4, 4, 3, 3]']);
    await expectError(() => conv2d(gpu, x, w([4, 2, 3, 3]), { groups: 2 }), ['conv2d', 'groups = 2', 'must divide', '[3, 5, 7, 9]']);
    await expectError(() => conv2d(gpu, x, w([4, 5, 3])), ['conv2d', '[Cout, C / groups, KH, KW]', '[4, 5, 3]']);
    await expectError(() => conv2d(gpu, x, w([4, 5, 9, 9])), ['conv2d', 'empty', '[4, 5, 9, 9]']);
    await expectError(() => conv2d(gpu, x, w([4, 5, 3, 3]), { bias: w([5]) }), ['conv2d', 'bias', '[5]', '[4]']);
    await expectError(() => conv2d(gpu, x, w([4, 5, 3, 3]), { out: gpu.empty([3, 4, 7, 9]) }), ['conv2d', 'output', '[3, 4, 7, 9]', '[3, 4, 5, 7]']);
    await expectError(() => conv2d(gpu, x, w([4, 5, 3, 3]), { padding: [1, 2, 3] as unknown as Padding }), ['conv2d', 'padding']);
    await expectError(() => conv2d(gpu, x, w([4, 5, 3, 3]), { stride: 0 }), ['conv2d', 'stride']);
  }),
});
