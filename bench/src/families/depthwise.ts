/**
 * Depthwise convolutions: 5x5 and 3x3 over 144 channels at 64x64 (batch 1), and B6's costliest depthwise layer. Each
 * forward also runs with 16 outputs a lane forced (the profile's choice is 8), for comparison in the same run.
 */
import { depthwiseConv2d, type GpuTensor } from '@ulseg/kernels';
import type { Benchmark } from '../definition.js';
import { tenMostExpensive } from './b6-layers.js';
import { convolutionRows, layerShapes, type ConvLayer } from './convolution.js';
import { releaseResult } from './launchers.js';

/** The layer's rows, and its forward again with `outputsPerLane: 16`. */
function depthwiseRows(layer: ConvLayer): Benchmark[] {
  const rows = convolutionRows(layer);
  const forward = rows.find((row) => row.pass === 'forward')!;
  const shapes = layerShapes(layer);
  const { peer: _peer, ...withoutPeer } = forward;
  const previous: Benchmark = {
    ...withoutPeer,
    name: `${forward.name} (16 outputs a lane)`,
    requires: [],
    note: 'depthwiseConv2d with 16 outputs of a row per lane (half the per-lane loads per FMA of 8 on lavapipe)',
    setup({ gpu, random }) {
      const x = random(shapes.x);
      const w = random(shapes.w);
      const out = gpu.empty(shapes.y, `${forward.name} out`);
      const keep: GpuTensor[] = [x, w, out];
      const options = { stride: layer.stride, padding: layer.pad, out, outputsPerLane: 16 as const };
      return {
        run: () => releaseResult(gpu, depthwiseConv2d(gpu, x, w, options), keep),
        dispose: () => keep.forEach((tensor) => gpu.release(tensor)),
      };
    },
  };
  return [...rows, previous];
}

export const depthwiseBenchmarks: Benchmark[] = [
  ...depthwiseRows({ kind: 'depthwise', N: 1, Cin: 144, Cout: 144, H: 64, W: 64, k: 5, stride: 1, pad: 2 }),
  ...depthwiseRows({ kind: 'depthwise', N: 1, Cin: 144, Cout: 144, H: 64, W: 64, k: 3, stride: 1, pad: 1 }),
  ...tenMostExpensive()
    .filter((layer) => layer.kind === 'depthwise')
    .flatMap((layer) => depthwiseRows(layer)),
];
