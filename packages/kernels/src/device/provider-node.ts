/**
 * Node entry of adapter acquisition: Dawn through the npm `webgpu` package.
 * Dawn picks an adapter by name (`adapter=<substring>`); the list of names comes from Dawn itself.
 * SwiftShader's Vulkan ICD (shipped by Debian's chromium) is added to the loader's search with VK_ADD_DRIVER_FILES,
 * so lavapipe, SwiftShader and any hardware GPU are all visible in one process.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GpuUnavailableError, INSTALL_ADVICE } from './errors.js';
import { classifyAdapter, type AdapterKind, type ResolvedAdapterKind } from './adapters.js';
import type { AdapterRequest } from './provider-browser.js';

export type { AdapterRequest };

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface DawnModule {
  create(flags: string[]): GPU;
}

let dawn: DawnModule | undefined;
const instances = new Map<string, GPU>();

function loadDawn(): DawnModule {
  if (dawn) return dawn;
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    const added = process.env.VK_ADD_DRIVER_FILES;
    process.env.VK_ADD_DRIVER_FILES = added ? `${added}:${SWIFTSHADER_ICD}` : SWIFTSHADER_ICD;
  }
  try {
    dawn = createRequire(import.meta.url)('webgpu') as DawnModule;
  } catch (error) {
    throw new GpuUnavailableError(
      `Could not load the npm package 'webgpu' (Dawn for Node): ${(error as Error).message}. Run \`pnpm install\`.`,
    );
  }
  return dawn;
}

function instance(flags: string[]): GPU {
  const key = flags.join('\n');
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = loadDawn().create(flags);
    instances.set(key, gpu);
  }
  return gpu;
}

/** Names of the adapters Dawn can see, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`, `SwiftShader Device (Subzero)`. */
export async function listAdapterNames(): Promise<string[]> {
  try {
    // Dawn answers an unknown adapter name with the list of the ones it has.
    await loadDawn().create(['adapter=ulseg-list-adapters']).requestAdapter();
    return [];
  } catch (error) {
    const message = (error as Error).message;
    return [...message.matchAll(/name: '([^']*)'/g)].map((match) => match[1] ?? '').filter((name) => name !== '');
  }
}

export function environmentAdapterKind(): string | undefined {
  return process.env.ULSEG_ADAPTER;
}

function kindOfName(name: string): ResolvedAdapterKind {
  return classifyAdapter({ description: name });
}

export async function requestAdapter(request: AdapterRequest): Promise<GPUAdapter> {
  const names = await listAdapterNames();
  const wanted: ResolvedAdapterKind[] =
    request.kind === 'auto' ? ['hardware', 'lavapipe', 'swiftshader'] : [request.kind as ResolvedAdapterKind];
  for (const kind of wanted) {
    const name = names.find((candidate) => kindOfName(candidate) === kind);
    if (name === undefined) continue;
    const gpu = instance([`adapter=${name}`]);
    const adapter = await gpu.requestAdapter({ powerPreference: request.powerPreference ?? 'high-performance' });
    if (adapter) return adapter;
  }
  if (names.length === 0 && request.kind === 'auto') {
    // Dawn's adapter listing changed format: let it choose.
    const adapter = await instance([]).requestAdapter({ powerPreference: request.powerPreference ?? 'high-performance' });
    if (adapter) return adapter;
  }
  throw new GpuUnavailableError(noAdapterMessage(request.kind, names));
}

function noAdapterMessage(kind: AdapterKind, names: string[]): string {
  const seen = names.length ? `Dawn sees: ${names.map((name) => `'${name}'`).join(', ')}.` : 'Dawn sees no adapter at all.';
  const hint: Record<AdapterKind, string> = {
    auto: INSTALL_ADVICE,
    lavapipe: 'lavapipe needs Mesa >= 23: `apt-get install -t bookworm-backports mesa-vulkan-drivers` (Debian 12).',
    swiftshader: `SwiftShader's Vulkan ICD is expected at ${SWIFTSHADER_ICD}: \`apt-get install chromium\`.`,
    hardware: 'No hardware GPU with a Vulkan driver is visible; use ULSEG_ADAPTER=lavapipe or swiftshader.',
  };
  return `No WebGPU adapter of kind '${kind}'. ${seen} ${hint[kind]}`;
}
