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

/** relu over the activation; `'scalar'` times the previous one-element-a-lane kernel (no peer: the tfjs row is once). */
function reluRow(layout: 'auto' | 'scalar'): Benchmark {
  return {
    name: layout === 'scalar' ? 'relu 8x192x128x128 scalar layout' : 'relu 8x192x128x128',
    family: 'elementwise',
    pass: 'forward',
    shape: { N: 8, C: 192, H: 128, W: 128 },
    flops: COUNT,
    bytes: f32(2 * COUNT),
    metric: 'gbs',
    requires: [],
    ...(layout === 'scalar' ? { note: SCALAR_NOTE } : {}),
    setup({ gpu, random }) {
      const x = random(SHAPE);
      const y = gpu.empty(SHAPE, 'relu out');
      return { run: () => void unary(gpu, 'relu', x, y, layout), dispose: () => [x, y].forEach((tensor) => gpu.release(tensor)) };
    },
    ...(layout === 'scalar'
      ? {}
      : {
          peer: {
            note: 'tfjs relu (NHWC)',
            setup(tf) {
              const x = tf.randomUniform(NHWC, -1, 1);
              return { run: () => tf.relu(x), dispose: () => x.dispose() };
            },
          },
        }),
  };
}

/** a + b of two activations; `'scalar'` as for relu. */
function addRow(layout: 'auto' | 'scalar'): Benchmark {
  return {
    name: layout === 'scalar' ? 'add 8x192x128x128 scalar layout' : 'add 8x192x128x128',
    family: 'elementwise',
    pass: 'forward',
    shape: { N: 8, C: 192, H: 128, W: 128 },
    flops: COUNT,
    bytes: f32(3 * COUNT),
    metric: 'gbs',
    requires: [],
    ...(layout === 'scalar' ? { note: SCALAR_NOTE } : {}),
    setup({ gpu, random }) {
      const a = random(SHAPE);
      const b = random(SHAPE);
      const y = gpu.empty(SHAPE, 'add out');
      return { run: () => void binary(gpu, 'add', a, b, y, layout), dispose: () => [a, b, y].forEach((tensor) => gpu.release(tensor)) };
    },
    ...(layout === 'scalar'
      ? {}
      : {
          peer: {
            note: 'tfjs add (NHWC)',
            setup(tf) {
              const a = tf.randomUniform(NHWC, -1, 1);
              const b = tf.randomUniform(NHWC, -1, 1);
              return { run: () => tf.add(a, b), dispose: () => tf.dispose([a, b]) };
            },
          },
        }),
  };
}

export const elementwiseBenchmarks: Benchmark[] = [reluRow('auto'), addRow('auto'), reluRow('scalar'), addRow('scalar')];
