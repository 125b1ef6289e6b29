/**
 * Does Chromium expose a hardware adapter here? Starts Chromium with the hardware flags (@ulseg/kernels/chromium
 * HARDWARE: Vulkan on Linux, Metal on macOS, D3D12 on Windows), asks `navigator.gpu.requestAdapter({ powerPreference:
 * 'high-performance' })` on a page served from 127.0.0.1, and reports the adapter it got when that is not a CPU one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { classifyAdapter } from '@ulseg/kernels';
import { chromiumExecutable, COMMON_FLAGS, HARDWARE } from '@ulseg/kernels/chromium';
import type { HardwareProbeResult } from '../adapters.js';
import { adapterDetails, RECORDED_LIMITS, type AdapterDetails } from '../adapter-details.js';
import { serve } from './browser-run.js';

const PROBE_TIMEOUT_MS = 60_000;

let probed: Promise<HardwareProbeResult> | undefined;

/** The probe, once per process: `pnpm bench all` asks for each suite, the answer does not change. */
export function probeChromiumHardware(): Promise<HardwareProbeResult> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<HardwareProbeResult> {
  const { server, url } = await serve('');
  const userDataDir = mkdtempSync(join(tmpdir(), 'ulseg-bench-probe-'));
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath: chromiumExecutable(),
      headless: true,
      args: [...HARDWARE.flags(), ...COMMON_FLAGS],
      userDataDir,
      env: { ...process.env, ...HARDWARE.env() } as Record<string, string>,
      protocolTimeout: PROBE_TIMEOUT_MS,
      timeout: PROBE_TIMEOUT_MS,
    });
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
  } catch (error) {
    return { found: false, reason: `Chromium with these flags failed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
    rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
