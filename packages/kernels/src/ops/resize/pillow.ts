/**
 * Pillow 9.4 `Image.resize(size, BICUBIC | BILINEAR)` of 8-bit planes [N, C, H, W] (values 0..255 stored as f32),
 * bit-exact: a horizontal pass into a uint8 intermediate, then a vertical pass, each with 22-bit fixed-point weights
 * computed on the CPU; a downscaled axis widens the filter by in/out (antialiasing). A pass whose axis keeps its
 * size is skipped, as in Pillow.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import { dims4, numel, type GpuTensor } from '../../runtime/tensor.js';
import { copyTensor } from '../fill/fill.js';
import { PILLOW_PARAMS, PILLOW_WGSL } from './pillow.wgsl.js';
import { pillowAccumulatorBound, pillowAxis, pillowKernelSize, pillowTable, type PillowFilter } from './resize-tables.js';
import { checkResize, outputFor, type Size2 } from './resize.js';
import { cachedTable } from './table-cache.js';

export const PILLOW_FILTERS: readonly PillowFilter[] = ['bicubic', 'bilinear'];

const WORKGROUP_SIZE = 256;

function pass(gpu: Gpu, direction: 'horizontal' | 'vertical', filter: PillowFilter, x: GpuTensor, y: GpuTensor, inSize: number, outSize: number, width: number): void {
  const name = `resize.pillow_${filter}`;
  const table = cachedTable(gpu, `pillow-${filter}:${inSize}>${outSize}`, () => {
    const axis = pillowAxis(inSize, outSize, filter);
    if (pillowAccumulatorBound(axis) >= 2 ** 31) throw new KernelArgumentError(`${name}: fixed-point sums for ${inSize} -> ${outSize} could overflow i32`);
    return [pillowTable(axis), new Float32Array(0)];
  });
  const count = numel(y.shape);
  gpu.dispatch({
    kernel: { name, code: PILLOW_WGSL, entryPoint: direction, constants: { WORKGROUP_SIZE } },
    uniforms: PILLOW_PARAMS.write({ count, in_size: inSize, out_size: outSize, ksize: pillowKernelSize(inSize, outSize, filter), width }),
    tensors: [x, table.tensor, y],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** y = Pillow resize of x to `size` = [OH, OW] with `filter`; inputs are rounded and clamped to 0..255 first. */
export function resizePillow(gpu: Gpu, x: GpuTensor, size: Size2, filter: PillowFilter, out?: GpuTensor): GpuTensor {
  if (!PILLOW_FILTERS.includes(filter)) throw new KernelArgumentError(`resize.pillow: unknown filter '${filter}'. Known: ${PILLOW_FILTERS.join(', ')}`);
  const name = `resize.pillow_${filter}`;
  const shape = checkResize(name, x, size);
  const y = outputFor(gpu, name, x, shape, out);
  const [n, c, h, w] = dims4(x.shape);
  const [outH, outW] = size;
  if (outW === w && outH === h) return copyTensor(gpu, x, y);
  if (outH === h) {
    pass(gpu, 'horizontal', filter, x, y, w, outW, outW);
    return y;
  }
  if (outW === w) {
    pass(gpu, 'vertical', filter, x, y, h, outH, w);
    return y;
  }
  const intermediate = gpu.empty([n, c, h, outW], `${name} rows`);
  pass(gpu, 'horizontal', filter, x, intermediate, w, outW, outW);
  pass(gpu, 'vertical', filter, intermediate, y, h, outH, outW);
  gpu.release(intermediate);
  return y;
}
