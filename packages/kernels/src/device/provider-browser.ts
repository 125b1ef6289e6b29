/** Browser entry of adapter acquisition: `navigator.gpu`. The adapter kind is whatever the browser was started with. */
import { GpuUnavailableError, INSTALL_ADVICE } from './errors.js';
import type { AdapterKind } from './adapters.js';

export interface AdapterRequest {
  kind: AdapterKind;
  featureLevel?: 'core' | 'compatibility';
  powerPreference?: GPUPowerPreference;
}

export function environmentAdapterKind(): string | undefined {
  return undefined;
}

/** Hardware threads the browser reports: the cores a CPU adapter spreads workgroups over. */
export function hostCores(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

export async function requestAdapter(request: AdapterRequest): Promise<GPUAdapter> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    throw new GpuUnavailableError(
      'This browser exposes no WebGPU (navigator.gpu is undefined). Use a WebGPU-capable browser over https or ' +
        'http://127.0.0.1, or start Chromium with --enable-unsafe-webgpu. ' + INSTALL_ADVICE,
    );
  }
  const options: GPURequestAdapterOptions & { featureLevel?: string } = {
    powerPreference: request.powerPreference ?? 'high-performance',
  };
  if (request.featureLevel) options.featureLevel = request.featureLevel;
  const adapter = await gpu.requestAdapter(options);
  if (!adapter) {
    throw new GpuUnavailableError(
      `navigator.gpu.requestAdapter(${JSON.stringify(options)}) returned no adapter. ` + INSTALL_ADVICE,
    );
  }
  return adapter;
}
