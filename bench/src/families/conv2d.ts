/** Dense convolutions: the 3x3 64→64 at 64x64 (batch 1) and the eight costliest 1x1 layers of Linknet-B6. */
import type { Benchmark } from '../definition.js';
import { tenMostExpensive } from './b6-layers.js';
import { convolutionRows } from './convolution.js';

export const conv2dBenchmarks: Benchmark[] = [
  ...convolutionRows({ kind: 'dense', N: 1, Cin: 64, Cout: 64, H: 64, W: 64, k: 3, stride: 1, pad: 1 }),
  ...tenMostExpensive()
    .filter((layer) => layer.kind === 'dense')
    .flatMap((layer) => convolutionRows(layer)),
];
