/**
 * k × k median filters (odd k ≤ 31, replicate border, centred windows) on [N, C, H, W] planes, exact:
 * - binary masks {0, 255} (`binary: true`): the median is 255 iff at least (k² + 1)/2 window pixels are foreground
 *   (v ≥ 128); the counts are two separable box-sum passes, O(k) per pixel;
 * - 8-bit images (values 0..255): Huang's running histogram per column strip (median.wgsl.ts), O(k) per pixel.
 * edgeMedianFilter (ORIGINAL.md §7): inside the band where the k × k dilation ≠ erosion the median, elsewhere x;
 * medians are only searched in the band. Outside the band the window is constant, so the result equals the plain
 * median for any input: the band saves work only.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { formatShape, type GpuTensor } from '../../runtime/tensor.js';
import { MEDIAN_PARAMS, MEDIAN_WGSL } from './median.wgsl.js';
import { checkWindow, differ, dilate, erode, MASK_MODE, maskColumns, WINDOW_OP, windowOutput, windowPass } from './morphology.js';

export interface MedianOptions {
  /** The input is a binary mask {0, 255} (foreground: v ≥ 128): the fast counting path. Default false. */
  binary?: boolean;
  out?: GpuTensor;
}

const WORKGROUP_SIZE = 64;
/** Rows per invocation of the histogram kernel: the first window's k² adds are shared by ROWS outputs. */
const ROWS = 32;

function histogramMedian(gpu: Gpu, name: string, x: GpuTensor, k: number, edge: boolean, out?: GpuTensor): GpuTensor {
  const [planes, h, w] = checkWindow(name, x, k);
  const y = windowOutput(gpu, name, x, out);
  const maxGroups = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (planes > maxGroups) {
    throw new KernelArgumentError(`${name}: ${planes} planes (N·C of ${formatShape(x.shape)}) exceed maxComputeWorkgroupsPerDimension (${maxGroups}); split the batch`);
  }
  gpu.dispatch({
    kernel: { name, code: MEDIAN_WGSL, constants: { WORKGROUP_SIZE, ROWS, EDGE: edge } },
    uniforms: MEDIAN_PARAMS.write({ height: h, width: w, radius: (k - 1) / 2 }),
    tensors: [x, y],
    workgroups: [Math.ceil(w / WORKGROUP_SIZE), Math.ceil(h / ROWS), planes],
  });
  return y;
}

function countingMedian(gpu: Gpu, name: string, mode: number, x: GpuTensor, k: number, out?: GpuTensor): GpuTensor {
  checkWindow(name, x, k);
  const y = windowOutput(gpu, name, x, out);
  const counts = gpu.empty(x.shape, `${name} row counts`);
  windowPass(gpu, name, 'rows', WINDOW_OP.count, x, counts, k);
  maskColumns(gpu, name, mode, counts, x, y, k);
  gpu.release(counts);
  return y;
}

/** y = k × k median of x (scipy.ndimage.median_filter(x, size=k, mode='nearest')). */
export function medianFilter(gpu: Gpu, x: GpuTensor, k: number, options: MedianOptions = {}): GpuTensor {
  return options.binary
    ? countingMedian(gpu, 'median.binary', MASK_MODE.median, x, k, options.out)
    : histogramMedian(gpu, 'median', x, k, false, options.out);
}

/** y = where(dilation_k(x) ≠ erosion_k(x), median_k(x), x): the edge median filter, medians only in the band. */
export function edgeMedianFilter(gpu: Gpu, x: GpuTensor, k: number, options: MedianOptions = {}): GpuTensor {
  return options.binary
    ? countingMedian(gpu, 'median.edge_binary', MASK_MODE.edgeMedian, x, k, options.out)
    : histogramMedian(gpu, 'median.edge', x, k, true, options.out);
}

/** y = 255 where the k × k dilation and erosion of x differ (the edge band), else 0. */
export function edgeBand(gpu: Gpu, x: GpuTensor, k: number, options: MedianOptions = {}): GpuTensor {
  if (options.binary) return countingMedian(gpu, 'median.band_binary', MASK_MODE.band, x, k, options.out);
  const name = 'median.band';
  checkWindow(name, x, k);
  const y = windowOutput(gpu, name, x, options.out);
  const high = dilate(gpu, x, k);
  const low = erode(gpu, x, k);
  differ(gpu, name, high, low, y);
  gpu.release(high);
  gpu.release(low);
  return y;
}
