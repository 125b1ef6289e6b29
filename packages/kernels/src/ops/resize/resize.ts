/**
 * Resizing [N, C, H, W] to [N, C, OH, OW], any size to any size:
 * - resizeBilinear: PyTorch `F.interpolate(x, size, mode='bilinear', align_corners=False|True)` (no antialias), and
 *   resizeBilinearBackward, its adjoint (the gradient of a loss with respect to x);
 * - upsampleNearest: PyTorch `F.interpolate(x, size or scale_factor, mode='nearest')`, and upsampleNearestBackward;
 * - resizeNearest: Pillow `Image.NEAREST`, for masks.
 * Per-axis index/weight tables are computed on the CPU (resize-tables.ts); the kernels only gather.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { alignedLinearAxis, gatherAxis, linearAdjointTable, linearAxis, linearForwardTable, nearestAxis, torchNearestAxis, type LinearAxis } from './resize-tables.js';
import { RESIZE_PARAMS, RESIZE_WGSL } from './resize.wgsl.js';
import { cachedTable, type DeviceTable } from './table-cache.js';

const WORKGROUP_SIZE = 256;
/** Largest axis length: keeps every table index and entry count exact in float32 (< 2^24). */
export const MAX_AXIS = 2 ** 22;

export type Size2 = readonly [height: number, width: number];

const kernel = (entryPoint: string): KernelSource => ({ name: `resize.${entryPoint}`, code: RESIZE_WGSL, entryPoint, constants: { WORKGROUP_SIZE } });

function validAxis(size: number): boolean {
  return Number.isInteger(size) && size >= 1 && size <= MAX_AXIS;
}

/** Checks a rank-4 [N, C, H, W] input and an output size; returns the output shape. */
export function checkResize(name: string, x: GpuTensor, size: Size2): number[] {
  const [n, c, h, w] = x.shape;
  if (x.shape.length !== 4 || ![n, c].every((v) => Number.isInteger(v) && v! >= 1) || !validAxis(h!) || !validAxis(w!)) {
    throw new KernelArgumentError(`${name}: expects x of shape [N, C, H, W] with every size >= 1 (H, W <= ${MAX_AXIS}), got ${formatShape(x.shape)}`);
  }
  if (size.length !== 2 || !validAxis(size[0]) || !validAxis(size[1])) {
    throw new KernelArgumentError(`${name}: output size must be [height, width], integers in 1..${MAX_AXIS}, got [${size.join(', ')}] for x ${formatShape(x.shape)}`);
  }
  return [n!, c!, size[0], size[1]];
}

/** Allocates or checks the output: the expected shape and a buffer other than the input's. */
export function outputFor(gpu: Gpu, name: string, input: GpuTensor, shape: readonly number[], out?: GpuTensor): GpuTensor {
  const y = out ?? gpu.empty(shape, name);
  if (!sameShape(y.shape, shape)) {
    throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} should be ${formatShape(shape)} for input ${formatShape(input.shape)}`);
  }
  if (y.buffer === input.buffer) throw new KernelArgumentError(`${name}: output must not alias the input buffer`);
  return y;
}

function dispatchResize(gpu: Gpu, entryPoint: string, x: GpuTensor, table: DeviceTable, y: GpuTensor, dims: number[]): void {
  const [planes, inH, inW, outH, outW] = dims as [number, number, number, number, number];
  const count = numel(y.shape);
  // The last field, `never`, is 0: the XOR mask of the shader's opaque() (an identity compilers cannot fold).
  gpu.dispatch({
    kernel: kernel(entryPoint),
    uniforms: RESIZE_PARAMS.write({ planes, in_h: inH, in_w: inW, out_h: outH, out_w: outW, col_table: table.split, count, never: 0 }),
    tensors: [x, table.tensor, y],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
}

export interface BilinearOptions {
  /** PyTorch's align_corners (default false). */
  alignCorners?: boolean;
}

function bilinearAxis(inSize: number, outSize: number, alignCorners: boolean): LinearAxis {
  return alignCorners ? alignedLinearAxis(inSize, outSize) : linearAxis(inSize, outSize);
}

/** y = bilinear resize of x (PyTorch, align_corners false by default) to `size` = [OH, OW]. */
export function resizeBilinear(gpu: Gpu, x: GpuTensor, size: Size2, out?: GpuTensor, options: BilinearOptions = {}): GpuTensor {
  const name = 'resize.bilinear';
  const aligned = options.alignCorners ?? false;
  const shape = checkResize(name, x, size);
  const y = outputFor(gpu, name, x, shape, out);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const table = cachedTable(gpu, `bilinear${aligned ? '-aligned' : ''}:${h}>${size[0]}:${w}>${size[1]}`, () => [
    linearForwardTable(bilinearAxis(h, size[0], aligned)),
    linearForwardTable(bilinearAxis(w, size[1], aligned)),
  ]);
  dispatchResize(gpu, 'bilinear', x, table, y, [n * c, h, w, size[0], size[1]]);
  return y;
}

function checkBackward(name: string, dy: GpuTensor, inputShape: readonly number[]): void {
  const [n, c, h, w] = inputShape;
  const valid = inputShape.length === 4 && [n, c].every((v) => Number.isInteger(v) && v! >= 1) && validAxis(h!) && validAxis(w!);
  if (!valid || dy.shape.length !== 4 || dy.shape[0] !== n || dy.shape[1] !== c || !validAxis(dy.shape[2]!) || !validAxis(dy.shape[3]!)) {
    throw new KernelArgumentError(`${name}: dy ${formatShape(dy.shape)} does not match an input of shape ${formatShape(inputShape)} ([N, C, OH, OW] against [N, C, H, W])`);
  }
}

/**
 * dx = Bᵀ dy for y = resizeBilinear(x): dy [N, C, OH, OW] → dx of `inputShape` [N, C, H, W]. Each dx element gathers
 * the dy elements it contributed to, with the same weights (no atomics). The flips and rot180 are their own adjoints.
 */
export function resizeBilinearBackward(gpu: Gpu, dy: GpuTensor, inputShape: readonly number[], out?: GpuTensor, options: BilinearOptions = {}): GpuTensor {
  const name = 'resize.bilinear_backward';
  const aligned = options.alignCorners ?? false;
  checkBackward(name, dy, inputShape);
  const [n, c, h, w] = inputShape as [number, number, number, number];
  const [outH, outW] = [dy.shape[2]!, dy.shape[3]!];
  const dx = outputFor(gpu, name, dy, inputShape, out);
  const table = cachedTable(gpu, `bilinear${aligned ? '-aligned' : ''}-adjoint:${h}>${outH}:${w}>${outW}`, () => [
    linearAdjointTable(bilinearAxis(h, outH, aligned)),
    linearAdjointTable(bilinearAxis(w, outW, aligned)),
  ]);
  dispatchResize(gpu, 'bilinear_backward', dy, table, dx, [n * c, h, w, outH, outW]);
  return dx;
}

/** PyTorch's scale factors per axis [height, width], as given to F.interpolate (they pick nearest's source index). */
export type ScaleFactors = readonly [number, number];

function scaleKey(scaleFactor: ScaleFactors | undefined): string {
  return scaleFactor ? `@${scaleFactor[0]},${scaleFactor[1]}` : '';
}

/** y = PyTorch nearest resize of x to `size`: y[oy, ox] = x[ry(oy), rx(ox)] with torchNearestAxis's indices. */
export function upsampleNearest(gpu: Gpu, x: GpuTensor, size: Size2, scaleFactor?: ScaleFactors, out?: GpuTensor): GpuTensor {
  const name = 'resize.upsample_nearest';
  const shape = checkResize(name, x, size);
  const y = outputFor(gpu, name, x, shape, out);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const table = cachedTable(gpu, `torch-nearest${scaleKey(scaleFactor)}:${h}>${size[0]}:${w}>${size[1]}`, () => [
    Float32Array.from(torchNearestAxis(h, size[0], scaleFactor?.[0])),
    Float32Array.from(torchNearestAxis(w, size[1], scaleFactor?.[1])),
  ]);
  dispatchResize(gpu, 'nearest', x, table, y, [n * c, h, w, size[0], size[1]]);
  return y;
}

/** dx = Gᵀ dy for y = upsampleNearest(x): each dx element sums the dy elements that copied it (e.g. a 2×2 block for ×2). */
export function upsampleNearestBackward(gpu: Gpu, dy: GpuTensor, inputShape: readonly number[], scaleFactor?: ScaleFactors, out?: GpuTensor): GpuTensor {
  const name = 'resize.upsample_nearest_backward';
  checkBackward(name, dy, inputShape);
  const [n, c, h, w] = inputShape as [number, number, number, number];
  const [outH, outW] = [dy.shape[2]!, dy.shape[3]!];
  const dx = outputFor(gpu, name, dy, inputShape, out);
  const table = cachedTable(gpu, `torch-nearest${scaleKey(scaleFactor)}-adjoint:${h}>${outH}:${w}>${outW}`, () => [
    linearAdjointTable(gatherAxis(h, torchNearestAxis(h, outH, scaleFactor?.[0]))),
    linearAdjointTable(gatherAxis(w, torchNearestAxis(w, outW, scaleFactor?.[1]))),
  ]);
  dispatchResize(gpu, 'bilinear_backward', dy, table, dx, [n * c, h, w, outH, outW]);
  return dx;
}

/** y = Pillow NEAREST resize of x to `size`: y[oy, ox] = x[ry(oy), rx(ox)] (masks stay binary). */
export function resizeNearest(gpu: Gpu, x: GpuTensor, size: Size2, out?: GpuTensor): GpuTensor {
  const name = 'resize.nearest';
  const shape = checkResize(name, x, size);
  const y = outputFor(gpu, name, x, shape, out);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const table = cachedTable(gpu, `nearest:${h}>${size[0]}:${w}>${size[1]}`, () => [
    Float32Array.from(nearestAxis(h, size[0])),
    Float32Array.from(nearestAxis(w, size[1])),
  ]);
  dispatchResize(gpu, 'nearest', x, table, y, [n * c, h, w, size[0], size[1]]);
  return y;
}
