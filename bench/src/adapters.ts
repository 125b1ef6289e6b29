/**
 * Which adapters a bench run uses, in one place for the kernel and the model suites: the `--adapter` (Node) and
 * `--browser-adapters` (Chromium) choices, and what `hardware` and `auto` become on this machine. Chromium is asked
 * first (a probe: Chromium started with the hardware flags, `requestAdapter({ powerPreference: 'high-performance' })`);
 * when it offers no hardware adapter, one line says so and names the flags tried, and the run goes on with the
 * software adapters (`auto`: SwiftShader).
 */
import { COMPAT, HARDWARE, SWIFTSHADER, type BrowserAdapter } from '@ulseg/kernels/chromium';
import type { AdapterDetails } from './adapter-details.js';
import { UsageError } from './usage-error.js';

export const NODE_ADAPTERS = ['lavapipe', 'swiftshader', 'hardware', 'auto'] as const;
export type NodeAdapterChoice = (typeof NODE_ADAPTERS)[number];

export const BROWSER_ADAPTER_CHOICES = ['swiftshader', 'compat', 'hardware', 'auto'] as const;
export type BrowserAdapterChoice = (typeof BROWSER_ADAPTER_CHOICES)[number];

/** `--adapter <kind>`: the Dawn adapter in Node (`auto`: hardware, else lavapipe, else SwiftShader, as createGpu). */
export function parseNodeAdapter(value: string | undefined): NodeAdapterChoice {
  if (!(NODE_ADAPTERS as readonly (string | undefined)[]).includes(value)) {
    throw new UsageError(`--adapter must be one of ${NODE_ADAPTERS.join(', ')}, not '${value ?? ''}'`);
  }
  return value as NodeAdapterChoice;
}

/** `--browser-adapters <list>`: comma-separated, `chromium/` prefixes allowed, duplicates dropped. */
export function parseBrowserAdapters(value: string | undefined): BrowserAdapterChoice[] {
  if (value === undefined || value.startsWith('--')) throw new UsageError('--browser-adapters needs a comma-separated list');
  const items = value.split(',').map((item) => item.trim().replace(/^chromium\//, '')).filter((item) => item !== '');
  if (items.length === 0) throw new UsageError('--browser-adapters needs at least one adapter');
  for (const item of items) {
    if (!(BROWSER_ADAPTER_CHOICES as readonly string[]).includes(item)) {
      throw new UsageError(`--browser-adapters: unknown '${item}' (${BROWSER_ADAPTER_CHOICES.join(', ')})`);
    }
  }
  return [...new Set(items)] as BrowserAdapterChoice[];
}

/** What the hardware probe found: the adapter Chromium offered with the hardware flags, or why there is none. */
export type HardwareProbeResult = { readonly found: true; readonly details: AdapterDetails } | { readonly found: false; readonly reason: string };

export type HardwareProbe = () => Promise<HardwareProbeResult>;

/**
 * The Chromium adapters to run for the choices, in order. `hardware` and `auto` probe Chromium once; without a
 * hardware adapter `hardware` is dropped and `auto` becomes SwiftShader (unless listed already), after one line that
 * names the flags tried.
 */
export async function resolveBrowserAdapters(
  choices: readonly BrowserAdapterChoice[],
  probe: HardwareProbe,
  log: (line: string) => void,
): Promise<BrowserAdapter[]> {
  let probed: HardwareProbeResult | undefined;
  const adapters: BrowserAdapter[] = [];
  const add = (adapter: BrowserAdapter): void => {
    if (!adapters.includes(adapter)) adapters.push(adapter);
  };
  for (const choice of choices) {
    if (choice === 'swiftshader') add(SWIFTSHADER);
    else if (choice === 'compat') add(COMPAT);
    else {
      if (!probed) {
        probed = await probe();
        if (probed.found) log(`[chromium] hardware adapter: ${probed.details.description || probed.details.device || probed.details.vendor} (flags: ${HARDWARE.flags().join(' ')})`);
      }
      if (probed.found) add(HARDWARE);
      else if (choice === 'auto') add(SWIFTSHADER);
    }
  }
  if (probed && !probed.found) {
    const rest = adapters.map((adapter) => adapter.name).join(', ') || 'no Chromium adapter';
    log(`Chromium exposes no hardware adapter (${probed.reason}; flags tried: ${HARDWARE.flags().join(' ')}): going on with ${rest}`);
  }
  return adapters;
}
