/** Reductions over the planes of the largest B6 activation: per-(image, channel) sums and batch-norm statistics. */
import { reduce } from '@ulseg/kernels';
import { f32, numel, type Benchmark } from '../definition.js';

const SHAPE = [8, 192, 128, 128];
const NHWC = [8, 128, 128, 192];
const COUNT = numel(SHAPE);

function row(name: string, op: 'sum' | 'mean', axes: number[], nhwcAxes: number[], outShape: number[], note: string): Benchmark {
  return {
    name,
    family: 'reduce',
    pass: 'forward',
    shape: { N: 8, C: 192, H: 128, W: 128 },
    flops: COUNT,
    bytes: f32(COUNT + numel(outShape)),
    metric: 'gbs',
    requires: [],
    note,
    setup({ gpu, random }) {
      const x = random(SHAPE);
      const out = gpu.empty(outShape, `${op} out`);
      return { run: () => void reduce(gpu, op, x, { axes, out }), dispose: () => [x, out].forEach((tensor) => gpu.release(tensor)) };
    },
    peer: {
      note: `tfjs ${op} over NHWC axes [${nhwcAxes.join(', ')}]`,
      setup(tf) {
        const x = tf.randomUniform(NHWC, -1, 1);
        return { run: () => (op === 'sum' ? tf.sum(x, nhwcAxes) : tf.mean(x, nhwcAxes)), dispose: () => x.dispose() };
      },
    },
  };
}

export const reduceBenchmarks: Benchmark[] = [
  row('sum over H,W 8x192x128x128', 'sum', [2, 3], [1, 2], [8, 192], 'per image and channel (squeeze-excitation pooling)'),
  row('mean over N,H,W 8x192x128x128', 'mean', [0, 2, 3], [0, 1, 2], [192], 'per channel (batch-norm statistics)'),
];
