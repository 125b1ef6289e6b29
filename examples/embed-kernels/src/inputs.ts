/**
 * The example's input data, generated from the configuration's seed so that the page, the Node variant and the test
 * all see the same values: in an app of your own these would be your data.
 */
import { Random, randomArray } from '@ulseg/kernels/testing';
import type { ExampleConfig } from './config.js';

export interface ExampleInputs {
  /** x: [N, C, H, W], uniform in ±[0.05, 1]. */
  readonly x: Float32Array;
  /** Depthwise weight: [C, 1, K, K] (PyTorch's layout for groups = C). */
  readonly weight: Float32Array;
  /** [C] */
  readonly bias: Float32Array;
  /**
   * Grey image [N, 1, H, W] of 8-bit values (integers 0..255 stored as float32): a smooth blob under salt-and-pepper
   * noise on 15% of the pixels, which the median filter removes.
   */
  readonly image: Float32Array;
}

export function makeInputs(config: ExampleConfig): ExampleInputs {
  const [n, c, h, w] = config.shape;
  const random = new Random(config.seed);
  const x = randomArray(random, n * c * h * w);
  const weight = randomArray(random, c * config.kernel * config.kernel);
  const bias = randomArray(random, c);
  const image = new Float32Array(n * h * w);
  for (let sample = 0; sample < n; sample++) {
    const cy = random.uniform(0.3, 0.7) * h;
    const cx = random.uniform(0.3, 0.7) * w;
    const radius = random.uniform(0.2, 0.35) * Math.min(h, w);
    for (let row = 0; row < h; row++) {
      for (let column = 0; column < w; column++) {
        const distance = Math.hypot(row - cy, column - cx) / radius;
        let value = Math.round(60 + 140 * Math.exp(-distance * distance));
        const noise = random.next();
        if (noise < 0.075) value = 0;
        else if (noise < 0.15) value = 255;
        image[(sample * h + row) * w + column] = value;
      }
    }
  }
  return { x, weight, bias, image };
}
