/**
 * Node entry of adapter acquisition: Dawn through the npm `webgpu` package.
 * Dawn picks an adapter by name (`adapter=<substring>`); the list of names comes from Dawn itself.
 * SwiftShader's Vulkan ICD (shipped by Debian's chromium) is added to the loader's search with VK_ADD_DRIVER_FILES
 * only while creating an instance that needs it (the loader reads the variable at each instance creation), so
 * lavapipe, SwiftShader and any hardware GPU are all usable in one process and SwiftShader's start-up warnings appear
 * only when it is used.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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
  try {
    dawn = createRequire(import.meta.url)('webgpu') as DawnModule;
  } catch (error) {
    throw new GpuUnavailableError(
      `Could not load the npm package 'webgpu' (Dawn for Node): ${(error as Error).message}. Run \`pnpm install\`.`,
    );
  }
  return dawn;
}

/**
 * Runs `body` with SwiftShader's ICD added to the Vulkan loader's search (unless the user pinned the ICDs). Dawn
 * creates its Vulkan instance when the first adapter is requested, so `body` spans create() and requestAdapter().
 */
async function withSwiftShader<T>(enabled: boolean, body: () => Promise<T>): Promise<T> {
  const pinned = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  if (!enabled || pinned || !existsSync(SWIFTSHADER_ICD)) return body();
  const saved = process.env.VK_ADD_DRIVER_FILES;
  process.env.VK_ADD_DRIVER_FILES = saved ? `${saved}:${SWIFTSHADER_ICD}` : SWIFTSHADER_ICD;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.VK_ADD_DRIVER_FILES;
    else process.env.VK_ADD_DRIVER_FILES = saved;
  }
}

async function adapterOf(flags: string[], swiftShader: boolean, options: GPURequestAdapterOptions): Promise<GPUAdapter | null> {
  const key = `${swiftShader}\n${flags.join('\n')}`;
  return withSwiftShader(swiftShader, async () => {
    let gpu = instances.get(key);
    if (!gpu) {
      gpu = loadDawn().create(flags);
      instances.set(key, gpu);
    }
    return gpu.requestAdapter(options);
  });
}

/**
 * Names of the adapters Dawn can see, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`, `SwiftShader Device (Subzero)`;
 * SwiftShader is looked for only when `includeSwiftShader`.
 */
export async function listAdapterNames(includeSwiftShader = true): Promise<string[]> {
  try {
    // Dawn answers an unknown adapter name with the list of the ones it has.
    await withSwiftShader(includeSwiftShader, () => loadDawn().create(['adapter=ulseg-list-adapters']).requestAdapter());
    return [];
  } catch (error) {
    const message = (error as Error).message;
    return [...message.matchAll(/name: '([^']*)'/g)].map((match) => match[1] ?? '').filter((name) => name !== '');
  }
}

export function environmentAdapterKind(): string | undefined {
  return process.env.ULSEG_ADAPTER;
}

/** Hardware threads of this host: the cores a CPU adapter spreads workgroups over. */
export function hostCores(): number {
  return availableParallelism();
}

function kindOfName(name: string): ResolvedAdapterKind {
  return classifyAdapter({ description: name });
}

export async function requestAdapter(request: AdapterRequest): Promise<GPUAdapter> {
  let names = await listAdapterNames(request.kind === 'swiftshader');
  let swiftShader = request.kind === 'swiftshader';
  if (request.kind === 'auto' && !names.some((name) => kindOfName(name) !== 'swiftshader')) {
    names = await listAdapterNames(true);
    swiftShader = true;
  }
  const wanted: ResolvedAdapterKind[] =
    request.kind === 'auto' ? ['hardware', 'lavapipe', 'swiftshader'] : [request.kind as ResolvedAdapterKind];
  for (const kind of wanted) {
    const name = names.find((candidate) => kindOfName(candidate) === kind);
    if (name === undefined) continue;
    const options = { powerPreference: request.powerPreference ?? 'high-performance' } as const;
    const adapter = await adapterOf([`adapter=${name}`], swiftShader, options);
    if (adapter) return adapter;
  }
  if (names.length === 0 && request.kind === 'auto') {
    // Dawn's adapter listing changed format: let it choose.
    const adapter = await adapterOf([], true, { powerPreference: request.powerPreference ?? 'high-performance' });
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
