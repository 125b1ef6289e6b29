/**
 * The bench page, bundled by esbuild with every benchmark definition and tfjs: `window.__ulsegBench.run(options)`
 * creates our Gpu on the browser's adapter, puts tfjs-backend-webgpu on the same GPUDevice, runs the suite and
 * reports progress lines and the results through the binding the Node side exposes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { createGpu, type Gpu } from '@ulseg/kernels';
import { adapterDetails } from '../adapter-details.js';
import { KERNEL_BENCHMARKS, withGpuRows } from '../families/index.js';
import { runSuite } from '../run-suite.js';
import { createTfjsPeer, type TfjsPeer } from '../tfjs-peer.js';
import { BINDING, type PageEvent, type PageRunOptions } from './protocol.js';

declare global {
  interface Window {
    __ulsegBench?: { run(options: PageRunOptions): Promise<void> };
    [BINDING]?: (event: PageEvent) => Promise<void>;
  }
}

async function emit(event: PageEvent): Promise<void> {
  const send = window[BINDING];
  if (!send) throw new Error(`the harness did not expose ${BINDING}`);
  await send(event);
}

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

async function startPeer(gpu: Gpu, notes: string[]): Promise<TfjsPeer | null> {
  try {
    const adapterInfo = (gpu.device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return await createTfjsPeer(tf, WebGPUBackend, gpu.device, adapterInfo);
  } catch (error) {
    notes.push(`tfjs peer unavailable: ${(error as Error).message}`);
    return null;
  }
}

async function run(options: PageRunOptions): Promise<void> {
  let gpu: Gpu | undefined;
  try {
    gpu = await createGpu({ adapter: options.kind, featureLevel: options.featureLevel });
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: options.featureLevel } as GPURequestAdapterOptions);
    const details = adapterDetails((adapter?.info ?? gpu.info) as unknown as Record<string, unknown>, gpu.device.limits);
    await emit({ type: 'gpu', info: gpu.info, adapterFeatures: adapter ? [...adapter.features].sort() : [], details });
    const notes: string[] = [];
    const peer = options.settings.peers ? await startPeer(gpu, notes) : null;
    for (const note of notes) await emit({ type: 'line', line: `[${options.label}] ${note}` });
    const byName = new Map(KERNEL_BENCHMARKS.map((benchmark) => [benchmark.name, benchmark]));
    const named = options.names.map((name) => {
      const benchmark = byName.get(name);
      if (!benchmark) throw new Error(`the page has no benchmark named '${name}' (stale bundle?)`);
      return benchmark;
    });
    const benchmarks = withGpuRows(named, gpu.info.kind, options.settings);
    const lines: Promise<void>[] = [];
    const suite = await runSuite({ label: options.label, gpu, peer }, benchmarks, options.settings, (line) => {
      lines.push(emit({ type: 'line', line }));
    });
    await Promise.all(lines);
    await emit({
      type: 'done',
      results: suite.results,
      copyBandwidthGBs: suite.copyBandwidthGBs,
      peer: peer ? { name: 'tfjs-backend-webgpu', version: peer.version, device: 'same GPUDevice as ours' } : null,
      notes,
    });
  } catch (error) {
    await emit({ type: 'fatal', error: describe(error) });
  } finally {
    gpu?.destroy();
  }
}

window.__ulsegBench = { run };
void emit({ type: 'ready', userAgent: navigator.userAgent, benchmarks: KERNEL_BENCHMARKS.length });
