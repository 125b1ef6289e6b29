/** The adapters a test run covers, and one cached Gpu per adapter for the process. */
import { createGpu } from '../device/create-gpu.js';
import { parseAdapterKind, type AdapterKind } from '../device/adapters.js';
import type { Gpu } from '../runtime/gpu.js';

/**
 * Adapter kinds the tests must run on. Node default: lavapipe and SwiftShader (both are installed by scripts/setup);
 * override with ULSEG_TEST_ADAPTERS=lavapipe,swiftshader,hardware. A listed adapter that is missing fails the run:
 * nothing is skipped silently.
 */
export function testAdapterKinds(): AdapterKind[] {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const listed = env?.ULSEG_TEST_ADAPTERS ?? 'lavapipe,swiftshader';
  return listed
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '')
    .map((value) => parseAdapterKind(value, 'ULSEG_TEST_ADAPTERS'));
}

const gpus = new Map<AdapterKind, Promise<Gpu>>();

export function gpuFor(kind: AdapterKind): Promise<Gpu> {
  let gpu = gpus.get(kind);
  if (!gpu) {
    gpu = createGpu({ adapter: kind });
    gpus.set(kind, gpu);
  }
  return gpu;
}

export async function destroyTestGpus(): Promise<void> {
  for (const gpu of gpus.values()) (await gpu.catch(() => undefined))?.destroy();
  gpus.clear();
}
