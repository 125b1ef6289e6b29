/**
 * The Chromium adapter configurations (Node only: `@ulseg/kernels/chromium`): Chromium flags, the environment of the
 * Chromium process, what createGpu is asked for in the page, and how to tell that the page really got that adapter.
 * Used by the browser tests (test/browser), the bench and the CLI's `--runtime chromium`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterKind } from '../device/adapters.js';
import type { GpuInfo } from '../runtime/gpu.js';

export const SETUP_ADVICE = 'Run `bash scripts/setup` from the ulseg checkout';

/** A requirement of the browser run is missing: the message says what to install. */
export class BrowserSetupError extends Error {
  override name = 'BrowserSetupError';
}

/** What the page reports about the Gpu it created. */
export interface PageGpu {
  readonly info: GpuInfo;
  /** Features of the adapter itself (a compatibility-mode adapter lacks `core-features-and-limits`). */
  readonly adapterFeatures: readonly string[];
}

export interface BrowserAdapter {
  /** `chromium/swiftshader`, `chromium/compat`: the describe() name and the adapter label cases see. */
  readonly name: string;
  /** Kind createGpu must classify the page's adapter as. */
  readonly kind: AdapterKind;
  readonly featureLevel: 'core' | 'compatibility';
  /** What the page must get, in words (for error messages). */
  readonly expected: string;
  /** Chromium flags that select the adapter (the harness adds COMMON_FLAGS). */
  flags(): string[];
  /** Extra environment of the Chromium process. Throws BrowserSetupError when something is not installed. */
  env(): Record<string, string>;
  /** Problems with the Gpu the page created; empty when it is the intended adapter. */
  verify(gpu: PageGpu): string[];
}

/** Flags every browser session gets. */
export const COMMON_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-webgpu-developer-features',
  '--headless=new',
];

/** Chromium's executable: ULSEG_CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumExecutable(): string {
  const path = process.env.ULSEG_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new BrowserSetupError(
      `Chromium was not found at ${path}. ${SETUP_ADVICE} (it installs Debian's \`chromium\` package, which also ` +
        'ships SwiftShader), or point ULSEG_CHROMIUM at a Chromium 121+ binary.',
    );
  }
  return path;
}

function adapterText(info: GpuInfo): string {
  return [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase();
}

const CHROMIUM_SWIFTSHADER = ['/usr/lib/chromium/libvk_swiftshader.so', '/usr/lib/chromium/vk_swiftshader_icd.json'];

export const SWIFTSHADER: BrowserAdapter = {
  name: 'chromium/swiftshader',
  kind: 'swiftshader',
  featureLevel: 'core',
  expected: "SwiftShader (Vulkan, core WebGPU): adapter info mentioning 'swiftshader'",
  flags: () => [
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-vulkan=swiftshader',
    '--use-webgpu-adapter=swiftshader',
    '--disable-vulkan-surface',
  ],
  env(): Record<string, string> {
    // Only checked for Debian's chromium, whose SwiftShader lives beside it; other builds carry their own.
    if (!process.env.ULSEG_CHROMIUM && !CHROMIUM_SWIFTSHADER.some((path) => existsSync(path))) {
      throw new BrowserSetupError(
        `Chromium's SwiftShader (${CHROMIUM_SWIFTSHADER.join(' or ')}) is missing. ${SETUP_ADVICE} ` +
          "(Debian's `chromium` package ships it).",
      );
    }
    return {};
  },
  verify({ info, adapterFeatures }) {
    const problems: string[] = [];
    if (!adapterText(info).includes('swiftshader')) problems.push("adapter info does not mention 'swiftshader'");
    if (info.kind !== 'swiftshader') problems.push(`classified as '${info.kind}', not 'swiftshader'`);
    if (info.featureLevel !== 'core') problems.push(`feature level '${info.featureLevel}', not 'core'`);
    if (!adapterFeatures.includes('core-features-and-limits')) problems.push('adapter lacks core-features-and-limits');
    return problems;
  },
};

const ICD_DIRECTORIES = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

/** lavapipe's Vulkan ICD manifest (lvp_icd.json, lvp_icd.x86_64.json, ...), or undefined. */
export function lavapipeIcd(): string | undefined {
  for (const directory of ICD_DIRECTORIES) {
    if (!existsSync(directory)) continue;
    const found = readdirSync(directory)
      .filter((name) => /^lvp_icd.*\.json$/.test(name))
      .sort();
    if (found[0] !== undefined) return join(directory, found[0]);
  }
  return undefined;
}

/**
 * ANGLE backend under the compat adapter: `vulkan` (ANGLE on lavapipe, the default) or `gl-egl` (ANGLE on Mesa's
 * llvmpipe OpenGL through EGL). Both give an llvmpipe compatibility-mode adapter with Chromium 156 on Debian 12.
 */
export function compatAngleBackend(): 'vulkan' | 'gl-egl' {
  const value = process.env.ULSEG_BROWSER_COMPAT_ANGLE || 'vulkan';
  if (value !== 'vulkan' && value !== 'gl-egl') {
    throw new BrowserSetupError(`ULSEG_BROWSER_COMPAT_ANGLE must be 'vulkan' or 'gl-egl', not '${value}'`);
  }
  return value;
}

export const COMPAT: BrowserAdapter = {
  name: 'chromium/compat',
  kind: 'lavapipe',
  featureLevel: 'compatibility',
  expected: 'llvmpipe through ANGLE (OpenGL ES backend, WebGPU compatibility mode)',
  flags() {
    const common = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=opengles', '--use-gl=angle'];
    if (compatAngleBackend() === 'gl-egl') {
      return [...common, '--use-angle=gl-egl', '--ignore-gpu-blocklist', '--disable-vulkan-surface'];
    }
    return [
      ...common,
      '--use-angle=vulkan',
      '--use-vulkan=native',
      '--enable-features=Vulkan',
      '--ignore-gpu-blocklist',
      '--disable-vulkan-surface',
    ];
  },
  env(): Record<string, string> {
    if (compatAngleBackend() === 'gl-egl') return {};
    const icd = lavapipeIcd();
    if (!icd) {
      throw new BrowserSetupError(
        `lavapipe's Vulkan ICD (lvp_icd*.json in ${ICD_DIRECTORIES.join(' or ')}) is missing. ${SETUP_ADVICE} ` +
          '(it installs Mesa >= 23 `mesa-vulkan-drivers`).',
      );
    }
    return { VK_ICD_FILENAMES: icd };
  },
  verify({ info, adapterFeatures }) {
    const problems: string[] = [];
    const text = adapterText(info);
    if (!text.includes('angle')) problems.push("adapter info does not mention 'ANGLE' (not the OpenGL ES backend)");
    if (!text.includes('llvmpipe')) problems.push("adapter info does not mention 'llvmpipe'");
    if (info.featureLevel !== 'compatibility') problems.push(`feature level '${info.featureLevel}', not 'compatibility'`);
    if (adapterFeatures.includes('core-features-and-limits')) {
      problems.push('adapter has core-features-and-limits: a core adapter, not compatibility mode');
    }
    return problems;
  },
};

/**
 * Flags that make headless Chromium expose the machine's GPU to WebGPU, per platform:
 * - Linux: Dawn's Vulkan backend (`--enable-features=Vulkan`), with ANGLE on Vulkan too (`--use-angle=vulkan`,
 *   `VulkanFromANGLE`, `DefaultANGLEVulkan`: without them Chromium 131+ on Linux keeps WebGPU off the GPU,
 *   gpuweb/gpuweb#5022), the native Vulkan loader rather than SwiftShader, no surface (headless), and the GPU
 *   blocklist ignored (headless servers' drivers are often on it).
 * - macOS: Dawn's Metal backend is the default; ANGLE on Metal for the rest of the GPU process.
 * - Windows: Dawn's D3D12 backend is the default; ANGLE on D3D11 (its default) for the rest.
 * Every platform needs `--enable-unsafe-webgpu` for WebGPU in headless mode and on blocklisted drivers.
 * `platform` is a Node `process.platform` value (typed as a string so the browser build needs no Node types).
 */
export function hardwareFlags(platform: string = process.platform): string[] {
  const common = ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist'];
  switch (platform) {
    case 'darwin':
      return [...common, '--use-angle=metal'];
    case 'win32':
      return [...common, '--use-angle=d3d11'];
    default:
      return [...common, '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan', '--use-angle=vulkan', '--use-vulkan=native', '--disable-vulkan-surface'];
  }
}

/**
 * A hardware GPU (Linux: Vulkan; macOS: Metal; Windows: D3D12; hardwareFlags). Chromium picks the adapter and the
 * page asks for `powerPreference: 'high-performance'`; the check only refuses a CPU adapter (SwiftShader or
 * llvmpipe), which is what Chromium falls back to when it finds no usable GPU.
 */
export const HARDWARE: BrowserAdapter = {
  name: 'chromium/hardware',
  kind: 'hardware',
  featureLevel: 'core',
  expected: 'a hardware GPU (Dawn on Vulkan, Metal or D3D12)',
  flags: () => hardwareFlags(),
  env: () => ({}),
  verify({ info }) {
    return info.kind === 'hardware' ? [] : [`got the CPU adapter '${info.description || info.device}' (${info.kind}): Chromium found no usable GPU`];
  },
};

export const BROWSER_ADAPTERS: readonly BrowserAdapter[] = [SWIFTSHADER, COMPAT];

/**
 * The Chromium configuration for an `--adapter` kind: swiftshader → SwiftShader; lavapipe → the compatibility adapter
 * (lavapipe through ANGLE: Chromium's WebGPU does not expose lavapipe as a Vulkan adapter); hardware → HARDWARE;
 * auto → HARDWARE on a machine with a GPU device node (/dev/dri/renderD*, /dev/nvidia0), else SwiftShader.
 */
export function chromiumAdapterFor(kind: AdapterKind): BrowserAdapter {
  switch (kind) {
    case 'swiftshader':
      return SWIFTSHADER;
    case 'lavapipe':
      return COMPAT;
    case 'hardware':
      return HARDWARE;
    case 'auto':
      return hasGpuDevice() ? HARDWARE : SWIFTSHADER;
  }
}

function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** The adapters to run: ULSEG_BROWSER_ADAPTERS=chromium/swiftshader,chromium/compat (names or swiftshader,compat). */
export function browserAdapters(): BrowserAdapter[] {
  const listed = process.env.ULSEG_BROWSER_ADAPTERS;
  if (!listed) return [...BROWSER_ADAPTERS];
  return listed
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '')
    .map((value) => {
      const adapter = BROWSER_ADAPTERS.find((candidate) => candidate.name === value || candidate.name === `chromium/${value}`);
      if (!adapter) {
        throw new Error(`ULSEG_BROWSER_ADAPTERS: unknown adapter '${value}'. Choose from ${BROWSER_ADAPTERS.map((a) => a.name).join(', ')}.`);
      }
      return adapter;
    });
}
