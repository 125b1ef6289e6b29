/**
 * The runs in Node, one per suite: our Gpu on the requested Dawn adapter (node-gpu.ts), the suite's body, and its
 * record with the metadata every record shares. Kernels: tfjs-backend-webgpu on the same GPUDevice. Model: the
 * rows asked for and the GPU-sized rows, with onnxruntime-web as the `--peer ort` model peer.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { Gpu } from '@ulseg/kernels';
import type { NodeAdapterChoice } from '../adapters.js';
import type { Benchmark } from '../definition.js';
import { withGpuRows } from '../families/index.js';
import { runModelSuiteWithGpuRows } from '../model/gpu-rows.js';
import type { ModelBenchSettings, ModelRunRecord } from '../model/schema.js';
import { hostInfo, loadNote, nodeRuntime, type RecordHeader } from '../report/metadata.js';
import { runSuite } from '../run-suite.js';
import { SCHEMA, type RunRecord, type RunSettings } from '../schema.js';
import type { SuiteContext } from '../suite.js';
import { createTfjsPeer, type TfjsPeer } from '../tfjs-peer.js';
import { openNodeGpu, type NodeGpu } from './node-gpu.js';
// Provides onnxruntime-web to the `--peer ort` model peer in Node (ORT's browser bundle on a Dawn adapter).
import './ort-node.js';

/** What a run in Node needs besides the suite's own options. */
export interface NodeRunContext extends Pick<SuiteContext, 'stamp' | 'command' | 'git' | 'log'> {
  readonly adapter: NodeAdapterChoice;
  /** A GEMM core forced for gemm and the convolutions (device profile override); the profile's when absent. */
  readonly variant?: 'tiled' | 'lanes' | 'subgroup' | null;
  /** The device profile's convIm2col forced on or off; the profile's when absent. */
  readonly im2col?: boolean | null;
}

export interface NodeRunOptions extends NodeRunContext {
  readonly benchmarks: readonly Benchmark[];
  readonly settings: RunSettings;
}

export interface ModelNodeRunOptions extends NodeRunContext {
  readonly settings: ModelBenchSettings;
}

/** Opens our Gpu on the adapter asked for, runs `body` on it, closes it; the record's header and wall time. */
async function onNodeGpu<T>(context: NodeRunContext, body: (opened: NodeGpu) => Promise<T>): Promise<{ header: RecordHeader; result: T; wallSeconds: number }> {
  const started = new Date();
  const host = hostInfo();
  const opened = await openNodeGpu(context.adapter, context.variant, context.log, context.im2col);
  const { gpu, label, details, peak } = opened;
  try {
    const result = await body(opened);
    const header: RecordHeader = {
      schema: SCHEMA,
      date: started.toISOString(),
      stamp: context.stamp,
      label,
      command: context.command,
      git: context.git,
      host,
      runtime: nodeRuntime(),
      adapter: gpu.info,
      adapterDetails: details,
      fp32Peak: peak,
    };
    return { header, result, wallSeconds: (Date.now() - started.getTime()) / 1000 };
  } finally {
    await gpu.close();
  }
}

/**
 * tfjs-backend-webgpu wants `navigator.gpu` to exist and WebGPU's global constants (GPUBufferUsage, GPUBuffer for
 * instanceof): Node 20 has neither. The navigator we install refuses to hand out adapters: tfjs gets our device.
 */
function installWebGpuGlobals(): void {
  const dawn = createRequire(import.meta.url)('webgpu') as { globals: Record<string, unknown> };
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
  }
  const scope = globalThis as { navigator?: { gpu?: unknown } };
  if (!scope.navigator?.gpu) {
    const gpu = {
      requestAdapter: () => Promise.reject(new Error('the bench gives tfjs its GPUDevice; tfjs must not request an adapter')),
      getPreferredCanvasFormat: () => 'rgba8unorm',
    };
    Object.defineProperty(globalThis, 'navigator', { value: { ...(scope.navigator ?? {}), gpu }, configurable: true, writable: true });
  }
}

export async function startPeer(gpu: Gpu, notes: string[]): Promise<TfjsPeer | null> {
  try {
    installWebGpuGlobals();
    const adapterInfo = (gpu.device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return await createTfjsPeer(tf, WebGPUBackend, gpu.device, adapterInfo);
  } catch (error) {
    notes.push(`tfjs peer unavailable: ${(error as Error).message}`);
    return null;
  }
}

export async function runInNode(options: NodeRunOptions): Promise<RunRecord> {
  const notes: string[] = [];
  const { header, result, wallSeconds } = await onNodeGpu(options, async ({ gpu, label }) => {
    const benchmarks = withGpuRows(options.benchmarks, gpu.info.kind, options.settings);
    const peer = options.settings.peers ? await startPeer(gpu, notes) : null;
    for (const note of notes) options.log(`[${label}] ${note}`);
    const suite = await runSuite({ label, gpu, peer }, benchmarks, options.settings, options.log);
    return { suite, peer };
  });
  const { suite, peer } = result;
  return {
    ...header,
    suite: 'kernels',
    settings: options.settings,
    peer: peer ? { name: 'tfjs-backend-webgpu', version: peer.version, device: 'same GPUDevice as ours' } : null,
    copyBandwidthGBs: suite.copyBandwidthGBs,
    results: suite.results,
    wallSeconds,
    notes,
  };
}

export async function runModelInNode(options: ModelNodeRunOptions): Promise<ModelRunRecord> {
  const notes: string[] = [];
  const { header, result: suite, wallSeconds } = await onNodeGpu(options, async ({ gpu, label }) => {
    options.log(`[${label}] load average ${hostInfo().loadAverage.join(' / ')}`);
    const outcome = await runModelSuiteWithGpuRows({ label, gpu, runtime: 'node', log: options.log }, options.settings);
    notes.push(...outcome.notes);
    if (gpu.hasTimestamps && options.settings.profile) {
      notes.push('Dawn in Node quantizes timestamps to 65.5 µs: per-dispatch times are coarse, their per-kernel sums unbiased');
    }
    return outcome;
  });
  return { ...header, suite: 'model', settings: options.settings, model: suite.model, peer: suite.peer, rows: suite.rows, wallSeconds, notes: [...notes, loadNote()] };
}
