/**
 * Batch norm in training mode, forward + backward in one row (what a training step runs per BN layer), on the
 * largest B6 activation and on a deep, small-spatial one. Memory-bound: compared with the copy bandwidth.
 * Minimum traffic: forward reads x and writes y, backward reads dy and x and writes dx (5 tensors).
 */
import { f32, numel, type Benchmark } from '../definition.js';
import { LAUNCHERS, releaseResult, type BatchNorm2d, type BatchNorm2dBackward } from './launchers.js';

const EPS = 1e-3;
const MOMENTUM = 0.01;

/** `reduction` forces one of the kernels' two reductions (default: the adapter's choice, batchNormReduction). */
function row(N: number, C: number, H: number, W: number, note: string, reduction?: 'workgroup' | 'lane'): Benchmark {
  const shape = [N, C, H, W];
  const count = numel(shape);
  return {
    name: `batchNorm2d train fwd+bwd ${N}x${C}x${H}x${W}${reduction ? ` (${reduction} reduction)` : ''}`,
    family: 'batch-norm',
    pass: 'forward+backward',
    shape: { N, C, H, W },
    // forward: sum, sum of squares, normalise + affine (≈5 per element); backward: two sums, dx (≈8 per element)
    flops: 13 * count,
    bytes: f32(5 * count + 8 * C),
    metric: 'gbs',
    requires: [LAUNCHERS.batchNorm2d, LAUNCHERS.batchNorm2dBackward],
    note,
    setup({ gpu, launcher, random }) {
      const forward = launcher<BatchNorm2d>(LAUNCHERS.batchNorm2d.name);
      const backward = launcher<BatchNorm2dBackward>(LAUNCHERS.batchNorm2dBackward.name);
      const x = random(shape);
      const dy = random(shape);
      const weight = random([C], 0.8, 1.2);
      const bias = random([C], -0.1, 0.1);
      const runningMean = random([C], -0.1, 0.1);
      const runningVar = random([C], 0.5, 1.5);
      const inputs = [x, dy, weight, bias, runningMean, runningVar];
      return {
        run() {
          const saved = forward(gpu, x, weight, bias, { training: true, runningMean, runningVar, momentum: MOMENTUM, eps: EPS, reduction });
          const grads = backward(gpu, dy, x, weight, saved, { reduction });
          releaseResult(gpu, [saved, grads], inputs);
        },
        dispose: () => inputs.forEach((tensor) => gpu.release(tensor)),
      };
    },
    peer: {
      note: 'tfjs NHWC, composed from tfjs ops (tfjs has no training BN kernel, and tfjs-core alone registers no gradients): moments, normalise, then the closed-form backward',
      setup(tf) {
        const x = tf.randomUniform([N, H, W, C], -1, 1);
        const dy = tf.randomUniform([N, H, W, C], -1, 1);
        const gamma = tf.randomUniform([C], 0.8, 1.2);
        const beta = tf.randomUniform([C], -0.1, 0.1);
        const axes = [0, 1, 2];
        const n = N * H * W;
        return {
          run: () =>
            tf.tidy(() => {
              // forward: y = x̂·γ + β with x̂ = (x − mean)·invstd
              const { mean, variance } = tf.moments(x, axes);
              const invstd = tf.rsqrt(tf.add(variance, EPS));
              const xhat = tf.mul(tf.sub(x, mean), invstd);
              const y = tf.add(tf.mul(xhat, gamma), beta);
              // backward: dβ = Σ dy, dγ = Σ dy·x̂, dx = (dy − dβ/n − x̂·dγ/n)·invstd·γ
              const dbeta = tf.sum(dy, axes);
              const dgamma = tf.sum(tf.mul(dy, xhat), axes);
              const centred = tf.sub(tf.sub(dy, tf.div(dbeta, n)), tf.mul(xhat, tf.div(dgamma, n)));
              const dx = tf.mul(centred, tf.mul(invstd, gamma));
              return [y, dx, dgamma, dbeta];
            }),
          dispose: () => tf.dispose([x, dy, gamma, beta]),
        };
      },
    },
  };
}

export const batchNormBenchmarks: Benchmark[] = [
  row(8, 192, 128, 128, 'Linknet-B6 block 3 expansion BN (largest activation)'),
  row(8, 2064, 8, 8, 'Linknet-B6 blocks 32-42 expansion BN'),
  row(1, 2064, 8, 8, 'the same at batch 1'),
  row(1, 2064, 8, 8, 'the same at batch 1, the 256-lane workgroup reduction (the GPU path)', 'workgroup'),
  row(4, 16, 64, 64, 'Linknet-B0 64² b4 decoder BN, 16384 values per channel (lane reduction on the CPU adapters)'),
  row(4, 16, 64, 64, 'the same with the 256-lane workgroup reduction (the previous CPU default at this length)', 'workgroup'),
];
