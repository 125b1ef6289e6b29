/**
 * What the page needs from the browser: WebGPU (`navigator.gpu` and an adapter), and adapter limits at least as large
 * as the kernels assume (the WebGPU core defaults: 8 storage buffers per stage, 256 invocations and 16 KiB of
 * workgroup storage per workgroup). Each shortfall becomes one sentence that names the limit, the adapter's value and
 * the need. No DOM here beyond `navigator` (the limit check is a pure function, tested in Node).
 */
import { limitsRecord } from '@ulseg/kernels';

/** Limits the kernels rely on and their minimum values. */
export const REQUIRED_LIMITS: Readonly<Record<string, number>> = {
  // The widest kernel binds 8 storage buffers (binding 1..8).
  maxStorageBuffersPerShaderStage: 8,
  // Workgroups of up to 256 threads (reductions, GEMM tiles).
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  // GEMM tiles: two vec4 tiles in workgroup memory.
  maxComputeWorkgroupStorageSize: 16384,
};

export class WebGpuMissingError extends Error {
  override name = 'WebGpuMissingError';
}

export class AdapterLimitError extends Error {
  override name = 'AdapterLimitError';
}

export const NO_WEBGPU_MESSAGE =
  'This browser has no WebGPU (navigator.gpu is undefined), so ulseg cannot run here. Use Chrome or Edge 113+ ' +
  '(or Firefox 141+ / Safari 26+) over https or http://127.0.0.1; on Linux, Chromium may need --enable-unsafe-webgpu.';

/** Problems of `limits` against {@link REQUIRED_LIMITS}, one sentence each; empty when the adapter is enough. */
export function limitProblems(limits: Readonly<Record<string, number | undefined>>, adapterName: string): string[] {
  const problems: string[] = [];
  for (const [name, needed] of Object.entries(REQUIRED_LIMITS)) {
    const value = limits[name];
    if (typeof value !== 'number' || value < needed) {
      problems.push(`The adapter '${adapterName}' offers ${name} = ${value ?? 'nothing'}; ulseg's kernels need at least ${needed}.`);
    }
  }
  return problems;
}

/** The adapter the page will use, checked; throws WebGpuMissingError or AdapterLimitError with the message to show. */
export async function checkWebGpu(): Promise<GPUAdapter> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) throw new WebGpuMissingError(NO_WEBGPU_MESSAGE);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGpuMissingError(
      'This browser has WebGPU but offered no adapter (navigator.gpu.requestAdapter() returned null): the GPU may be ' +
        'blocklisted or disabled. Check chrome://gpu, update the graphics driver, or start Chromium with --enable-unsafe-webgpu.',
    );
  }
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.device, info?.description].filter((part) => part).join(' ') || 'unknown';
  const problems = limitProblems(limitsRecord(adapter.limits, Object.keys(REQUIRED_LIMITS)), name);
  if (problems.length > 0) throw new AdapterLimitError(`${problems.join(' ')} Try another browser or GPU.`);
  return adapter;
}

/** A kernel refused a run over a device limit: the message, with what to change on this page. */
export function explainLimitError(error: Error): string | undefined {
  const match = /(maxStorageBufferBindingSize|maxBufferSize|maxComputeWorkgroupsPerDimension)/.exec(error.message);
  if (!match) return undefined;
  return `${error.message} This adapter's ${match[1]} is too small for this run: lower the resolution or use fewer test-time views.`;
}
