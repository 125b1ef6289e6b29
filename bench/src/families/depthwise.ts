/** Depthwise convolutions: 5x5 and 3x3 over 144 channels at 64x64 (batch 1), and B6's costliest depthwise layer. */
import type { Benchmark } from '../definition.js';
import { tenMostExpensive } from './b6-layers.js';
import { convolutionRows } from './convolution.js';

export const depthwiseBenchmarks: Benchmark[] = [
  ...convolutionRows({ kind: 'depthwise', N: 1, Cin: 144, Cout: 144, H: 64, W: 64, k: 5, stride: 1, pad: 2 }),
  ...convolutionRows({ kind: 'depthwise', N: 1, Cin: 144, Cout: 144, H: 64, W: 64, k: 3, stride: 1, pad: 1 }),
  ...tenMostExpensive()
    .filter((layer) => layer.kind === 'depthwise')
    .flatMap((layer) => convolutionRows(layer)),
];
