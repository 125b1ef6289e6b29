/**
 * torch.cat(xs, dim) and torch.narrow(y, dim, start, length), the gradient of one cat input: copies of C-order
 * blocks around the axis `dim`. cat writes every element of its output (one dispatch per input, disjoint ranges).
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { CONCAT_PARAMS, CONCAT_WGSL } from './concat.wgsl.js';

const WORKGROUP_SIZE = 256;

const kernel = (entryPoint: 'insert' | 'extract'): KernelSource => ({ name: `concat.${entryPoint}`, code: CONCAT_WGSL, entryPoint, constants: { WORKGROUP_SIZE } });

function dispatchPart(gpu: Gpu, entryPoint: 'insert' | 'extract', source: GpuTensor, target: GpuTensor, part: readonly number[], dim: number, whole: number, start: number): void {
  const count = numel(part);
  const inner = numel(part.slice(dim + 1));
  gpu.dispatch({
    kernel: kernel(entryPoint),
    uniforms: CONCAT_PARAMS.write({ count, part: part[dim]!, whole, start, inner }),
    tensors: [source, target],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
}

function checkDim(name: string, shape: readonly number[], dim: number): void {
  if (!Number.isInteger(dim) || dim < 0 || dim >= shape.length) {
    throw new KernelArgumentError(`${name}: dim ${dim} is out of range for shape ${formatShape(shape)}`);
  }
}

/** Output shape of cat: the inputs' common shape with the sizes along `dim` summed. */
export function concatShape(name: string, shapes: readonly (readonly number[])[], dim: number): number[] {
  const first = shapes[0];
  if (!first) throw new KernelArgumentError(`${name}: needs at least one tensor`);
  checkDim(name, first, dim);
  for (const shape of shapes) {
    const matches = shape.length === first.length && shape.every((size, axis) => axis === dim || size === first[axis]);
    if (!matches) {
      throw new KernelArgumentError(`${name}: shapes ${shapes.map(formatShape).join(', ')} differ outside dim ${dim}`);
    }
  }
  return first.map((size, axis) => (axis === dim ? shapes.reduce((total, shape) => total + shape[dim]!, 0) : size));
}

/** y = torch.cat(xs, dim). */
export function concat(gpu: Gpu, xs: readonly GpuTensor[], dim: number, out?: GpuTensor): GpuTensor {
  const name = 'concat';
  const shape = concatShape(name, xs.map((x) => x.shape), dim);
  const y = out ?? gpu.empty(shape, name);
  if (!sameShape(y.shape, shape)) throw new KernelArgumentError(`${name}: output shape ${formatShape(y.shape)} should be ${formatShape(shape)}`);
  if (xs.some((x) => x.buffer === y.buffer)) throw new KernelArgumentError(`${name}: output must not alias an input buffer`);
  let start = 0;
  for (const x of xs) {
    dispatchPart(gpu, 'insert', x, y, x.shape, dim, shape[dim]!, start);
    start += x.shape[dim]!;
  }
  return y;
}

/** x = torch.narrow(y, dim, start, length): the slice [start, start + length) along `dim`, copied. */
export function narrow(gpu: Gpu, y: GpuTensor, dim: number, start: number, length: number, out?: GpuTensor): GpuTensor {
  const name = 'narrow';
  checkDim(name, y.shape, dim);
  const whole = y.shape[dim]!;
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 1 || start + length > whole) {
    throw new KernelArgumentError(`${name}: [${start}, ${start + length}) is not a non-empty range inside 0..${whole} of dim ${dim} of ${formatShape(y.shape)}`);
  }
  const shape = y.shape.map((size, axis) => (axis === dim ? length : size));
  const x = out ?? gpu.empty(shape, name);
  if (!sameShape(x.shape, shape)) throw new KernelArgumentError(`${name}: output shape ${formatShape(x.shape)} should be ${formatShape(shape)}`);
  if (x.buffer === y.buffer) throw new KernelArgumentError(`${name}: output must not alias the input buffer`);
  dispatchPart(gpu, 'extract', y, x, shape, dim, whole, start);
  return x;
}
