/**
 * k × k max / min filters (grey dilation / erosion) with replicate borders on [N, C, H, W], as two separable passes
 * (rows, then columns) through a pool intermediate; exact for any float values. Also the argument checks and the
 * pass launchers shared with the median filters.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import { dims4, formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { DIFFER_WGSL, WINDOW_MASK_WGSL, WINDOW_PARAMS, WINDOW_PASS_WGSL } from './window.wgsl.js';

export const MAX_WINDOW = 31;
const WORKGROUP_SIZE = 256;

/** Pass operators of WINDOW_PASS_WGSL's OP. */
export const WINDOW_OP = { count: 0, max: 1, min: 2 } as const;
/** Outputs of mask_columns' MODE. */
export const MASK_MODE = { median: 0, edgeMedian: 1, band: 2 } as const;

/** Checks x: [N, C, H, W] (sizes ≥ 1) and an odd window 1 ≤ k ≤ 31; returns [planes, H, W]. */
export function checkWindow(name: string, x: GpuTensor, k: number): [number, number, number] {
  if (x.shape.length !== 4 || x.shape.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new KernelArgumentError(`${name}: expects x of shape [N, C, H, W] with every size >= 1, got ${formatShape(x.shape)}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > MAX_WINDOW || k % 2 === 0) {
    throw new KernelArgumentError(`${name}: window size k must be an odd integer in 1..${MAX_WINDOW}, got k = ${k} for x ${formatShape(x.shape)}`);
  }
  const [n, c, h, w] = dims4(x.shape);
  return [n * c, h, w];
}

/** The output tensor: `out` checked (same shape as x, its own buffer) or a new pool tensor. */
export function windowOutput(gpu: Gpu, name: string, x: GpuTensor, out?: GpuTensor): GpuTensor {
  const y = out ?? gpu.empty(x.shape, name);
  if (!sameShape(y.shape, x.shape)) {
    throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} differs from input ${formatShape(x.shape)}`);
  }
  if (y.buffer === x.buffer) throw new KernelArgumentError(`${name}: output must not alias the input buffer`);
  return y;
}

function uniforms(x: GpuTensor, k: number): ArrayBuffer {
  return WINDOW_PARAMS.write({ count: numel(x.shape), height: x.shape[2]!, width: x.shape[3]!, radius: (k - 1) / 2 });
}

function grid(gpu: Gpu, x: GpuTensor): [number, number] {
  return flatGrid(numel(x.shape), WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension);
}

/** One separable pass: entry 'rows' or 'columns' with operator `op`. */
export function windowPass(gpu: Gpu, name: string, entryPoint: 'rows' | 'columns', op: number, x: GpuTensor, y: GpuTensor, k: number): void {
  gpu.dispatch({
    kernel: { name, code: WINDOW_PASS_WGSL, entryPoint, constants: { WORKGROUP_SIZE, OP: op } },
    uniforms: uniforms(x, k),
    tensors: [x, y],
    workgroups: grid(gpu, x),
  });
}

/** Column pass over binary-mask row counts, writing the median, edge median or band (MASK_MODE). */
export function maskColumns(gpu: Gpu, name: string, mode: number, counts: GpuTensor, x: GpuTensor, y: GpuTensor, k: number): void {
  gpu.dispatch({
    kernel: { name, code: WINDOW_MASK_WGSL, entryPoint: 'mask_columns', constants: { WORKGROUP_SIZE, MODE: mode } },
    uniforms: uniforms(x, k),
    tensors: [counts, x, y],
    workgroups: grid(gpu, x),
  });
}

/** y = 255 where a ≠ b, else 0. */
export function differ(gpu: Gpu, name: string, a: GpuTensor, b: GpuTensor, y: GpuTensor): void {
  gpu.dispatch({
    kernel: { name, code: DIFFER_WGSL, entryPoint: 'differ', constants: { WORKGROUP_SIZE } },
    uniforms: uniforms(a, 1),
    tensors: [a, b, y],
    workgroups: grid(gpu, a),
  });
}

function separable(gpu: Gpu, name: string, op: number, x: GpuTensor, k: number, out?: GpuTensor): GpuTensor {
  checkWindow(name, x, k);
  const y = windowOutput(gpu, name, x, out);
  const rows = gpu.empty(x.shape, `${name} rows`);
  windowPass(gpu, name, 'rows', op, x, rows, k);
  windowPass(gpu, name, 'columns', op, rows, y, k);
  gpu.release(rows);
  return y;
}

/** y[p, h, w] = max of x over the k × k window centred at (h, w), replicate border (grey dilation). */
export function dilate(gpu: Gpu, x: GpuTensor, k: number, out?: GpuTensor): GpuTensor {
  return separable(gpu, 'median.dilate', WINDOW_OP.max, x, k, out);
}

/** y[p, h, w] = min of x over the k × k window centred at (h, w), replicate border (grey erosion). */
export function erode(gpu: Gpu, x: GpuTensor, k: number, out?: GpuTensor): GpuTensor {
  return separable(gpu, 'median.erode', WINDOW_OP.min, x, k, out);
}
