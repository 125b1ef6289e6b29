/**
 * Does Chromium expose a hardware adapter here? Starts Chromium with the hardware flags (@ulseg/kernels/chromium
 * HARDWARE: Vulkan on Linux, Metal on macOS, D3D12 on Windows), asks `navigator.gpu.requestAdapter({ powerPreference:
 * 'high-performance' })` on a page served from 127.0.0.1, and reports the adapter it got when that is not a CPU one.
 */
import { classifyAdapter } from '@ulseg/kernels';
import { HARDWARE } from '@ulseg/kernels/chromium';
import { withChromium } from '@ulseg/model/testing/chromium';
import type { HardwareProbeResult } from '../adapters.js';
import { adapterDetails, RECORDED_LIMITS, type AdapterDetails } from '../adapter-details.js';
import { benchPageFiles } from './browser-run.js';

const PROBE_TIMEOUT_MS = 60_000;

let probed: Promise<HardwareProbeResult> | undefined;

/** The probe, once per process: `pnpm bench all` asks for each suite, the answer does not change. */
export function probeChromiumHardware(): Promise<HardwareProbeResult> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<HardwareProbeResult> {
  try {
    return await withChromium(HARDWARE, benchPageFiles(''), { protocolTimeout: PROBE_TIMEOUT_MS, launchTimeout: PROBE_TIMEOUT_MS }, async ({ browser, url }) => {
      const page = await browser.newPage();
      await page.goto(url, { waitUntil: 'load', timeout: PROBE_TIMEOUT_MS });
      const found = await page.evaluate(async (limitNames: readonly string[]) => {
        if (!navigator.gpu) return { error: 'navigator.gpu is undefined' };
        const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
        if (!adapter) return { error: "requestAdapter({ powerPreference: 'high-performance' }) returned null" };
        const info = adapter.info as unknown as Record<string, unknown>;
        const fields = ['vendor', 'architecture', 'device', 'description', 'driver', 'backend', 'type'];
        const limits: Record<string, number> = {};
        for (const name of limitNames) limits[name] = (adapter.limits as unknown as Record<string, number>)[name]!;
        return { info: Object.fromEntries(fields.map((field) => [field, info[field]])), limits };
      }, RECORDED_LIMITS);
      if ('error' in found) return { found: false, reason: found.error as string };
      const details: AdapterDetails = adapterDetails(found.info, found.limits);
      const kind = classifyAdapter(details);
      if (kind !== 'hardware') return { found: false, reason: `Chromium offered only the CPU adapter '${details.description || details.device || details.vendor}' (${kind})` };
      return { found: true, details };
    });
  } catch (error) {
    return { found: false, reason: `Chromium with these flags failed: ${(error as Error).message.split('\n')[0]}` };
  }
}
