/** Transposed convolution: Linknet-B6 decoder block 4 (4x4 stride 2 pad 1, 14 channels, 128x128 → 256x256, batch 8). */
import type { Benchmark } from '../definition.js';
import { tenMostExpensive } from './b6-layers.js';
import { convolutionRows } from './convolution.js';

export const convTranspose2dBenchmarks: Benchmark[] = tenMostExpensive()
  .filter((layer) => layer.kind === 'transposed')
  .flatMap((layer) => convolutionRows(layer));
