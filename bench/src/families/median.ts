/**
 * 19x19 median (replicate border) of a 512x512 lesion mask {0, 255}: the post-processing EMF. Three rows: the
 * binary counting path, the general 8-bit histogram path on the same mask, and the edge median filter (medians only
 * in the band where dilation and erosion differ). No tfjs equivalent. GB/s counts reading the mask once and writing
 * it once, against the copy bandwidth.
 */
import { f32, type Benchmark, type Requirement } from '../definition.js';
import { LAUNCHERS, releaseResult, type MedianFilter } from './launchers.js';

const SIZE = 512;
const KERNEL = 19;
const SHAPE = [1, 1, SIZE, SIZE];

/** A {0, 255} mask with a few elliptic lesions and salt-and-pepper noise, so windows are neither all 0 nor all 255. */
export function syntheticMask(size: number): Float32Array {
  const mask = new Float32Array(size * size);
  const blobs = [
    [0.3, 0.35, 0.12, 0.08],
    [0.62, 0.55, 0.09, 0.14],
    [0.45, 0.78, 0.05, 0.05],
  ] as const;
  let noise = 12345;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = blobs.some(([cx, cy, rx, ry]) => ((x / size - cx) / rx) ** 2 + ((y / size - cy) / ry) ** 2 <= 1);
      noise = (Math.imul(noise, 1103515245) + 12345) >>> 0;
      const flip = (noise >>> 16) % 50 === 0;
      mask[y * size + x] = inside !== flip ? 255 : 0;
    }
  }
  return mask;
}

function row(name: string, requirement: Requirement, binary: boolean, note: string): Benchmark {
  return {
    name,
    family: 'median',
    pass: 'forward',
    shape: { H: SIZE, W: SIZE, kernel: KERNEL },
    flops: 0,
    bytes: f32(2 * SIZE * SIZE),
    metric: 'gbs',
    requires: [requirement],
    note,
    setup({ gpu, launcher }) {
      const median = launcher<MedianFilter>(requirement.name);
      const mask = gpu.upload(syntheticMask(SIZE), SHAPE, 'mask');
      const out = gpu.empty(SHAPE, 'median out');
      return {
        run: () => releaseResult(gpu, median(gpu, mask, KERNEL, { binary, out }), [mask, out]),
        dispose: () => [mask, out].forEach((tensor) => gpu.release(tensor)),
      };
    },
  };
}

export const medianBenchmarks: Benchmark[] = [
  row(`median ${KERNEL}x${KERNEL} ${SIZE}x${SIZE} mask`, LAUNCHERS.medianFilter, true, 'binary mask: counting path (two box-sum passes)'),
  row(`median ${KERNEL}x${KERNEL} ${SIZE}x${SIZE} 8-bit`, LAUNCHERS.medianFilter, false, 'same mask through the 8-bit histogram path'),
  row(`edge median ${KERNEL}x${KERNEL} ${SIZE}x${SIZE} mask`, LAUNCHERS.edgeMedianFilter, true, 'EMF as post-processing runs it: medians only in the edge band'),
];
