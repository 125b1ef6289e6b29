import { assertClose, defineCases, expectError, numericalGradient, poisoned, randomArray, weightedSum } from '../../testing/index.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { Random } from '../../testing/random.js';
import { concatShape } from '../concat/concat.js';
import { convGeometry, outputShape, type Conv2dOptions } from '../conv2d/conv2d-geometry.js';
import { conv2dConcat, conv2dConcatBackwardInput, conv2dConcatBackwardWeight } from './conv2d-concat.js';
import {
  conv2dConcatBackwardInputReference,
  conv2dConcatBackwardWeightReference,
  conv2dConcatReference,
} from './conv2d-concat.reference.js';

const numel = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);
/** Cold pipeline compiles take seconds each on a shared CPU. */
const COLD_COMPILE_MS = 300_000;

interface Spec extends Conv2dOptions {
  a: number[];
  b: number[];
  w: number[];
  splits?: number;
}

/**
 * The decoder shapes at odd sizes: Unet's 3x3 pad 1 after cat(upsampled, skip), DeepLabV3+'s and PSPNet's 1x1, and
 * strides, dilation, asymmetric pads and a one-channel part on either side.
 */
const SPECS: Spec[] = [
  { a: [2, 5, 7, 9], b: [2, 3, 7, 9], w: [4, 8, 3, 3], padding: 1 },
  { a: [3, 1, 5, 6], b: [3, 6, 5, 6], w: [5, 7, 1, 1] },
  { a: [2, 4, 6, 7], b: [2, 1, 6, 7], w: [3, 5, 3, 3], stride: 2, padding: [0, 1, 0, 1] },
  { a: [1, 3, 7, 5], b: [1, 2, 7, 5], w: [6, 5, 3, 3], dilation: 2, padding: 2 },
  { a: [2, 2, 6, 5], b: [2, 3, 6, 5], w: [3, 5, 5, 5], stride: 2, padding: [1, 2, 1, 2] },
];

const label = (spec: Spec): string => JSON.stringify(spec);

async function checkAgainstReference(gpu: Gpu, random: Random, spec: Spec): Promise<void> {
  const shapes = [spec.a, spec.b] as const;
  const yShape = outputShape(convGeometry('test', concatShape('test', shapes, 1), spec.w, spec));
  const cout = spec.w[0]!;
  const a = randomArray(random, numel(spec.a));
  const b = randomArray(random, numel(spec.b));
  const w = randomArray(random, numel(spec.w));
  const scale = randomArray(random, cout);
  const bias = randomArray(random, cout);
  const dy = randomArray(random, numel(yShape));
  const parts = [gpu.upload(a, spec.a), gpu.upload(b, spec.b)] as const;
  const wTensor = gpu.upload(w, spec.w);
  const y = conv2dConcat(gpu, parts, wTensor, { ...spec, out: poisoned(gpu, yShape) });
  assertClose(await gpu.read(y), conv2dConcatReference([a, b], shapes, w, spec.w, spec), 'forward', `y ${label(spec)}`);
  const epilogue = { scale: gpu.upload(scale, [cout]), bias: gpu.upload(bias, [cout]), activation: 'relu' as const };
  const fused = conv2dConcat(gpu, parts, wTensor, { ...spec, ...epilogue, out: poisoned(gpu, yShape) });
  const expected = conv2dConcatReference([a, b], shapes, w, spec.w, { ...spec, scale, bias, activation: 'relu' });
  assertClose(await gpu.read(fused), expected, 'forward', `relu(y · scale + bias) ${label(spec)}`);
  const dyTensor = gpu.upload(dy, yShape);
  const [da, db] = conv2dConcatBackwardInput(gpu, dyTensor, wTensor, shapes, { ...spec, out: [poisoned(gpu, spec.a), poisoned(gpu, spec.b)] });
  const [daExpected, dbExpected] = conv2dConcatBackwardInputReference(dy, w, shapes, spec.w, spec);
  assertClose(await gpu.read(da), daExpected, 'forward', `dxa ${label(spec)}`);
  assertClose(await gpu.read(db), dbExpected, 'forward', `dxb ${label(spec)}`);
  const dw = conv2dConcatBackwardWeight(gpu, parts, dyTensor, spec.w, { ...spec, out: poisoned(gpu, spec.w) });
  assertClose(await gpu.read(dw), conv2dConcatBackwardWeightReference([a, b], shapes, dy, spec.w, spec), 'gradient', `dw ${label(spec)}`);
}

export const conv2dConcatCases = defineCases('conv2d over a concatenation', {
  'forward (plain and with scale, bias, relu), dxa, dxb and dw against the float64 reference on odd sizes': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const spec of SPECS) await checkAgainstReference(gpu, random, spec);
    },
  },
  'dw summed over chunks of N·OH·OW (explicit split counts), and a long N·OH·OW': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      await checkAgainstReference(gpu, random, { a: [3, 2, 7, 9], b: [3, 3, 7, 9], w: [4, 5, 3, 3], padding: 1, splits: 5 });
      const spec: Spec = { a: [2, 3, 40, 41], b: [2, 2, 40, 41], w: [3, 5, 3, 3], padding: 1 };
      const shapes = [spec.a, spec.b] as const;
      const a = randomArray(random, numel(spec.a));
      const b = randomArray(random, numel(spec.b));
      const dy = randomArray(random, 2 * 3 * 40 * 41);
      const dw = conv2dConcatBackwardWeight(gpu, [gpu.upload(a, spec.a), gpu.upload(b, spec.b)], gpu.upload(dy, [2, 3, 40, 41]), spec.w, { ...spec, out: poisoned(gpu, spec.w) });
      assertClose(await gpu.read(dw), conv2dConcatBackwardWeightReference([a, b], shapes, dy, spec.w, spec), 'gradient', `dw ${label(spec)}`);
    },
  },
  'dxa, dxb and dw against float64 central differences of Σ r·conv2d(cat(xa, xb), w)': {
    timeoutMs: COLD_COMPILE_MS,
    run: async ({ gpu, random }) => {
      for (const spec of [SPECS[0]!, SPECS[2]!].map((s) => ({ ...s, a: [1, ...s.a.slice(1)], b: [1, ...s.b.slice(1)] }))) {
        const shapes = [spec.a, spec.b] as const;
        const yShape = outputShape(convGeometry('test', concatShape('test', shapes, 1), spec.w, spec));
        const a = randomArray(random, numel(spec.a));
        const b = randomArray(random, numel(spec.b));
        const w = randomArray(random, numel(spec.w));
        const r = randomArray(random, numel(yShape));
        const loss = (as: ArrayLike<number>, bs: ArrayLike<number>, ws: ArrayLike<number>): number =>
          weightedSum(conv2dConcatReference([as, bs], shapes, ws, spec.w, spec), r);
        const rTensor = gpu.upload(r, yShape);
        const wTensor = gpu.upload(w, spec.w);
        const [da, db] = conv2dConcatBackwardInput(gpu, rTensor, wTensor, shapes, { ...spec, out: [poisoned(gpu, spec.a), poisoned(gpu, spec.b)] });
        assertClose(await gpu.read(da), numericalGradient((v) => loss(v, b, w), a), 'finiteDifference', `dxa ${label(spec)}`);
        assertClose(await gpu.read(db), numericalGradient((v) => loss(a, v, w), b), 'finiteDifference', `dxb ${label(spec)}`);
        const dw = conv2dConcatBackwardWeight(gpu, [gpu.upload(a, spec.a), gpu.upload(b, spec.b)], rTensor, spec.w, { ...spec, out: poisoned(gpu, spec.w) });
        assertClose(await gpu.read(dw), numericalGradient((v) => loss(a, b, v), w), 'finiteDifference', `dw ${label(spec)}`);
      }
    },
  },
  'rejects groups, parts that differ outside the channels, a weight of the wrong width, and aliased outputs': async ({ gpu }) => {
    const tensor = (shape: number[]) => gpu.upload(new Float32Array(numel(shape)).fill(1), shape);
    const a = tensor([2, 3, 5, 5]);
    const b = tensor([2, 2, 5, 5]);
    const w = tensor([4, 5, 3, 3]);
    await expectError(() => conv2dConcat(gpu, [a, b], w, { groups: 5 }), ['conv2dConcat', 'groups = 5']);
    await expectError(() => conv2dConcat(gpu, [a, tensor([2, 2, 5, 4])], w), ['conv2dConcat', '[2, 3, 5, 5]', '[2, 2, 5, 4]']);
    await expectError(() => conv2dConcat(gpu, [a, tensor([2, 3, 5, 5])], w), ['conv2dConcat', 'channel mismatch']);
    await expectError(() => conv2dConcat(gpu, [a, b], w, { out: a }), ['conv2dConcat', 'output']);
    const dy = tensor([2, 4, 3, 3]);
    await expectError(() => conv2dConcatBackwardInput(gpu, dy, w, [a.shape, b.shape], { out: [a, { ...a, shape: b.shape }] }), ['conv2dConcatBackwardInput', 'different buffers']);
    await expectError(() => conv2dConcatBackwardWeight(gpu, [a, b], tensor([2, 4, 5, 5]), w.shape), ['conv2dConcatBackwardWeight', 'dy', '[2, 4, 5, 5]', '[2, 4, 3, 3]']);
  },
});
