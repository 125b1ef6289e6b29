/**
 * Reductions over the planes of the largest B6 activation: per-(image, channel) sums and batch-norm statistics, in
 * the adapter's layout (the lane plane kernel on the CPU adapters) and in the strided workgroup-tree one; and
 * the sum of 4 split-K partial products of a weight gradient (Linknet-B0 64² b4's largest, 1152 x 192) in the
 * leading-axis layout and in the previous strided one.
 */
import { reduce, type ReduceLayout } from '@ulseg/kernels';
import { f32, numel, type Benchmark } from '../definition.js';

const SHAPE = [8, 192, 128, 128];
const NHWC = [8, 128, 128, 192];
const COUNT = numel(SHAPE);

/** `strided`: the general workgroup-tree kernels (the previous CPU path, the GPU one), for comparison in the same run. */
function row(name: string, op: 'sum' | 'mean', axes: number[], nhwcAxes: number[], outShape: number[], note: string, layout?: 'strided'): Benchmark {
  return {
    name: `${name}${layout ? ' strided layout' : ''}`,
    family: 'reduce',
    pass: 'forward',
    shape: { N: 8, C: 192, H: 128, W: 128 },
    flops: COUNT,
    bytes: f32(COUNT + numel(outShape)),
    metric: 'gbs',
    requires: [],
    note: layout ? 'the workgroup-tree kernels (the previous CPU path, the GPU one), for comparison in the same run' : note,
    setup({ gpu, random }) {
      const x = random(SHAPE);
      const out = gpu.empty(outShape, `${op} out`);
      return { run: () => void reduce(gpu, op, x, { axes, out, layout }), dispose: () => [x, out].forEach((tensor) => gpu.release(tensor)) };
    },
    ...(layout
      ? {}
      : {
          peer: {
            note: `tfjs ${op} over NHWC axes [${nhwcAxes.join(', ')}]`,
            setup(tf) {
              const x = tf.randomUniform(NHWC, -1, 1);
              return { run: () => (op === 'sum' ? tf.sum(x, nhwcAxes) : tf.mean(x, nhwcAxes)), dispose: () => x.dispose() };
            },
          },
        }),
  };
}



const PARTIALS = [4, 1152 * 192];

function partialsRow(layout: 'auto' | 'strided'): Benchmark {
  const count = numel(PARTIALS);
  return {
    name: `sum over splits ${PARTIALS.join('x')}${layout === 'strided' ? ' strided layout' : ''}`,
    family: 'reduce',
    pass: 'forward',
    shape: { splits: PARTIALS[0]!, outputs: PARTIALS[1]! },
    flops: count,
    bytes: f32(count + PARTIALS[1]!),
    metric: 'gbs',
    requires: [],
    note:
      layout === 'strided'
        ? 'the previous kernel (one lane per output, a scalar load per element), for comparison in the same run'
        : 'split-K partial products of a weight gradient summed over the leading axis (vec4 of outputs a lane)',
    setup({ gpu, random }) {
      const x = random(PARTIALS);
      const out = gpu.empty([PARTIALS[1]!], 'partials sum');
      const options: { axes: number[]; out: typeof out; layout: ReduceLayout } = { axes: [0], out, layout };
      return { run: () => void reduce(gpu, 'sum', x, options), dispose: () => [x, out].forEach((tensor) => gpu.release(tensor)) };
    },
    ...(layout === 'strided'
      ? {}
      : {
          peer: {
            note: 'tfjs sum over axis 0',
            setup(tf) {
              const x = tf.randomUniform(PARTIALS, -1, 1);
              return { run: () => tf.sum(x, 0), dispose: () => x.dispose() };
            },
          },
        }),
  };
}

export const reduceBenchmarks: Benchmark[] = [
  row('sum over H,W 8x192x128x128', 'sum', [2, 3], [1, 2], [8, 192], 'per image and channel (squeeze-excitation pooling)'),
  row('sum over H,W 8x192x128x128', 'sum', [2, 3], [1, 2], [8, 192], '', 'strided'),
  row('mean over N,H,W 8x192x128x128', 'mean', [0, 2, 3], [0, 1, 2], [192], 'per channel (batch-norm statistics)'),
  row('mean over N,H,W 8x192x128x128', 'mean', [0, 2, 3], [0, 1, 2], [192], '', 'strided'),
  partialsRow('auto'),
  partialsRow('strided'),
];
