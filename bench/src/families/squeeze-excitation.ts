/**
 * Squeeze-and-excitation at inference (eval) on two Linknet-B6 shapes at batch 8, fused (pool, one-dispatch MLP,
 * scale) and composed (pool, 1x1 conv + bias, silu, 1x1 conv + bias, sigmoid, scale: what the tape runs). Both rows
 * against the same tfjs composition; the fused/composed ratio is the case for the fused kernel. Memory-bound: x read
 * twice (pool, scale) and y written once.
 */
import { squeezeExcitation, squeezeExcitationComposed, type SqueezeExcitationWeights } from '@ulseg/kernels';
import { f32, numel, type Benchmark } from '../definition.js';

type Variant = 'fused' | 'composed';

function row(variant: Variant, N: number, C: number, H: number, W: number, R: number, note: string): Benchmark {
  const shape = [N, C, H, W];
  const count = numel(shape);
  return {
    name: `squeeze-excitation ${variant} ${N}x${C}x${H}x${W} R${R}`,
    family: 'squeeze-excitation',
    pass: 'forward',
    shape: { N, C, H, W, R },
    // pool (1 per element), scale (1 per element), two matrix-vector products per image (2 flops per MAC)
    flops: 2 * count + N * 4 * C * R,
    bytes: f32(3 * count + 2 * C * R),
    metric: 'gbs',
    requires: [],
    note,
    setup({ gpu, random }) {
      const x = random(shape);
      const weights: SqueezeExcitationWeights = {
        reduceWeight: random([R, C, 1, 1], -1 / Math.sqrt(C), 1 / Math.sqrt(C)),
        reduceBias: random([R], -0.1, 0.1),
        expandWeight: random([C, R, 1, 1], -1 / Math.sqrt(R), 1 / Math.sqrt(R)),
        expandBias: random([C], -0.1, 0.1),
      };
      const y = gpu.empty(shape, 'se out');
      const run = variant === 'fused' ? squeezeExcitation : squeezeExcitationComposed;
      return {
        run: () => void run(gpu, x, weights, y),
        dispose: () => [x, y, ...Object.values(weights)].forEach((tensor) => gpu.release(tensor)),
      };
    },
    peer: {
      note: 'tfjs NHWC composition: mean over H,W, matMul + bias, x·sigmoid(x), matMul + bias, sigmoid, broadcast mul',
      setup(tf) {
        const x = tf.randomUniform([N, H, W, C], -1, 1);
        const w1 = tf.randomUniform([C, R], -1 / Math.sqrt(C), 1 / Math.sqrt(C));
        const b1 = tf.randomUniform([R], -0.1, 0.1);
        const w2 = tf.randomUniform([R, C], -1 / Math.sqrt(R), 1 / Math.sqrt(R));
        const b2 = tf.randomUniform([C], -0.1, 0.1);
        return {
          run: () =>
            tf.tidy(() => {
              const pooled = tf.mean(x, [1, 2]);
              const linear = tf.add(tf.matMul(pooled, w1), b1);
              const hidden = tf.mul(linear, tf.sigmoid(linear));
              const gate = tf.sigmoid(tf.add(tf.matMul(hidden, w2), b2));
              return tf.mul(x, tf.reshape(gate, [N, 1, 1, C]));
            }),
          dispose: () => tf.dispose([x, w1, b1, w2, b2]),
        };
      },
    },
  };
}

export const squeezeExcitationBenchmarks: Benchmark[] = (['fused', 'composed'] as const).flatMap((variant) => [
  row(variant, 8, 192, 128, 128, 8, 'Linknet-B6 block 3 (largest activation)'),
  row(variant, 8, 2064, 8, 8, 86, 'Linknet-B6 blocks 32-42 (deep, small planes)'),
]);
