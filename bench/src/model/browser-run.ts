/**
 * The model benchmark in headless Chromium: bench/src/browser/model-page.ts bundled with esbuild (the `source`
 * condition: `#gpu-provider` resolves to navigator.gpu), driven by the kernel bench's page runner (drivePage: the
 * adapter flags and checks of test/browser/adapters.ts, progress lines, a watchdog).
 */
import { join } from 'node:path';
import type { BrowserAdapter } from '@ulseg/kernels/chromium';
import { drivePage } from '../browser/browser-run.js';
import { bundleBenchPage } from '../browser/bundle-page.js';
import type { ModelPageDone, ModelPageRunOptions } from '../browser/model-protocol.js';
import { fp32PeakOf } from '../gpu-peaks.js';
import { hostInfo } from '../report/metadata.js';
import { SCHEMA } from '../schema.js';
import { loadNote, type ModelRunOptions } from './node-run.js';
import type { ModelRunRecord } from './schema.js';

/** esbuild bundle of the model page (cached); refuses Node-only modules. */
export function bundleModelPage(root: string): Promise<string> {
  return bundleBenchPage(join(root, 'bench/src/browser/model-page.ts'), { what: 'model bench page', refuseNodeOnly: true });
}

export async function runModelInBrowser(options: ModelRunOptions & { readonly adapter: BrowserAdapter; readonly root: string }): Promise<ModelRunRecord> {
  const { adapter, settings } = options;
  const started = new Date();
  const host = hostInfo();
  const script = await bundleModelPage(options.root);
  const pageOptions: ModelPageRunOptions = {
    label: adapter.name,
    kind: adapter.kind,
    featureLevel: adapter.featureLevel,
    settings,
  };
  options.log(`[${adapter.name}] starting Chromium; load average ${host.loadAverage.join(' / ')}`);
  const session = await drivePage<ModelPageDone>({
    adapter,
    script,
    log: options.log,
    // The page reports after every run; one cold B6 training step takes tens of minutes on SwiftShader.
    silenceMs: Math.max(7200, settings.maxSeconds * 3) * 1000,
    start: (page) => page.evaluate((runOptions) => void window.__ulsegModelBench?.run(runOptions), pageOptions),
  });
  const { done } = session;
  return {
    schema: SCHEMA,
    suite: 'model',
    date: started.toISOString(),
    stamp: options.stamp,
    label: adapter.name,
    command: options.command,
    git: options.git,
    host,
    runtime: { kind: 'chromium', browser: session.browserVersion, userAgent: session.userAgent, flags: session.flags, env: session.env },
    adapter: session.gpu.info,
    adapterDetails: session.gpu.details,
    fp32Peak: fp32PeakOf(session.gpu.details),
    settings,
    model: done.model,
    peer: done.peer,
    rows: done.rows,
    wallSeconds: (Date.now() - started.getTime()) / 1000,
    notes: [...done.notes, ...session.consoleErrors.slice(0, 5).map((line) => `page console error: ${line.slice(0, 300)}`), loadNote()],
  };
}
