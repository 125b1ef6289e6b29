/**
 * The kernels page, bundled by esbuild with every benchmark definition and tfjs: `run(options)` (page-runner.ts) puts
 * tfjs-backend-webgpu on our Gpu's device, runs the rows named (and the GPU-sized ones where they apply) and returns
 * the results.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { Gpu } from '@ulseg/kernels';
import { KERNEL_BENCHMARKS, withGpuRows } from '../families/index.js';
import { runSuite } from '../run-suite.js';
import { createTfjsPeer, type TfjsPeer } from '../tfjs-peer.js';
import { servePage } from './page-runner.js';
import { PAGE_ENTRY, type KernelsPageDone, type PageRunOptions } from './protocol.js';

async function startPeer(gpu: Gpu, notes: string[]): Promise<TfjsPeer | null> {
  try {
    const adapterInfo = (gpu.device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return await createTfjsPeer(tf, WebGPUBackend, gpu.device, adapterInfo);
  } catch (error) {
    notes.push(`tfjs peer unavailable: ${(error as Error).message}`);
    return null;
  }
}

servePage<PageRunOptions, KernelsPageDone>(
  PAGE_ENTRY.kernels,
  async (gpu, options, log) => {
    const notes: string[] = [];
    const peer = options.settings.peers ? await startPeer(gpu, notes) : null;
    for (const note of notes) log(`[${options.label}] ${note}`);
    const byName = new Map(KERNEL_BENCHMARKS.map((benchmark) => [benchmark.name, benchmark]));
    const named = options.names.map((name) => {
      const benchmark = byName.get(name);
      if (!benchmark) throw new Error(`the page has no benchmark named '${name}' (stale bundle?)`);
      return benchmark;
    });
    const benchmarks = withGpuRows(named, gpu.info.kind, options.settings);
    const suite = await runSuite({ label: options.label, gpu, peer }, benchmarks, options.settings, log);
    return {
      results: suite.results,
      copyBandwidthGBs: suite.copyBandwidthGBs,
      peer: peer ? { name: 'tfjs-backend-webgpu', version: peer.version, device: 'same GPUDevice as ours' } : null,
      notes,
    };
  },
  KERNEL_BENCHMARKS.length,
);
