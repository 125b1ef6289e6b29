/**
 * The runs in headless Chromium, one per suite and adapter. The adapter flags, environment and checks are
 * `@ulseg/kernels/chromium`'s; each suite's page (page.ts, model-page.ts) is bundled with esbuild (the `source`
 * condition, so `#gpu-provider` resolves to navigator.gpu), served from 127.0.0.1 and driven by drivePage.
 */
import { join } from 'node:path';
import type { BrowserAdapter } from '@ulseg/kernels/chromium';
import type { Benchmark } from '../definition.js';
import { describeAdapterDetails } from '../adapter-details.js';
import { fp32PeakOf, peakLine } from '../gpu-peaks.js';
import type { ModelBenchSettings, ModelRunRecord } from '../model/schema.js';
import { hostInfo, loadNote, type RecordHeader } from '../report/metadata.js';
import { SCHEMA, type RunRecord, type RunSettings } from '../schema.js';
import type { SuiteContext } from '../suite.js';
import { bundlePage as bundlePageModule, pageHtml, withChromium, type ServedFile } from '@ulseg/model/testing/chromium';
import { BINDING, PAGE_ENTRY, type KernelsPageDone, type ModelPageDone, type ModelPageRunOptions, type PageEvent, type PageRunBase, type PageRunOptions } from './protocol.js';

/** What a run in Chromium needs besides the suite's own options (`root`: the pages' sources). */
export interface BrowserRunContext extends SuiteContext {
  readonly adapter: BrowserAdapter;
}

export interface BrowserRunOptions extends BrowserRunContext {
  readonly benchmarks: readonly Benchmark[];
  readonly settings: RunSettings;
}

export interface ModelBrowserRunOptions extends BrowserRunContext {
  readonly settings: ModelBenchSettings;
}

/** esbuild bundle of the kernels page with every benchmark and tfjs. */
export function bundlePage(root: string): Promise<string> {
  return bundlePageModule(join(root, 'bench/src/browser/page.ts'), { what: 'bench page', refuseNodeOnly: true });
}

/** esbuild bundle of the model page (the model, autograd and kernels). */
export function bundleModelPage(root: string): Promise<string> {
  return bundlePageModule(join(root, 'bench/src/browser/model-page.ts'), { what: 'model bench page', refuseNodeOnly: true });
}

/** The bench page: its HTML, and `script` as /bench.js. */
export function benchPageFiles(script: string): Map<string, ServedFile> {
  return new Map<string, ServedFile>([
    ['/', { type: 'text/html; charset=utf-8', body: () => pageHtml('ulseg bench', '/bench.js') }],
    ['/bench.js', { type: 'text/javascript; charset=utf-8', body: () => script }],
  ]);
}

type GpuEvent = Extract<PageEvent<unknown>, { type: 'gpu' }>;

export interface PageSession<Done> {
  /** The page's `done` event: the suite's outcome. */
  readonly done: Done;
  readonly gpu: GpuEvent;
  readonly userAgent: string;
  readonly browserVersion: string;
  readonly flags: readonly string[];
  /** Environment given to Chromium (the adapter's). */
  readonly env: Readonly<Record<string, string>>;
  /** Console errors and uncaught exceptions of the page, deduplicated. */
  readonly consoleErrors: readonly string[];
}

export interface DrivePageOptions {
  readonly adapter: BrowserAdapter;
  /** The page's ES module (served as /bench.js). */
  readonly script: string;
  readonly log: (line: string) => void;
  /** Silence (no event from the page) longer than this fails the run: the page hung. */
  readonly silenceMs: number;
  /** The global the page installed its `run` under (protocol.ts PAGE_ENTRY), called once the page said `ready`. */
  readonly entry: string;
  readonly options: PageRunBase;
}

/**
 * Serves `script` from 127.0.0.1, launches Chromium with the adapter's flags and a fresh profile, relays the page's
 * progress lines, checks that the page got the intended adapter, and resolves with the page's `done` event. The
 * page speaks protocol.ts through the BINDING function: ready, gpu, line*, then done or fatal.
 */
export async function drivePage<Done>(options: DrivePageOptions): Promise<PageSession<Done>> {
  const { adapter, log, silenceMs } = options;
  const env = adapter.env();
  return withChromium(adapter, benchPageFiles(options.script), { protocolTimeout: silenceMs }, async ({ browser, url, flags }) => {
    const consoleErrors: string[] = [];
    const browserVersion = await browser.version();
    const page = await browser.newPage();
    let gpu: GpuEvent | undefined;
    let userAgent = '';
    let settle!: { resolve: (done: Done) => void; reject: (error: Error) => void };
    const finished = new Promise<Done>((resolve, reject) => (settle = { resolve, reject }));
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => settle.reject(new Error(`${adapter.name}: the page sent nothing for ${silenceMs / 1000} s`)), silenceMs);
    };
    let readySignal!: () => void;
    const ready = new Promise<void>((resolve) => (readySignal = resolve));
    await page.exposeFunction(BINDING, (event: PageEvent<Done>) => {
      arm();
      if (event.type === 'ready') {
        userAgent = event.userAgent;
        readySignal();
      } else if (event.type === 'gpu') {
        const problems = adapter.verify(event);
        if (problems.length) settle.reject(new Error(`${adapter.name}: expected ${adapter.expected}, got ${event.info.description}: ${problems.join('; ')}`));
        gpu = event;
        log(`[${adapter.name}] ${event.info.description} (features: ${event.info.features.join(', ') || 'none'})`);
        log(`[${adapter.name}] ${describeAdapterDetails(event.details)}`);
        log(`[${adapter.name}] ${peakLine(fp32PeakOf(event.details))}`);
      } else if (event.type === 'line') log(event.line);
      else if (event.type === 'done') settle.resolve(event);
      else settle.reject(new Error(`${adapter.name}: the page failed: ${event.error}`));
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error instanceof Error ? error.message : String(error)}`));
    browser.on('disconnected', () => settle.reject(new Error(`${adapter.name}: Chromium exited before the run finished`)));
    arm();
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    await Promise.race([ready, finished]);
    await page.evaluate(
      (entry, runOptions) => void (window as unknown as Record<string, { run(options: unknown): Promise<void> } | undefined>)[entry]?.run(runOptions),
      options.entry,
      options.options,
    );
    const done = await finished.finally(() => clearTimeout(watchdog));
    if (!gpu) throw new Error(`${adapter.name}: the page reported no Gpu`);
    return { done, gpu, userAgent, browserVersion, flags, env, consoleErrors: [...new Set(consoleErrors)] };
  });
}

/** The header of a page run's record: the invocation's, the host's at the start, the browser's and the adapter's. */
function pageHeader(context: BrowserRunContext, started: Date, host: RunRecord['host'], session: PageSession<unknown>): RecordHeader {
  return {
    schema: SCHEMA,
    date: started.toISOString(),
    stamp: context.stamp,
    label: context.adapter.name,
    command: context.command,
    git: context.git,
    host,
    runtime: { kind: 'chromium', browser: session.browserVersion, userAgent: session.userAgent, flags: session.flags, env: session.env },
    adapter: session.gpu.info,
    adapterDetails: session.gpu.details,
    fp32Peak: fp32PeakOf(session.gpu.details),
  };
}

/** The page's console errors, as notes. */
const consoleNotes = (session: PageSession<unknown>): string[] => session.consoleErrors.slice(0, 5).map((line) => `page console error: ${line.slice(0, 300)}`);

export async function runInBrowser(options: BrowserRunOptions): Promise<RunRecord> {
  const { adapter, log } = options;
  const started = new Date();
  const host = hostInfo();
  const script = await bundlePage(options.root);
  // The page reports at least once per benchmark: silence longer than this means it hung.
  const silenceMs = (options.settings.maxSeconds * 4 + 900) * 1000;
  const pageOptions: PageRunOptions = {
    label: adapter.name,
    kind: adapter.kind,
    featureLevel: adapter.featureLevel,
    settings: options.settings,
    names: options.benchmarks.map((benchmark) => benchmark.name),
  };
  const session = await drivePage<KernelsPageDone>({ adapter, script, log, silenceMs, entry: PAGE_ENTRY.kernels, options: pageOptions });
  const { done } = session;
  return {
    ...pageHeader(options, started, host, session),
    suite: 'kernels',
    settings: options.settings,
    peer: done.peer,
    copyBandwidthGBs: done.copyBandwidthGBs,
    results: done.results,
    wallSeconds: (Date.now() - started.getTime()) / 1000,
    notes: [...done.notes, ...consoleNotes(session)],
  };
}

export async function runModelInBrowser(options: ModelBrowserRunOptions): Promise<ModelRunRecord> {
  const { adapter, settings } = options;
  const started = new Date();
  const host = hostInfo();
  const script = await bundleModelPage(options.root);
  const pageOptions: ModelPageRunOptions = { label: adapter.name, kind: adapter.kind, featureLevel: adapter.featureLevel, settings };
  options.log(`[${adapter.name}] starting Chromium; load average ${host.loadAverage.join(' / ')}`);
  const session = await drivePage<ModelPageDone>({
    adapter,
    script,
    log: options.log,
    // The page reports after every run; one cold B6 training step takes tens of minutes on SwiftShader.
    silenceMs: Math.max(7200, settings.maxSeconds * 3) * 1000,
    entry: PAGE_ENTRY.model,
    options: pageOptions,
  });
  const { done } = session;
  return {
    ...pageHeader(options, started, host, session),
    suite: 'model',
    settings,
    model: done.model,
    peer: done.peer,
    rows: done.rows,
    wallSeconds: (Date.now() - started.getTime()) / 1000,
    notes: [...done.notes, ...consoleNotes(session), loadNote()],
  };
}
