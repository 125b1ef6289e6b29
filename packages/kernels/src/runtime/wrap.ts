/**
 * A caller's own GPUBuffer as a kernel operand, without a copy: `gpu.wrap(buffer, shape)` checks once, up front, what
 * binding the buffer as a storage buffer of `shape` needs (WebGPU would otherwise report it later, at submit), and
 * returns the GpuTensor view. Layout: float32, C order, element `i` of the view at byte `4·(offset + i)`.
 * The pool only ever frees or reuses buffers it created, so a wrapped buffer stays the caller's.
 */
import { KernelArgumentError } from '../device/errors.js';
import { formatShape, numel, type GpuTensor } from './tensor.js';
import { BufferUsage } from './usage.js';

export interface WrapOptions {
  /** Offset of element 0 in float32 elements; `4·offset` must be a multiple of minStorageBufferOffsetAlignment. */
  offset?: number;
  /** Names the buffer in error messages (default: the buffer's own label, else 'buffer'). */
  label?: string;
}

/** The device limits a wrapped binding must respect. */
export type WrapLimits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'minStorageBufferOffsetAlignment'>;

const USAGE_NAMES: readonly (readonly [string, number])[] = [
  ['MAP_READ', BufferUsage.MAP_READ],
  ['MAP_WRITE', BufferUsage.MAP_WRITE],
  ['COPY_SRC', BufferUsage.COPY_SRC],
  ['COPY_DST', BufferUsage.COPY_DST],
  ['INDEX', 0x0010],
  ['VERTEX', 0x0020],
  ['UNIFORM', BufferUsage.UNIFORM],
  ['STORAGE', BufferUsage.STORAGE],
  ['INDIRECT', 0x0100],
  ['QUERY_RESOLVE', BufferUsage.QUERY_RESOLVE],
];

/** `COPY_DST | MAP_READ` for a usage bit mask. */
export function describeUsage(usage: number): string {
  const names = USAGE_NAMES.filter(([, bit]) => (usage & bit) !== 0).map(([name]) => name);
  return names.length ? names.join(' | ') : 'none';
}

/** Validates `buffer` as float32 storage of `shape` at element `offset` and returns the tensor view. */
export function wrapBuffer(limits: WrapLimits, buffer: GPUBuffer, shape: readonly number[], options: WrapOptions = {}): GpuTensor {
  const name = `wrap: ${options.label ?? (buffer.label || 'buffer')}`;
  if (!Array.isArray(shape) || shape.some((size) => !Number.isInteger(size) || size < 0)) {
    throw new KernelArgumentError(`${name}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new KernelArgumentError(`${name}: offset must be a non-negative integer count of float32 elements, got ${offset}`);
  }
  if ((buffer.usage & BufferUsage.STORAGE) === 0) {
    throw new KernelArgumentError(
      `${name} has usage ${describeUsage(buffer.usage)}; kernels bind their operands as storage buffers, so create it ` +
        'with GPUBufferUsage.STORAGE (add COPY_SRC to read results back from it, COPY_DST to write data into it).',
    );
  }
  if (buffer.mapState !== undefined && buffer.mapState !== 'unmapped') {
    throw new KernelArgumentError(
      `${name} is ${buffer.mapState === 'pending' ? 'being mapped (mapAsync pending)' : 'mapped'}; a mapped buffer cannot be ` +
        'used by GPU commands: call unmap() first.',
    );
  }
  const alignment = limits.minStorageBufferOffsetAlignment;
  if ((offset * 4) % alignment !== 0) {
    throw new KernelArgumentError(
      `${name}: offset ${offset} (${offset * 4} bytes) is not a multiple of this device's minStorageBufferOffsetAlignment ` +
        `(${alignment} bytes = ${alignment / 4} elements).`,
    );
  }
  const bytes = numel(shape) * 4;
  if ((offset * 4) + Math.max(bytes, 4) > buffer.size) {
    throw new KernelArgumentError(
      `${name}: a float32 tensor of shape ${formatShape(shape)} at offset ${offset} needs ${offset * 4 + Math.max(bytes, 4)} ` +
        `bytes, but the buffer has ${buffer.size}.`,
    );
  }
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new KernelArgumentError(
      `${name}: a tensor of shape ${formatShape(shape)} needs ${bytes} bytes, over this device's maxStorageBufferBindingSize ` +
        `of ${limits.maxStorageBufferBindingSize} bytes; request the adapter's maximum when you create the device, or split the data.`,
    );
  }
  return offset === 0 ? { buffer, shape: [...shape] } : { buffer, shape: [...shape], offset };
}
