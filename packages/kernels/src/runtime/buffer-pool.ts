/**
 * Buffer pool: free lists keyed by (size class, usage). Released buffers are reused by later requests of the same
 * class; GPU work already recorded keeps its ordering on the queue, so a buffer may be released as soon as the last
 * command that uses it is recorded.
 *
 * Size classes: powers of two up to 1 MiB, then 16 classes per octave (at most 6.25% slack).
 */
import { KernelArgumentError } from '../device/errors.js';

export interface PoolCounters {
  /** Bytes in buffers handed out and not yet released. */
  liveBytes: number;
  /** Highest liveBytes seen since creation or resetPeak(). */
  peakLiveBytes: number;
  /** Bytes in released buffers waiting for reuse. */
  freeBytes: number;
  /** Buffers created on the device so far. */
  created: number;
  /** Requests served from a free list. */
  reused: number;
}

const MIN_CLASS = 256;
const OCTAVE_SPLIT_FROM = 1 << 20;

export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const power = 2 ** Math.ceil(Math.log2(bytes));
  if (power <= OCTAVE_SPLIT_FROM) return power;
  const step = power / 32;
  return Math.ceil(bytes / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly live = new Map<GPUBuffer, string>();
  /** Creation order of each buffer: a free list hands out its oldest buffer first (see release). */
  private readonly serials = new WeakMap<GPUBuffer, number>();
  private readonly counters: PoolCounters = { liveBytes: 0, peakLiveBytes: 0, freeBytes: 0, created: 0, reused: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBufferSize: number,
    /** Called when trim() destroys buffers, so that whoever keeps bind groups of them drops those. */
    private readonly onDestroy: () => void = () => {},
  ) {}

  acquire(bytes: number, usage: number, label = 'ulseg'): GPUBuffer {
    if (!Number.isFinite(bytes) || bytes < 0) throw new KernelArgumentError(`${label}: invalid buffer size ${bytes}`);
    if (bytes > this.maxBufferSize) {
      throw new KernelArgumentError(
        `${label}: a buffer of ${bytes} bytes exceeds this device's maxBufferSize (${this.maxBufferSize}). ` +
          'Use a smaller batch or image size.',
      );
    }
    const allocation = Math.min(sizeClass(bytes), this.maxBufferSize);
    const key = `${allocation}:${usage}`;
    const list = this.free.get(key);
    let buffer = list?.pop();
    if (buffer) {
      this.counters.reused++;
      this.counters.freeBytes -= allocation;
    } else {
      buffer = this.device.createBuffer({ size: allocation, usage, label });
      this.serials.set(buffer, this.counters.created);
      this.counters.created++;
    }
    this.live.set(buffer, key);
    this.counters.liveBytes += allocation;
    this.counters.peakLiveBytes = Math.max(this.counters.peakLiveBytes, this.counters.liveBytes);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const key = this.live.get(buffer);
    if (key === undefined) throw new Error('BufferPool.release: this buffer is not a live pool buffer (released twice?)');
    this.live.delete(buffer);
    this.counters.liveBytes -= buffer.size;
    this.counters.freeBytes += buffer.size;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    // Kept in descending creation order, so acquire() pops the oldest free buffer: which buffer a request gets then
    // depends on which are free, not on the order they were released in, and a loop that repeats the same requests
    // gets the same buffers each time (the Gpu's bind groups of them are reused).
    const serial = this.serials.get(buffer)!;
    let at = list.length;
    while (at > 0 && this.serials.get(list[at - 1]!)! < serial) at--;
    list.splice(at, 0, buffer);
  }

  owns(buffer: GPUBuffer): boolean {
    return this.live.has(buffer);
  }

  /** Destroys every buffer waiting for reuse (memory goes back to the driver). */
  trim(): void {
    if (this.counters.freeBytes > 0) this.onDestroy();
    for (const list of this.free.values()) for (const buffer of list) buffer.destroy();
    this.free.clear();
    this.counters.freeBytes = 0;
  }

  resetPeak(): void {
    this.counters.peakLiveBytes = this.counters.liveBytes;
  }

  stats(): Readonly<PoolCounters> {
    return { ...this.counters };
  }
}
