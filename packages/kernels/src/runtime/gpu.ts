/**
 * The runtime every kernel records into: one GPUDevice, its buffer pool and pipeline cache, and a command recorder
 * that batches many dispatches into one compute pass and one submit. Uniforms of a batch live in shared arena buffers
 * bound with offsets and are uploaded once per submit. Validation problems are collected and thrown, naming the
 * kernels of the batch, at the next synchronisation point (`sync`, `read`).
 */
import { DeviceLostError, GpuValidationError, KernelArgumentError } from '../device/errors.js';
import type { ResolvedAdapterKind } from '../device/adapters.js';
import { profileFor, type DeviceProfile } from '../device/profile.js';
import { BufferPool } from './buffer-pool.js';
import { kernelLabel, type KernelSource } from './kernel.js';
import { PipelineCache } from './pipeline-cache.js';
import { formatShape, numel, type GpuTensor } from './tensor.js';
import { BufferUsage, MapMode, STORAGE_USAGE } from './usage.js';
import { describeUsage, wrapBuffer, type WrapOptions } from './wrap.js';
import { DispatchProfiler, type DispatchProfile } from './profiler.js';
import { gentleWait } from './gentle-wait.js';
import { readLimit } from './limits.js';

export interface GpuInfo {
  readonly kind: ResolvedAdapterKind;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly featureLevel: 'core' | 'compatibility';
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  /** True when the device came from the caller (`createGpu({ device })`). */
  readonly adopted: boolean;
}

export interface Dispatch {
  readonly kernel: KernelSource;
  /** Bytes of the kernel's uniform struct, bound at @binding(0) when given. */
  readonly uniforms?: ArrayBuffer;
  /** Storage buffers bound at @binding(1), @binding(2), ... in order. */
  readonly tensors: readonly GpuTensor[];
  readonly workgroups: readonly [number, number?, number?];
}

export interface Timing {
  /** Wall-clock milliseconds from the first recorded command to completion on the device. */
  readonly wallMs: number;
  /** GPU milliseconds from timestamp queries, where the adapter has them. */
  readonly gpuMs?: number;
}

const UNIFORM_CHUNK_BYTES = 64 * 1024;

/** Bytes of one readMany staging buffer (the device's maxBufferSize if smaller). */
const READ_CHUNK_BYTES = 64 * 2 ** 20;

/** Bind groups kept for reuse before the cache starts over (a training step of a B6 model binds a few thousand). */
const MAX_CACHED_BIND_GROUPS = 16384;

/**
 * The device's limits as a plain object: in Dawn's Node binding every read of `device.limits` and of its fields is a
 * native call, and the launchers read several per dispatch.
 */
function snapshotLimits(limits: GPUSupportedLimits): GPUSupportedLimits {
  const copy: Record<string, number> = {};
  for (let proto: object | null = limits; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key in copy) continue;
      const value = readLimit(limits, key);
      if (value !== undefined) copy[key] = value;
    }
  }
  // A frozen plain object with the same numeric fields stands in for WebGPU's GPUSupportedLimits class.
  return Object.freeze(copy) as unknown as GPUSupportedLimits;
}

interface UniformChunk {
  readonly buffer: GPUBuffer;
  readonly bytes: Uint8Array<ArrayBuffer>;
  used: number;
}

export class Gpu {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  /** Dispatches recorded before an automatic submit. */
  maxDispatchesPerSubmit = 1024;
  /**
   * Waits for the device (read, sync, time) poll Dawn's Node binding about a thousand times a second instead of in a busy
   * loop (runtime/gentle-wait.ts): on by default on CPU adapters, whose work needs the cores the loop would spin.
   */
  gentleWaits: boolean;

  private encoder: GPUCommandEncoder | undefined;
  /** A validation error scope is open over the recording of the current batch (see beginRecording). */
  private recording = false;
  private pass: GPUComputePassEncoder | undefined;
  private batchKernels = new Set<string>();
  private dispatchesInBatch = 0;
  private uniformChunks: UniformChunk[] = [];
  private uniformChunkIndex = 0;
  /** Upload staging buffers of the open batch, destroyed once it is submitted. */
  private stagingBuffers: GPUBuffer[] = [];
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  /**
   * Bind groups by (pipeline, each binding's buffer, offset and size). A step of a training loop binds the same pool
   * buffers and uniform-arena slots in the same order every time, and creating a bind group is the costliest native
   * call of a dispatch on Dawn. Only for pool buffers; cleared when the pool destroys buffers (trim) and when the Gpu
   * is destroyed.
   */
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly objectIds = new WeakMap<object, number>();
  private nextObjectId = 0;
  private readonly problems: string[] = [];
  private readonly scopes: Promise<void>[] = [];
  private lostMessage: string | undefined;
  private destroyed = false;
  private submits = 0;
  private dispatchCount = 0;
  /** Set only inside profile(): every dispatch then runs in a timestamped pass of its own. */
  private profiler: DispatchProfiler | undefined;
  private readonly deviceLimits: GPUSupportedLimits;

  constructor(
    readonly device: GPUDevice,
    readonly info: GpuInfo,
    /** What the launchers choose their variants and sizes by (device/profile.ts). */
    readonly deviceProfile: DeviceProfile = profileFor(info),
  ) {
    this.deviceLimits = snapshotLimits(device.limits);
    this.gentleWaits = deviceProfile.class === 'cpu-simd';
    this.pool = new BufferPool(device, this.deviceLimits.maxBufferSize, () => this.bindGroups.clear());
    this.pipelines = new PipelineCache(device);
    const onError = (event: Event): void => {
      this.problems.push((event as GPUUncapturedErrorEvent).error.message);
    };
    if (typeof device.addEventListener === 'function') device.addEventListener('uncapturederror', onError);
    else (device as { onuncapturederror: unknown }).onuncapturederror = onError;
    void device.lost.then((lost) => {
      if (!this.destroyed) this.lostMessage = `${lost.reason}: ${lost.message}`;
    });
  }

  get limits(): GPUSupportedLimits {
    return this.deviceLimits;
  }

  get hasTimestamps(): boolean {
    return this.device.features.has('timestamp-query');
  }

  /** Submits and dispatches since creation: the numbers the "few submits" goal is measured by. */
  get counters(): { submits: number; dispatches: number; pipelines: number } {
    return { submits: this.submits, dispatches: this.dispatchCount, pipelines: this.pipelines.size };
  }

  /** Records one compute dispatch into the current batch. */
  dispatch(call: Dispatch): void {
    this.assertAlive();
    const [x, y = 1, z = 1] = call.workgroups;
    const maxGroups = this.deviceLimits.maxComputeWorkgroupsPerDimension;
    if (x > maxGroups || y > maxGroups || z > maxGroups) {
      throw new KernelArgumentError(
        `${kernelLabel(call.kernel)}: dispatch of [${x}, ${y}, ${z}] workgroups exceeds ` +
          `maxComputeWorkgroupsPerDimension (${maxGroups}).`,
      );
    }
    if (x === 0 || y === 0 || z === 0) return;
    this.beginRecording();
    const pipeline = this.pipelines.get(call.kernel);
    const entries: GPUBindGroupEntry[] = [];
    let key = `${this.objectId(pipeline)}`;
    // Only bindings of pool buffers are cached: a cached bind group keeps its buffers alive, and the pool keeps its
    // own until trim(), which clears the cache; a caller's wrapped buffer must stay free to be collected.
    let cacheable = true;
    if (call.uniforms) {
      const binding = this.uniformBinding(call.uniforms);
      entries.push({ binding: 0, resource: binding });
      key += `|u${this.objectId(binding.buffer)}@${binding.offset}+${binding.size}`;
    }
    for (let index = 0; index < call.tensors.length; index++) {
      const tensor = call.tensors[index]!;
      const binding = this.storageBinding(call.kernel, tensor);
      entries.push({ binding: index + 1, resource: binding });
      if (!this.pool.owns(tensor.buffer)) cacheable = false;
      key += `|${this.objectId(binding.buffer)}@${binding.offset}+${binding.size}`;
    }
    let bindGroup = cacheable ? this.bindGroups.get(key) : undefined;
    if (!bindGroup) {
      let layout = this.layouts.get(pipeline);
      if (!layout) {
        layout = pipeline.getBindGroupLayout(0);
        this.layouts.set(pipeline, layout);
      }
      bindGroup = this.device.createBindGroup({ layout, entries, label: call.kernel.name });
      if (cacheable) {
        if (this.bindGroups.size >= MAX_CACHED_BIND_GROUPS) this.bindGroups.clear();
        this.bindGroups.set(key, bindGroup);
      }
    }
    const pass = this.profiler ? this.profiledPass(call.kernel, this.profiler) : this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiler) this.endPass();
    this.batchKernels.add(call.kernel.name);
    this.dispatchesInBatch++;
    this.dispatchCount++;
    if (this.dispatchesInBatch >= this.maxDispatchesPerSubmit) this.flush();
  }

  /** Records a buffer-to-buffer copy of `tensor`'s elements into `destination` (same element count). */
  copy(source: GpuTensor, destination: GpuTensor): void {
    const count = numel(source.shape);
    if (count !== numel(destination.shape)) {
      throw new KernelArgumentError(
        `copy: source ${formatShape(source.shape)} and destination ${formatShape(destination.shape)} differ in size`,
      );
    }
    this.commandEncoder().copyBufferToBuffer(
      source.buffer,
      (source.offset ?? 0) * 4,
      destination.buffer,
      (destination.offset ?? 0) * 4,
      count * 4,
    );
  }

  /** Submits everything recorded so far. Does not wait. */
  flush(): void {
    if (!this.encoder) {
      this.endRecording([...this.batchKernels].join(', ') || 'none');
      return;
    }
    this.endPass();
    const kernels = [...this.batchKernels].join(', ') || 'copies';
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
    for (const chunk of this.uniformChunks) {
      if (chunk.used > 0) this.device.queue.writeBuffer(chunk.buffer, 0, chunk.bytes, 0, chunk.used);
      chunk.used = 0;
    }
    this.uniformChunkIndex = 0;
    this.profiler?.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    this.profiler?.submitted();
    this.submits++;
    for (const staging of this.stagingBuffers) staging.destroy();
    this.stagingBuffers = [];
    const outOfMemory = this.device.popErrorScope();
    const validation = this.device.popErrorScope();
    this.endRecording(kernels);
    this.scopes.push(
      Promise.all([validation, outOfMemory]).then(([invalid, memory]) => {
        if (invalid) this.problems.push(`in a batch of kernels [${kernels}]: ${invalid.message}`);
        if (memory) this.problems.push(`out of GPU memory in a batch of kernels [${kernels}]: ${memory.message}`);
      }),
    );
    this.encoder = undefined;
    this.batchKernels = new Set();
    this.dispatchesInBatch = 0;
  }

  /** Submits pending work, waits for the device to finish it, and throws any validation error it produced. */
  async sync(): Promise<void> {
    this.flush();
    await this.wait(() => this.device.queue.onSubmittedWorkDone());
    await this.throwProblems();
  }

  /** Awaits a promise of the device that `start` creates, gently where gentleWaits is set. */
  private wait<T>(start: () => Promise<T>): Promise<T> {
    return this.gentleWaits ? gentleWait(start) : start();
  }

  /** Allocates a pool buffer for a tensor of `shape` (contents undefined). */
  empty(shape: readonly number[], label = 'tensor'): GpuTensor {
    const count = numel(shape);
    this.checkBindingSize(label, shape);
    return { buffer: this.pool.acquire(Math.max(count, 1) * 4, STORAGE_USAGE, label), shape: [...shape] };
  }

  /**
   * Your own GPUBuffer (STORAGE usage, this device) as a float32 tensor of `shape`, without a copy: kernels read it
   * and, given as `out`, write into it. Checked here (usage, size, offset alignment, binding limit, not mapped); the
   * pool never frees or reuses it (`release` leaves it alone, `destroy` does not destroy it).
   */
  wrap(buffer: GPUBuffer, shape: readonly number[], options: WrapOptions = {}): GpuTensor {
    this.assertAlive();
    return wrapBuffer(this.deviceLimits, buffer, shape, options);
  }

  /** Uploads float32 data into a new pool buffer. */
  upload(data: Float32Array | readonly number[], shape: readonly number[] = [data.length], label = 'tensor'): GpuTensor {
    if (numel(shape) !== data.length) {
      throw new KernelArgumentError(`upload: ${data.length} values do not fill shape ${formatShape(shape)}`);
    }
    if (ArrayBuffer.isView(data) && !(data instanceof Float32Array)) {
      const kind = (data as ArrayBufferView).constructor.name;
      throw new KernelArgumentError(`upload: expects float32 data (Float32Array or numbers), got a ${kind}`);
    }
    const tensor = this.empty(shape, label);
    const array = data instanceof Float32Array ? data : Float32Array.from(data);
    if (array.length > 0) this.writeOrdered(tensor.buffer, 0, array);
    return tensor;
  }

  /** Writes float32 data into an existing tensor, ordered after the work recorded so far. */
  write(tensor: GpuTensor, data: Float32Array): void {
    if (data.length !== numel(tensor.shape)) {
      throw new KernelArgumentError(`write: ${data.length} values for a tensor of shape ${formatShape(tensor.shape)}`);
    }
    this.writeOrdered(tensor.buffer, (tensor.offset ?? 0) * 4, data);
  }

  /**
   * Writes data so that it lands after everything recorded so far. queue.writeBuffer runs before the batch still
   * being recorded is submitted, which would overwrite a pool buffer that recorded commands still read; so while a
   * batch is open the data goes through a fresh staging buffer and a recorded copy.
   */
  private writeOrdered(buffer: GPUBuffer, offsetBytes: number, data: Float32Array): void {
    if (!this.encoder) {
      this.device.queue.writeBuffer(buffer, offsetBytes, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    const staging = this.device.createBuffer({ size: data.byteLength, usage: BufferUsage.COPY_SRC, mappedAtCreation: true, label: 'upload staging' });
    new Float32Array(staging.getMappedRange()).set(data);
    staging.unmap();
    this.commandEncoder().copyBufferToBuffer(staging, 0, buffer, offsetBytes, data.byteLength);
    this.stagingBuffers.push(staging);
  }

  /** Returns a pool buffer for reuse. Buffers the caller brought are left alone. */
  release(tensor: GpuTensor): void {
    if (this.pool.owns(tensor.buffer)) this.pool.release(tensor.buffer);
  }

  /** Reads a tensor back (float32). Submits pending work first. */
  async read(tensor: GpuTensor): Promise<Float32Array> {
    return (await this.readMany([tensor]))[0]!;
  }

  /**
   * Reads many tensors back (float32, in order) with one submit and one mapAsync per chunk: each tensor is copied
   * to its own offset of one MAP_READ staging buffer of at most `chunkBytes` (default READ_CHUNK_BYTES, capped by
   * maxBufferSize) unless a single tensor is larger. Every mapAsync is a round trip to the device (in a browser, to
   * the GPU process), so a checkpoint of a few hundred tensors is a few chunks rather than a few hundred waits.
   * Submits pending work first.
   */
  async readMany(tensors: readonly GpuTensor[], chunkBytes = READ_CHUNK_BYTES): Promise<Float32Array[]> {
    const out = tensors.map((tensor) => new Float32Array(numel(tensor.shape)));
    for (const tensor of tensors) {
      if (numel(tensor.shape) > 0 && typeof tensor.buffer.usage === 'number' && (tensor.buffer.usage & BufferUsage.COPY_SRC) === 0) {
        throw new KernelArgumentError(
          `read: the buffer of a tensor of shape ${formatShape(tensor.shape)} has usage ${describeUsage(tensor.buffer.usage)}; ` +
            'reading it back copies from it, so it needs GPUBufferUsage.COPY_SRC.',
        );
      }
    }
    const limit = Math.min(this.deviceLimits.maxBufferSize, chunkBytes);
    let start = 0;
    while (start < tensors.length) {
      // tensors[start, end) fill bytes [0, total) of one staging buffer, back to back (float32 offsets keep copies 4-aligned).
      let end = start;
      let total = 0;
      while (end < tensors.length && (end === start || total + out[end]!.byteLength <= limit)) total += out[end++]!.byteLength;
      if (total > 0) await this.readChunk(tensors.slice(start, end), out.slice(start, end), total);
      start = end;
    }
    return out;
  }

  /** One chunk of readMany: copies, one submit, one mapAsync of `bytes`, then each tensor's range into its array. */
  private async readChunk(tensors: readonly GpuTensor[], out: readonly Float32Array[], bytes: number): Promise<void> {
    const staging = this.pool.acquire(bytes, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'readback');
    let offset = 0;
    for (const [index, tensor] of tensors.entries()) {
      const size = out[index]!.byteLength;
      if (size > 0) this.commandEncoder().copyBufferToBuffer(tensor.buffer, (tensor.offset ?? 0) * 4, staging, offset, size);
      offset += size;
    }
    this.flush();
    try {
      await this.wait(() => staging.mapAsync(MapMode.READ, 0, staging.size));
    } catch (error) {
      this.pool.release(staging);
      await this.throwProblems();
      this.assertAlive();
      throw error;
    }
    const mapped = staging.getMappedRange(0, bytes);
    offset = 0;
    for (const array of out) {
      array.set(new Float32Array(mapped, offset, array.length));
      offset += array.byteLength;
    }
    staging.unmap();
    this.pool.release(staging);
    await this.throwProblems();
  }

  /**
   * Runs `record` (which records dispatches) and measures it: wall-clock from submit to completion, and GPU time
   * from timestamp queries written by empty passes before and after, where the adapter supports them.
   */
  async time(record: () => void): Promise<Timing> {
    await this.sync();
    let querySet: GPUQuerySet | undefined;
    if (this.hasTimestamps) {
      querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 });
      this.commandEncoder().beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0 } }).end();
    }
    const start = performance.now();
    record();
    let gpuMs: number | undefined;
    if (querySet) {
      this.endPass();
      const encoder = this.commandEncoder();
      encoder.beginComputePass({ timestampWrites: { querySet, endOfPassWriteIndex: 1 } }).end();
      const resolve = this.pool.acquire(16, BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC, 'timestamps');
      const staging = this.pool.acquire(16, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'timestamps');
      encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, staging, 0, 16);
      this.flush();
      await this.wait(() => this.device.queue.onSubmittedWorkDone());
      await this.wait(() => staging.mapAsync(MapMode.READ, 0, 16));
      const [begin, end] = new BigUint64Array(staging.getMappedRange(0, 16));
      if (begin !== undefined && end !== undefined && end > begin) gpuMs = Number(end - begin) / 1e6;
      staging.unmap();
      this.pool.release(resolve);
      this.pool.release(staging);
      querySet.destroy();
    } else {
      await this.sync();
    }
    const wallMs = performance.now() - start;
    await this.throwProblems();
    return gpuMs === undefined ? { wallMs } : { wallMs, gpuMs };
  }

  /**
   * Runs `record` with every dispatch in a compute pass of its own, timestamped at its start and end, and sums GPU
   * time per kernel: where a model spends its time. Profiling only: the passes it splits cost a little, so time
   * with time(). Needs the `timestamp-query` feature.
   */
  async profile(record: () => void): Promise<DispatchProfile> {
    if (!this.hasTimestamps) {
      throw new KernelArgumentError('profile: this adapter has no timestamp-query feature, so dispatches cannot be timed one by one; use time() for wall-clock.');
    }
    await this.sync();
    const profiler = new DispatchProfiler(this.device);
    const start = performance.now();
    this.profiler = profiler;
    try {
      record();
    } catch (error) {
      this.flush();
      void this.device.queue.onSubmittedWorkDone().then(() => profiler.destroy());
      throw error;
    } finally {
      // What was recorded goes out with its timestamp queries, even when `record` threw.
      this.flush();
      this.profiler = undefined;
    }
    await this.sync();
    return profiler.result(performance.now() - start);
  }

  /** Throws if a binding of `shape` would exceed maxStorageBufferBindingSize, naming the kernel and the limit. */
  checkBindingSize(kernel: string, shape: readonly number[]): void {
    const bytes = numel(shape) * 4;
    const limit = this.deviceLimits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new KernelArgumentError(
        `${kernel}: a tensor of shape ${formatShape(shape)} needs ${bytes} bytes, over this device's ` +
          `maxStorageBufferBindingSize of ${limit} bytes (${(limit / 2 ** 20).toFixed(0)} MiB). ` +
          'Split the work (smaller batch or image) or use an adapter with a larger limit.',
      );
    }
  }

  /**
   * Waits for submitted work, then destroy(). Programs that exit after using the Gpu should close it this way:
   * Dawn (npm webgpu 0.6) crashed at process exit in about half of the runs when a device that had created buffers
   * was destroyed before its queue was ever awaited (20 of 20 clean exits after awaiting).
   */
  async close(): Promise<void> {
    if (this.destroyed) return;
    this.flush();
    // A lost device resolves or rejects this; either way there is nothing left to wait for.
    await this.device.queue.onSubmittedWorkDone().catch(() => undefined);
    this.destroy();
  }

  /** Releases the pool and, if the device was created here, the device (without waiting: see close()). */
  destroy(): void {
    if (this.destroyed) return;
    this.flush();
    this.destroyed = true;
    this.pool.trim();
    this.bindGroups.clear();
    for (const chunk of this.uniformChunks) chunk.buffer.destroy();
    this.uniformChunks = [];
    if (!this.info.adopted) this.device.destroy();
  }

  /** A small number per pipeline or buffer, for bind-group keys. */
  private objectId(object: object): number {
    let id = this.objectIds.get(object);
    if (id === undefined) {
      id = this.nextObjectId++;
      this.objectIds.set(object, id);
    }
    return id;
  }

  private assertAlive(): void {
    if (this.destroyed) throw new DeviceLostError('This Gpu was destroyed; create a new one with createGpu().');
    if (this.lostMessage !== undefined) {
      throw new DeviceLostError(
        `The WebGPU device was lost (${this.lostMessage}). Create a new Gpu with createGpu(); ` +
          'training resumes from its last checkpoint.',
      );
    }
  }

  private async throwProblems(): Promise<void> {
    const scopes = this.scopes.splice(0);
    if (scopes.length) await this.wait(() => Promise.all(scopes));
    const compile = this.pipelines.problems.splice(0);
    const problems = [...compile, ...this.problems.splice(0)];
    this.assertAlive();
    if (problems.length) throw new GpuValidationError(`WebGPU reported: ${problems.join('\n')}`);
  }

  /**
   * Opens a validation error scope over what the batch records (pipelines, bind group layouts, bind groups, encoder
   * calls); flush() closes it, so such errors are thrown at the sync of their own batch. Left uncaptured, an invalid
   * pipeline's getBindGroupLayout/createBindGroup errors reach 'uncapturederror' asynchronously: in Chromium after
   * the batch's onSubmittedWorkDone, so they were thrown by the next, healthy, batch.
   */
  private beginRecording(): void {
    if (this.recording) return;
    this.device.pushErrorScope('validation');
    this.recording = true;
  }

  private endRecording(kernels: string): void {
    if (!this.recording) return;
    this.recording = false;
    this.scopes.push(
      this.device.popErrorScope().then(
        (error) => {
          if (error) this.problems.push(`while recording a batch of kernels [${kernels}]: ${error.message}`);
        },
        () => undefined,
      ),
    );
  }

  private commandEncoder(): GPUCommandEncoder {
    this.assertAlive();
    this.endPass();
    this.beginRecording();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'ulseg batch' });
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) {
      this.beginRecording();
      if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'ulseg batch' });
      this.pass = this.encoder.beginComputePass({ label: 'ulseg kernels' });
    }
    return this.pass;
  }

  private profiledPass(kernel: KernelSource, profiler: DispatchProfiler): GPUComputePassEncoder {
    const encoder = this.commandEncoder();
    this.pass = encoder.beginComputePass({ label: kernel.name, timestampWrites: profiler.timestampWrites(kernel) });
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = undefined;
    }
  }

  private uniformBinding(uniforms: ArrayBuffer): GPUBufferBinding {
    const alignment = this.deviceLimits.minUniformBufferOffsetAlignment;
    const size = Math.ceil(uniforms.byteLength / 16) * 16;
    let chunk = this.uniformChunks[this.uniformChunkIndex];
    let offset = chunk ? Math.ceil(chunk.used / alignment) * alignment : 0;
    if (!chunk || offset + size > UNIFORM_CHUNK_BYTES) {
      if (chunk) this.uniformChunkIndex++;
      chunk = this.uniformChunks[this.uniformChunkIndex];
      if (!chunk) {
        chunk = {
          buffer: this.device.createBuffer({
            size: UNIFORM_CHUNK_BYTES,
            usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
            label: 'uniform arena',
          }),
          bytes: new Uint8Array(UNIFORM_CHUNK_BYTES),
          used: 0,
        };
        this.uniformChunks.push(chunk);
      }
      offset = 0;
    }
    chunk.bytes.set(new Uint8Array(uniforms), offset);
    chunk.bytes.fill(0, offset + uniforms.byteLength, offset + size);
    chunk.used = offset + size;
    return { buffer: chunk.buffer, offset, size };
  }

  private storageBinding(kernel: KernelSource, tensor: GpuTensor): GPUBufferBinding {
    const count = Math.max(numel(tensor.shape), 1);
    const offsetBytes = (tensor.offset ?? 0) * 4;
    const size = count * 4;
    // The label is built only for an error: this runs for every operand of every dispatch.
    if ((tensor.dtype ?? 'float32') !== 'float32') {
      throw new KernelArgumentError(`${kernelLabel(kernel)}: expects float32 tensors, got ${tensor.dtype} of shape ${formatShape(tensor.shape)}`);
    }
    if (size > this.deviceLimits.maxStorageBufferBindingSize) this.checkBindingSize(kernelLabel(kernel), tensor.shape);
    if (offsetBytes % this.deviceLimits.minStorageBufferOffsetAlignment !== 0) {
      throw new KernelArgumentError(
        `${kernelLabel(kernel)}: a tensor at element offset ${tensor.offset} is not aligned to this device's ` +
          `minStorageBufferOffsetAlignment (${this.deviceLimits.minStorageBufferOffsetAlignment} bytes).`,
      );
    }
    if (offsetBytes + size > tensor.buffer.size) {
      throw new KernelArgumentError(
        `${kernelLabel(kernel)}: a tensor of shape ${formatShape(tensor.shape)} at offset ${tensor.offset ?? 0} does not fit its ` +
          `buffer of ${tensor.buffer.size} bytes.`,
      );
    }
    return { buffer: tensor.buffer, offset: offsetBytes, size };
  }
}
