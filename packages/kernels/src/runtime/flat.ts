/**
 * Flat element-wise dispatches in two layouts. `vec4`: lanes take 4 consecutive elements through `array<vec4<f32>>`
 * views of the same buffers (entry point `main4`, elements [0, 4·vectors)), and a second, scalar dispatch (entry
 * point `main`, from `start`) takes the tail [4·vectors, count) when count is not a multiple of 4. `scalar`: `main`
 * over the whole range. `auto` = vec4 when count is a multiple of 4 (one dispatch), or when it is at least
 * VEC4_TAIL_MIN elements, where the tail's extra dispatch costs less than the scalar pass would lose; scalar for the
 * rest (small per-channel tensors: one dispatch). A vec4 view needs 16 bytes of binding: vec4 needs 4 elements. A binding starts
 * at a multiple of minStorageBufferOffsetAlignment (≥ 32 bytes), so every vec4 view is 16-byte aligned.
 */
import { d } from 'typegpu';
import type { Gpu } from './gpu.js';
import { flatGrid } from './grid.js';
import type { KernelSource } from './kernel.js';
import { paramsStruct } from './params.js';
import type { GpuTensor } from './tensor.js';

export type FlatVariant = 'auto' | 'vec4' | 'scalar';

/** The Params of flat kernels with no other parameter: elements [0, count), the scalar entry point from `start`. */
export const FLAT_PARAMS = paramsStruct('Params', { count: d.u32, start: d.u32 });

export interface FlatSplit {
  /** vec4 groups taken by `main4` (0 when scalar). */
  readonly vectors: number;
  /** first element of the scalar dispatch; count when there is none. */
  readonly tailStart: number;
}

/** Elements from which `auto` takes the vec4 layout even with a tail dispatch. */
export const VEC4_TAIL_MIN = 1 << 16;

export function flatSplit(count: number, variant: FlatVariant = 'auto'): FlatSplit {
  const vec4 = variant === 'vec4' || (variant === 'auto' && (count % 4 === 0 || count >= VEC4_TAIL_MIN));
  if (!vec4 || count < 4) return { vectors: 0, tailStart: 0 };
  const vectors = Math.floor(count / 4);
  return { vectors, tailStart: 4 * vectors };
}

export interface FlatDispatch {
  /** The kernel; its `entryPoint` is replaced by `main4` / `main`. */
  readonly kernel: KernelSource;
  readonly count: number;
  readonly tensors: readonly GpuTensor[];
  /** The uniform struct of either dispatch; `start` is 0 for `main4`. */
  readonly uniforms: (start: number) => ArrayBuffer;
  readonly workgroupSize: number;
  readonly variant?: FlatVariant;
  /** The vec4 entry point's name (default `main4`). */
  readonly vectorEntryPoint?: string;
  /** The scalar entry point's name (default `main`). */
  readonly scalarEntryPoint?: string;
}

/** `kernel` at another entry point, one object per (kernel, entry point), so its pipeline key is built once. */
const atEntryPoints = new WeakMap<KernelSource, Map<string, KernelSource>>();

function atEntryPoint(kernel: KernelSource, entryPoint: string): KernelSource {
  let byEntry = atEntryPoints.get(kernel);
  if (!byEntry) atEntryPoints.set(kernel, (byEntry = new Map()));
  let derived = byEntry.get(entryPoint);
  if (!derived) byEntry.set(entryPoint, (derived = { ...kernel, entryPoint }));
  return derived;
}

/** Records the vec4 dispatch and/or the scalar one (see above); none for count 0. */
export function dispatchFlat(gpu: Gpu, flat: FlatDispatch): void {
  const { vectors, tailStart } = flatSplit(flat.count, flat.variant);
  const maxGroups = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (vectors > 0) {
    gpu.dispatch({
      kernel: atEntryPoint(flat.kernel, flat.vectorEntryPoint ?? 'main4'),
      uniforms: flat.uniforms(0),
      tensors: flat.tensors,
      workgroups: flatGrid(vectors, flat.workgroupSize, maxGroups),
    });
  }
  if (tailStart < flat.count) {
    gpu.dispatch({
      kernel: atEntryPoint(flat.kernel, flat.scalarEntryPoint ?? 'main'),
      uniforms: flat.uniforms(tailStart),
      tensors: flat.tensors,
      workgroups: flatGrid(flat.count - tailStart, flat.workgroupSize, maxGroups),
    });
  }
}

/**
 * For kernels whose elements come in rows of `rowLength` that share per-row values (a channel's scale, an image
 * channel's gate): vec4 when rows hold a multiple of 4 elements (the 4 elements of a lane share the row, and the
 * count is a multiple of 4: no tail), else scalar; `requested` 'scalar' forces scalar.
 */
export function rowsVariant(rowLength: number, requested: FlatVariant = 'auto'): FlatVariant {
  return requested !== 'scalar' && rowLength % 4 === 0 ? 'vec4' : 'scalar';
}
