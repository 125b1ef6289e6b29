/**
 * Per-dispatch GPU time, for profiling (`Gpu.profile`): while a profiler is attached, every dispatch gets a compute
 * pass of its own whose start and end write timestamps into a query set (2 queries per dispatch, 2048 per set); each
 * batch resolves its queries into a staging buffer just before its submit, and the totals are summed per kernel
 * once the batches are done. Its buffers and query sets come from the device, not the pool, so the pool's counters
 * (live, peak) are those of the profiled work alone.
 */
import { kernelLabel, type KernelSource } from './kernel.js';
import { BufferUsage, MapMode } from './usage.js';

/** GPU time of the dispatches of one kernel (or one kernel variant). */
export interface KernelTime {
  /** `kernel.name` (with `.entryPoint` when it is not `main`), or the full label with override constants. */
  readonly kernel: string;
  readonly dispatches: number;
  /** Σ (end − start) over its dispatches' passes. */
  readonly gpuMs: number;
}

export interface DispatchProfile {
  /** Wall-clock from the start of recording to the completion of the last batch. */
  readonly wallMs: number;
  /** Σ of every dispatch's GPU time (no gaps between passes, unlike a span). */
  readonly gpuMs: number;
  readonly dispatches: number;
  /** Dispatches whose timestamps came back unusable (end before start), counted but not timed. */
  readonly untimed: number;
  /** Per kernel name, most expensive first. */
  readonly byKernel: readonly KernelTime[];
  /** Per specialisation (name and override constants), most expensive first. */
  readonly byVariant: readonly KernelTime[];
}

/** Queries per set: WebGPU caps a query set at 4096; 2048 keeps sets small and covers a 1024-dispatch batch. */
const QUERIES_PER_SET = 2048;

interface QueryChunk {
  readonly querySet: GPUQuerySet;
  /** Kernel name and variant label per dispatch: queries 2i and 2i + 1. */
  readonly dispatches: { name: string; variant: string }[];
}

interface Pending {
  readonly staging: GPUBuffer;
  readonly resolve: GPUBuffer;
  readonly chunk: QueryChunk;
  mapped?: Promise<void>;
}

export function profileName(kernel: KernelSource): string {
  return kernel.entryPoint && kernel.entryPoint !== 'main' ? `${kernel.name}.${kernel.entryPoint}` : kernel.name;
}

export class DispatchProfiler {
  private open: QueryChunk[] = [];
  private readonly pending: Pending[] = [];

  constructor(private readonly device: GPUDevice) {}

  /** Timestamp writes for the pass of the next dispatch, of `kernel`. */
  timestampWrites(kernel: KernelSource): GPUComputePassTimestampWrites {
    let chunk = this.open.at(-1);
    if (!chunk || chunk.dispatches.length * 2 >= QUERIES_PER_SET) {
      chunk = { querySet: this.device.createQuerySet({ type: 'timestamp', count: QUERIES_PER_SET, label: 'dispatch profile' }), dispatches: [] };
      this.open.push(chunk);
    }
    const index = chunk.dispatches.length;
    chunk.dispatches.push({ name: profileName(kernel), variant: kernelLabel(kernel) });
    return { querySet: chunk.querySet, beginningOfPassWriteIndex: 2 * index, endOfPassWriteIndex: 2 * index + 1 };
  }

  /** Records, at the end of a batch (outside any pass), the copy of its timestamps to mappable buffers. */
  resolve(encoder: GPUCommandEncoder): void {
    for (const chunk of this.open) {
      const bytes = chunk.dispatches.length * 2 * 8;
      if (bytes === 0) continue;
      const resolve = this.device.createBuffer({ size: bytes, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC, label: 'dispatch profile' });
      const staging = this.device.createBuffer({ size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST, label: 'dispatch profile' });
      encoder.resolveQuerySet(chunk.querySet, 0, chunk.dispatches.length * 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, staging, 0, bytes);
      this.pending.push({ staging, resolve, chunk });
    }
    this.open = [];
  }

  /** After the batch's submit: start mapping its timestamps. */
  submitted(): void {
    for (const entry of this.pending) {
      if (entry.mapped) continue;
      entry.mapped = entry.staging.mapAsync(MapMode.READ);
      entry.mapped.catch(() => undefined); // destroy() before the map settles rejects it: not an error here
    }
  }

  /** Sums the resolved timestamps per kernel (call after the profiled batches were submitted and completed). */
  async result(wallMs: number): Promise<DispatchProfile> {
    const byKernel = new Map<string, { dispatches: number; ns: number }>();
    const byVariant = new Map<string, { dispatches: number; ns: number }>();
    const add = (table: Map<string, { dispatches: number; ns: number }>, key: string, ns: number): void => {
      const entry = table.get(key) ?? { dispatches: 0, ns: 0 };
      entry.dispatches++;
      entry.ns += ns;
      table.set(key, entry);
    };
    let totalNs = 0;
    let dispatches = 0;
    let untimed = 0;
    try {
      for (const entry of this.pending) {
        await (entry.mapped ?? entry.staging.mapAsync(MapMode.READ));
        const stamps = new BigUint64Array(entry.staging.getMappedRange());
        entry.chunk.dispatches.forEach(({ name, variant }, index) => {
          const begin = stamps[2 * index]!;
          const end = stamps[2 * index + 1]!;
          const ns = end >= begin ? Number(end - begin) : 0;
          if (end < begin) untimed++;
          dispatches++;
          totalNs += ns;
          add(byKernel, name, ns);
          add(byVariant, variant, ns);
        });
        entry.staging.unmap();
      }
    } finally {
      this.destroy();
    }
    const sorted = (table: Map<string, { dispatches: number; ns: number }>): KernelTime[] =>
      [...table]
        .map(([kernel, { dispatches: count, ns }]) => ({ kernel, dispatches: count, gpuMs: ns / 1e6 }))
        .sort((a, b) => b.gpuMs - a.gpuMs || a.kernel.localeCompare(b.kernel));
    return { wallMs, gpuMs: totalNs / 1e6, dispatches, untimed, byKernel: sorted(byKernel), byVariant: sorted(byVariant) };
  }

  destroy(): void {
    for (const entry of this.pending) {
      entry.staging.destroy();
      entry.resolve.destroy();
      entry.chunk.querySet.destroy();
    }
    for (const chunk of this.open) chunk.querySet.destroy();
    this.pending.length = 0;
    this.open = [];
  }
}
