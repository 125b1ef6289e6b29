/**
 * Element-wise kernels on the largest activation of Linknet-B6 at batch 8 (block 3's expansion, 8x192x128x128,
 * 100 MB): memory-bound, compared with the copy bandwidth.
 */
import { binary, unary } from '@ulseg/kernels';
import { f32, numel, type Benchmark } from '../definition.js';

const SHAPE = [8, 192, 128, 128];
const NHWC = [8, 128, 128, 192];
const COUNT = numel(SHAPE);
/** The one-element-a-lane layout the vec4 kernels replaced, timed in the same run for the ratio. */
const SCALAR_NOTE = 'scalar layout (one element a lane), the previous kernel, for comparison in the same run';

export const elementwiseBenchmarks: Benchmark[] = [
  {
    name: 'relu 8x192x128x128',
    family: 'elementwise',
    pass: 'forward',
    shape: { N: 8, C: 192, H: 128, W: 128 },
    flops: COUNT,
    bytes: f32(2 * COUNT),
    metric: 'gbs',
    requires: [],
    setup({ gpu, random }) {
      const x = random(SHAPE);
      const y = gpu.empty(SHAPE, 'relu out');
      return { run: () => void unary(gpu, 'relu', x, y), dispose: () => [x, y].forEach((tensor) => gpu.release(tensor)) };
    },
    peer: {
      note: 'tfjs relu (NHWC)',
      setup(tf) {
        const x = tf.randomUniform(NHWC, -1, 1);
        return { run: () => tf.relu(x), dispose: () => x.dispose() };
      },
    },
  },
  {
    name: 'add 8x192x128x128',
    family: 'elementwise',
    pass: 'forward',
    shape: { N: 8, C: 192, H: 128, W: 128 },
    flops: COUNT,
    bytes: f32(3 * COUNT),
    metric: 'gbs',
    requires: [],
    setup({ gpu, random }) {
      const a = random(SHAPE);
      const b = random(SHAPE);
      const y = gpu.empty(SHAPE, 'add out');
      return { run: () => void binary(gpu, 'add', a, b, y), dispose: () => [a, b, y].forEach((tensor) => gpu.release(tensor)) };
    },
    peer: {
      note: 'tfjs add (NHWC)',
      setup(tf) {
        const a = tf.randomUniform(NHWC, -1, 1);
        const b = tf.randomUniform(NHWC, -1, 1);
        return { run: () => tf.add(a, b), dispose: () => tf.dispose([a, b]) };
      },
    },
  },
  {
    name: 'relu 8x192x128x128 scalar layout',
    family: 'elementwise',
    pass: 'forward',
    shape: { N: 8, C: 192, H: 128, W: 128 },
    flops: COUNT,
    bytes: f32(2 * COUNT),
    metric: 'gbs',
    requires: [],
    note: SCALAR_NOTE,
    setup({ gpu, random }) {
      const x = random(SHAPE);
      const y = gpu.empty(SHAPE, 'relu out');
      return { run: () => void unary(gpu, 'relu', x, y, 'scalar'), dispose: () => [x, y].forEach((tensor) => gpu.release(tensor)) };
    },
  },
  {
    name: 'add 8x192x128x128 scalar layout',
    family: 'elementwise',
    pass: 'forward',
    shape: { N: 8, C: 192, H: 128, W: 128 },
    flops: COUNT,
    bytes: f32(3 * COUNT),
    metric: 'gbs',
    requires: [],
    note: SCALAR_NOTE,
    setup({ gpu, random }) {
      const a = random(SHAPE);
      const b = random(SHAPE);
      const y = gpu.empty(SHAPE, 'add out');
      return { run: () => void binary(gpu, 'add', a, b, y, 'scalar'), dispose: () => [a, b, y].forEach((tensor) => gpu.release(tensor)) };
    },
  },
];
