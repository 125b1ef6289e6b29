/**
 * The tfjs peer on OUR GPUDevice: tfjs-backend-webgpu's WebGPUBackend is constructed around the device our Gpu
 * uses, so both run on the same adapter, the same queue and the same device limits, in the same process.
 *
 * Timing mirrors `Gpu.time` exactly: an empty compute pass writes a timestamp into tfjs's own command encoder before
 * the op is recorded and another after it, in the same submit (tfjs submits by itself every 15 dispatches, as it
 * always does); wall-clock runs from the start of recording to the mapped timestamps after onSubmittedWorkDone.
 * This reaches into tfjs 4.22 internals (`commandEncoder`, `ensureCommandEncoderReady`, `endComputePassEncoder`,
 * `submitQueue`, `bufferManager`); `createTfjsPeer` checks they exist and refuses clearly otherwise.
 */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { BufferUsage, MapMode } from '@ulseg/kernels';
import type { Tf, TfTensor } from './definition.js';

/** tfjs-backend-webgpu version pinned in bench/package.json. */
export const TFJS_BACKEND_VERSION = '4.22.0';

interface BackendInternals {
  commandEncoder: GPUCommandEncoder | null;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  bufferManager: {
    numBytesAllocated: number;
    freeBuffers: Map<string, GPUBuffer[]>;
    numFreeBuffers: number;
  };
}

export interface PeerTiming {
  readonly wallMs: number;
  readonly gpuMs?: number;
}

export interface TfjsPeer {
  readonly tf: Tf;
  readonly version: string;
  /** Runs `run`, times it as Gpu.time does, disposes its outputs; throws on a WebGPU error in tfjs's work. */
  time(run: () => TfTensor | TfTensor[]): Promise<PeerTiming>;
  /** Bytes tfjs's buffer manager holds on the device (in use + free). */
  allocatedBytes(): number;
  /** Destroys the buffers tfjs keeps for reuse (between benchmarks). */
  trim(): void;
}

type BackendClass = new (device: GPUDevice, adapterInfo?: GPUAdapterInfo) => WebGPUBackend;

/**
 * Registers `webgpu` in tfjs as a backend on `device` and selects it. Replaces the factory tfjs registers by itself
 * in a browser (which would request its own adapter and device).
 */
export async function createTfjsPeer(tf: Tf, Backend: BackendClass, device: GPUDevice, adapterInfo?: GPUAdapterInfo): Promise<TfjsPeer> {
  const backend = new Backend(device, adapterInfo);
  const internals = backend as unknown as BackendInternals;
  for (const method of ['ensureCommandEncoderReady', 'endComputePassEncoder', 'submitQueue'] as const) {
    if (typeof internals[method] !== 'function') {
      throw new Error(`tfjs-backend-webgpu ${TFJS_BACKEND_VERSION}'s WebGPUBackend has no ${method}(): the peer's timing needs it`);
    }
  }
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => backend);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not initialise its webgpu backend on our device');
  // Small inputs would otherwise run on the CPU until first uploaded; benchmarks measure the GPU.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const timestamps = device.features.has('timestamp-query');

  const time = async (run: () => TfTensor | TfTensor[]): Promise<PeerTiming> => {
    await device.queue.onSubmittedWorkDone();
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let querySet: GPUQuerySet | undefined;
    let staging: GPUBuffer | undefined;
    let resolve: GPUBuffer | undefined;
    let outputs: TfTensor | TfTensor[];
    let start: number;
    const encoder = (): GPUCommandEncoder => {
      internals.ensureCommandEncoderReady();
      internals.endComputePassEncoder();
      if (!internals.commandEncoder) throw new Error('tfjs has no command encoder after ensureCommandEncoderReady()');
      return internals.commandEncoder;
    };
    try {
      if (timestamps) {
        querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
        encoder().beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0 } }).end();
      }
      start = performance.now();
      outputs = run();
      if (querySet) {
        const last = encoder();
        last.beginComputePass({ timestampWrites: { querySet, endOfPassWriteIndex: 1 } }).end();
        resolve = device.createBuffer({ size: 16, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC });
        staging = device.createBuffer({ size: 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
        last.resolveQuerySet(querySet, 0, 2, resolve, 0);
        last.copyBufferToBuffer(resolve, 0, staging, 0, 16);
      } else encoder();
      internals.submitQueue();
    } catch (error) {
      // Leave the device's error-scope stack as we found it, and nothing of ours behind.
      void device.popErrorScope().catch(() => undefined);
      void device.popErrorScope().catch(() => undefined);
      for (const resource of [querySet, resolve, staging]) resource?.destroy();
      throw error;
    }
    const validation = device.popErrorScope();
    const outOfMemory = device.popErrorScope();
    await device.queue.onSubmittedWorkDone();
    let gpuMs: number | undefined;
    if (staging) {
      await staging.mapAsync(MapMode.READ, 0, 16);
      const [begin, end] = new BigUint64Array(staging.getMappedRange(0, 16));
      if (begin !== undefined && end !== undefined && end > begin) gpuMs = Number(end - begin) / 1e6;
      staging.unmap();
    }
    const wallMs = performance.now() - start;
    staging?.destroy();
    resolve?.destroy();
    querySet?.destroy();
    for (const output of Array.isArray(outputs) ? outputs : [outputs]) output.dispose();
    const [invalid, memory] = await Promise.all([validation, outOfMemory]);
    if (invalid || memory) throw new Error(`tfjs's work raised a WebGPU error: ${(invalid ?? memory)?.message}`);
    return gpuMs === undefined ? { wallMs } : { wallMs, gpuMs };
  };

  return {
    tf,
    version: `tfjs-core ${tf.version_core}, tfjs-backend-webgpu ${TFJS_BACKEND_VERSION}`,
    time,
    allocatedBytes: () => internals.bufferManager.numBytesAllocated,
    trim() {
      const manager = internals.bufferManager;
      for (const [key, buffers] of manager.freeBuffers) {
        for (const buffer of buffers) {
          manager.numBytesAllocated -= buffer.size;
          buffer.destroy();
        }
        manager.freeBuffers.set(key, []);
      }
      manager.numFreeBuffers = 0;
    },
  };
}
