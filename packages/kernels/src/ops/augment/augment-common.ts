/**
 * What the augmentation kernels share on the CPU side: the layout checks and the dispatch of a pixel-parallel
 * kernel, the per-sample parameter tables, and the CPU twins of the WGSL helpers (hash stream, border modes,
 * round-half-even) that the references use bit for bit.
 *
 * Conventions of every augmentation kernel:
 *   images: [N, 1, H, W] float32 grey values 0..255;  masks: [N, 1, H, W] float32, 0/1 (any values survive: masks are
 *   only ever moved by nearest sampling with fill 0, never mixed);  table: [N, stride] float32, one row of parameters
 *   per sample, table[n, 0] = enabled (0: the sample is copied unchanged, so samples that share an op run in one
 *   dispatch). Integers in tables are exact f32 integers; u32 seeds are stored as two 16-bit halves.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { pcgHash } from '../../wgsl/pcg.reference.js';
import { AUGMENT_PARAMS } from './augment-common.wgsl.js';

export const AUGMENT_WORKGROUP_SIZE = 256;

/** imgaug's border mode names, in the order of the WGSL codes of `border_index`. */
export const BORDER_MODES = ['constant', 'edge', 'symmetric', 'reflect', 'wrap'] as const;
export type BorderMode = (typeof BORDER_MODES)[number];

/** Interpolations of the geometric kernels (imgaug order 0, 1, 3; OpenCV INTER_NEAREST, INTER_LINEAR, INTER_CUBIC). */
export const INTERPOLATIONS = ['nearest', 'bilinear', 'bicubic'] as const;
export type Interpolation = (typeof INTERPOLATIONS)[number];

export interface BatchShape {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
}

export function shapeOf(batch: BatchShape): number[] {
  return [batch.batch, 1, batch.height, batch.width];
}

/** Checks `tensor` is [N, 1, H, W] (and equal to `like` when given); returns N, H, W. */
export function batchShape(kernel: string, tensor: GpuTensor, what: string, like?: BatchShape): BatchShape {
  const [batch, channels, height, width] = tensor.shape;
  if (tensor.shape.length !== 4 || channels !== 1 || !batch || !height || !width) {
    throw new KernelArgumentError(`${kernel}: ${what} must be a non-empty [N, 1, H, W] tensor, got ${formatShape(tensor.shape)}`);
  }
  const shape = { batch, height, width };
  if (like && !sameShape(shapeOf(shape), shapeOf(like))) {
    throw new KernelArgumentError(`${kernel}: ${what} has shape ${formatShape(tensor.shape)}, expected ${formatShape(shapeOf(like))}`);
  }
  return shape;
}

/** Checks `table` is [N, stride]. */
export function checkTable(kernel: string, table: GpuTensor, batch: number, stride: number): void {
  if (!sameShape(table.shape, [batch, stride])) {
    throw new KernelArgumentError(`${kernel}: parameter table has shape ${formatShape(table.shape)}, expected [${batch}, ${stride}]`);
  }
}

/** Throws unless every written tensor has its own buffer, distinct from every read one. */
export function checkNoAlias(kernel: string, reads: readonly GpuTensor[], writes: readonly GpuTensor[]): void {
  const buffers = new Set(reads.map((tensor) => tensor.buffer));
  for (const tensor of writes) {
    if (buffers.has(tensor.buffer)) throw new KernelArgumentError(`${kernel}: outputs must not alias the inputs or each other`);
    buffers.add(tensor.buffer);
  }
}

/** Output tensor: `out` checked against the batch shape, or a new pool tensor. */
export function outputLike(gpu: Gpu, kernel: string, shape: BatchShape, out: GpuTensor | undefined, what: string): GpuTensor {
  if (!out) return gpu.empty(shapeOf(shape), kernel);
  batchShape(kernel, out, what, shape);
  return out;
}

/** One thread per pixel of the batch; uniforms AUGMENT_PARAMS. */
export function dispatchPixels(gpu: Gpu, kernel: KernelSource, shape: BatchShape, stride: number, tensors: readonly GpuTensor[]): void {
  const count = shape.batch * shape.height * shape.width;
  gpu.dispatch({
    kernel,
    uniforms: AUGMENT_PARAMS.write({ count, height: shape.height, width: shape.width, stride }),
    tensors,
    workgroups: flatGrid(count, AUGMENT_WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** A [N, stride] table from per-sample rows; a missing row (undefined) is a disabled sample (all zeros). */
export function tableFromRows(rows: readonly (readonly number[] | undefined)[], stride: number): Float32Array {
  const table = new Float32Array(rows.length * stride);
  rows.forEach((row, n) => {
    if (!row) return;
    if (row.length > stride) throw new KernelArgumentError(`parameter row of ${row.length} values over the stride ${stride}`);
    table.set(row, n * stride);
  });
  return table;
}

/** u32 seed → [low 16 bits, high 16 bits], the table form read by WGSL `table_seed`. */
export function seedHalves(seed: number): [number, number] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new KernelArgumentError(`augment: seed must be an integer in [0, 2^32), got ${seed}`);
  return [seed & 0xffff, seed >>> 16];
}

/** bits(seed, k) = pcg(k + pcg(seed)): element k of the hash stream of `seed` (u32), as in WGSL. */
export function streamBits(seed: number, k: number): number {
  return pcgHash((k + pcgHash(seed)) >>> 0);
}

/** Round half to even (WGSL round()). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** i32(round(v·1024)) of an f32 value v: a position in Q10 fixed point (1/1024 pixel), as the WGSL `q10`. */
export function q10(v: number): number {
  return roundHalfEven(Math.fround(v) * 1024);
}

/** OpenCV borderInterpolate: index i of an axis of length len ↦ [0, len), or -1 for the constant border. */
export function borderIndex(i: number, len: number, mode: number): number {
  if (i >= 0 && i < len) return i;
  const mod = (a: number, b: number): number => ((a % b) + b) % b;
  switch (mode) {
    case 0:
      return -1;
    case 1:
      return Math.min(Math.max(i, 0), len - 1);
    case 2: {
      const q = mod(i, 2 * len);
      return q >= len ? 2 * len - 1 - q : q;
    }
    case 3: {
      if (len === 1) return 0;
      const q = mod(i, 2 * len - 2);
      return q >= len ? 2 * len - 2 - q : q;
    }
    default:
      return mod(i, len);
  }
}

export function codeOf<T extends string>(names: readonly T[], name: T, what: string): number {
  const code = names.indexOf(name);
  if (code < 0) throw new KernelArgumentError(`augment: unknown ${what} '${name}'. Known: ${names.join(', ')}`);
  return code;
}
