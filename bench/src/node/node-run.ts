/**
 * One run in Node: our Gpu on the requested Dawn adapter, tfjs-backend-webgpu on the same GPUDevice, the suite,
 * and the RunRecord with its metadata.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { Gpu } from '@ulseg/kernels';
import type { NodeAdapterChoice } from '../adapters.js';
import type { Benchmark } from '../definition.js';
import { withGpuRows } from '../families/index.js';
import { hostInfo, nodeRuntime } from '../report/metadata.js';
import { runSuite } from '../run-suite.js';
import { SCHEMA, type RunRecord, type RunSettings } from '../schema.js';
import { createTfjsPeer, type TfjsPeer } from '../tfjs-peer.js';
import { openNodeGpu } from './node-gpu.js';

export interface NodeRunOptions {
  readonly adapter: NodeAdapterChoice;
  /** A GEMM core forced for gemm and the convolutions (device profile override); the profile's when absent. */
  readonly variant?: 'tiled' | 'lanes' | 'subgroup' | null;
  readonly benchmarks: readonly Benchmark[];
  readonly settings: RunSettings;
  readonly stamp: string;
  readonly command: string;
  /** The checkout's commit when the invocation started (the bundles were made then). */
  readonly git: RunRecord['git'];
  readonly log: (line: string) => void;
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
  const started = new Date();
  const host = hostInfo();
  const { gpu, label, details, peak } = await openNodeGpu(options.adapter, options.variant, options.log);
  const notes: string[] = [];
  try {
    const benchmarks = withGpuRows(options.benchmarks, gpu.info.kind, options.settings);
    const peer = options.settings.peers ? await startPeer(gpu, notes) : null;
    for (const note of notes) options.log(`[${label}] ${note}`);
    const suite = await runSuite({ label, gpu, peer }, benchmarks, options.settings, options.log);
    return {
      schema: SCHEMA,
      suite: 'kernels',
      date: started.toISOString(),
      stamp: options.stamp,
      label,
      command: options.command,
      git: options.git,
      host,
      runtime: nodeRuntime(),
      adapter: gpu.info,
      adapterDetails: details,
      fp32Peak: peak,
      settings: options.settings,
      peer: peer ? { name: 'tfjs-backend-webgpu', version: peer.version, device: 'same GPUDevice as ours' } : null,
      copyBandwidthGBs: suite.copyBandwidthGBs,
      results: suite.results,
      wallSeconds: (Date.now() - started.getTime()) / 1000,
      notes,
    };
  } finally {
    await gpu.close();
  }
}
