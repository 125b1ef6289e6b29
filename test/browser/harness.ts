/**
 * Runs the kernel cases in headless Chromium.
 *
 * 1. Finds every `packages/*\/src/**\/*.cases.ts` at run time (no registry: a new kernel's cases are picked up).
 * 2. Bundles them with `page.ts` into one browser ES module (esbuild, platform browser, `source` condition, so
 *    `#gpu-provider` resolves to the navigator.gpu provider).
 * 3. Serves the bundle, a minimal page and test/fixtures (read-only, under /fixtures/) from a node:http server on
 *    127.0.0.1 (a secure context, so WebGPU is on).
 * 4. Launches Chromium with puppeteer-core with one adapter configuration's flags and a fresh profile, runs all cases
 *    sequentially in one page and collects per-case results, page console messages and uncaught errors.
 */
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import puppeteer, { type Browser, type ConsoleMessage, type Page } from 'puppeteer-core';
import type { GpuInfo } from '../../packages/kernels/src/index.js';
import { BrowserSetupError, chromiumExecutable, COMMON_FLAGS, type BrowserAdapter } from './adapters.js';
import type { PageCaseResult, PageEvent, PageRunOptions } from './protocol.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PAGE_MODULE = join(REPO_ROOT, 'test/browser/page.ts');

/** Absolute paths of every `packages/<name>/src/**\/*.cases.ts`, sorted. */
export function findCaseFiles(root = REPO_ROOT): string[] {
  const packages = join(root, 'packages');
  const files: string[] = [];
  for (const entry of readdirSync(packages, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const source = join(packages, entry.name, 'src');
    if (!existsSync(source) || !statSync(source).isDirectory()) continue;
    for (const path of readdirSync(source, { recursive: true, encoding: 'utf8' })) {
      if (path.endsWith('.cases.ts') && !path.split(sep).includes('node_modules')) files.push(join(source, path));
    }
  }
  return files.sort();
}

/** Path relative to the repository root, with forward slashes (the `file` of a case). */
export function repoPath(path: string): string {
  return relative(REPO_ROOT, path).split(sep).join('/');
}

export interface Bundle {
  /** ES module that installs `window.__ulseg`, served as /cases.js. */
  readonly code: string;
  /** Its source map (sources relative to the repository root), served as /cases.js.map. */
  readonly map: string;
}

/** esbuild bundle of page.ts and the cases files. */
export async function bundleCases(caseFiles: readonly string[]): Promise<Bundle> {
  const imports = caseFiles.map((file, index) => `import * as cases${index} from ${JSON.stringify(file)};`);
  const modules = caseFiles.map((file, index) => `[${JSON.stringify(repoPath(file))}, cases${index}]`);
  const contents = [
    `import { install } from ${JSON.stringify(PAGE_MODULE)};`,
    ...imports,
    `install([${modules.join(', ')}]);`,
  ].join('\n');
  const result = await build({
    stdin: { contents, resolveDir: REPO_ROOT, sourcefile: 'ulseg-browser-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome121',
    conditions: ['source'],
    keepNames: true,
    sourcemap: 'external',
    sourcesContent: true,
    outfile: join(REPO_ROOT, 'cases.js'), // not written: it only makes the map's sources repo-relative
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  // The browser provider, never Dawn: the `source` condition's `default` branch of `#gpu-provider`.
  const inputs = Object.keys(result.metafile.inputs);
  const nodeOnly = inputs.filter((input) => /provider-node|node_modules\/webgpu\//.test(input));
  if (nodeOnly.length) throw new Error(`the browser bundle pulled in Node-only modules: ${nodeOnly.join(', ')}`);
  if (!inputs.some((input) => input.endsWith('provider-browser.ts'))) {
    throw new Error(`the browser bundle lacks device/provider-browser.ts; inputs: ${inputs.join(', ')}`);
  }
  const code = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
  if (!code || !map) throw new Error('esbuild produced no bundle or no source map');
  return { code: `${code.text}\n//# sourceMappingURL=cases.js.map\n`, map: map.text };
}

/** Rewrites `http://127.0.0.1:<port>/cases.js:<line>:<column>` in page stack traces to the TypeScript source. */
export function sourceMapper(bundle: Bundle): (text: string) => string {
  const map = new SourceMap(JSON.parse(bundle.map) as ConstructorParameters<typeof SourceMap>[0]);
  return (text) =>
    text.replace(/(?:https?:\/\/127\.0\.0\.1:\d+\/)?cases\.js:(\d+):(\d+)/g, (whole, line: string, column: string) => {
      const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
      if (!entry.originalSource || entry.originalLine === undefined || entry.originalColumn === undefined) return whole;
      return `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    });
}

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>ulseg kernel cases</title></head>
<body><script type="module" src="/cases.js"></script></body></html>
`;

const FIXTURES = join(REPO_ROOT, 'test/fixtures');

/** test/fixtures/<path> (URL-encoded) for the page, read-only: undefined for anything that is not a file inside it. */
export function servedFixture(path: string): Uint8Array | undefined {
  let file: string;
  try {
    file = resolve(FIXTURES, decodeURIComponent(path));
  } catch {
    return undefined;
  }
  if (!file.startsWith(FIXTURES + sep) || !existsSync(file) || !statSync(file).isFile()) return undefined;
  return readFileSync(file);
}

function serveFixture(path: string, response: ServerResponse): void {
  const bytes = servedFixture(path);
  if (!bytes) {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`no fixture ${path}`);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
  response.end(bytes);
}

async function serve(bundle: Bundle): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/' || path === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(PAGE_HTML);
    } else if (path === '/cases.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      response.end(bundle.code);
    } else if (path === '/cases.js.map') {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(bundle.map);
    } else if (path.startsWith('/fixtures/')) {
      serveFixture(path.slice('/fixtures/'.length), response);
    } else if (path === '/favicon.ico') {
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}

export interface BrowserCaseResult extends PageCaseResult {
  /** Page console messages and uncaught errors seen while the case ran. */
  console: string[];
}

export interface BrowserSession {
  adapter: string;
  /** Chromium's version string, e.g. `Chrome/156.0.8078.108`. */
  browserVersion: string;
  flags: string[];
  /** describeGpu() of the page's Gpu plus the adapter's vendor/architecture/description. */
  adapterInfo: string;
  gpuInfo: GpuInfo;
  results: BrowserCaseResult[];
  /** Console messages and uncaught errors seen outside any case. */
  messages: string[];
  /** Milliseconds from launching Chromium to the last case's end. */
  wallMs: number;
  /** Milliseconds the page spent in runAll. */
  pageMs: number;
}

export interface SessionOptions {
  /** Cases files to bundle (absolute paths); default findCaseFiles(). */
  caseFiles?: readonly string[];
  /** Case keys (`suite: name`) to run; all when absent. */
  only?: readonly string[];
  /** Called with a line per case and per Gpu (progress). */
  log?: (line: string) => void;
  /** Extra milliseconds the page may go silent beyond the running case's timeoutMs before it counts as hung. */
  graceMs?: number;
}

const bundles = new Map<string, Promise<Bundle>>();

function bundleFor(caseFiles: readonly string[]): Promise<Bundle> {
  const key = caseFiles.join('\n');
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleCases(caseFiles);
    bundles.set(key, bundle);
    bundle.catch(() => bundles.delete(key));
  }
  return bundle;
}

function formatConsole(message: ConsoleMessage): string {
  const location = message.location();
  // CDP positions are 0-based; `cases.js:line:column` is then mapped to the TypeScript source.
  const position = location.lineNumber === undefined ? '' : `:${location.lineNumber + 1}:${(location.columnNumber ?? 0) + 1}`;
  const where = location.url ? ` (${location.url.replace(/^http:\/\/127\.0\.0\.1:\d+\//, '')}${position})` : '';
  return `console.${message.type()}: ${message.text()}${where}`;
}

/** One Chromium session on `adapter`: runs every case in one page, returns per-case results. */
export async function runBrowserSession(adapter: BrowserAdapter, options: SessionOptions = {}): Promise<BrowserSession> {
  const executablePath = chromiumExecutable();
  const adapterEnv = adapter.env();
  const caseFiles = options.caseFiles ?? findCaseFiles();
  if (caseFiles.length === 0) throw new Error(`no *.cases.ts files under ${join(REPO_ROOT, 'packages/*/src')}`);
  const bundle = await bundleFor(caseFiles);
  const log = options.log ?? (() => undefined);
  const graceMs = options.graceMs ?? 60_000;
  const flags = [...adapter.flags(), ...COMMON_FLAGS];

  const started = performance.now();
  const { server, url } = await serve(bundle);
  const userDataDir = mkdtempSync(join(tmpdir(), 'ulseg-chromium-'));
  const stderrTail: string[] = [];
  let browser: Browser | undefined;
  try {
    try {
      browser = await puppeteer.launch({
        executablePath,
        headless: true,
        args: [...flags], // a copy: puppeteer moves --enable-features out of the array it is given
        userDataDir,
        env: { ...process.env, ...adapterEnv } as Record<string, string>,
        protocolTimeout: 120_000,
        timeout: 60_000,
      });
    } catch (error) {
      throw new BrowserSetupError(
        `Chromium (${executablePath}) did not start for ${adapter.name}: ${(error as Error).message}. ` +
          'Run `bash scripts/setup` to install or repair Debian\'s chromium.',
      );
    }
    browser.process()?.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        stderrTail.push(line);
        if (stderrTail.length > 40) stderrTail.shift();
      }
    });
    const browserVersion = await browser.version();
    const page = await browser.newPage();
    const session = await runInPage({ page, browser, url, adapter, options, log, graceMs, stderrTail, mapStack: sourceMapper(bundle) });
    return { ...session, adapter: adapter.name, browserVersion, flags, wallMs: performance.now() - started };
  } finally {
    await browser?.close().catch(() => undefined);
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeAllConnections();
    await closed;
    rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

type PageOutcome = Omit<BrowserSession, 'adapter' | 'browserVersion' | 'flags' | 'wallMs'>;

interface PageRun {
  page: Page;
  browser: Browser;
  url: string;
  adapter: BrowserAdapter;
  options: SessionOptions;
  log: (line: string) => void;
  graceMs: number;
  stderrTail: readonly string[];
  /** Maps bundle positions in stack traces to the TypeScript sources. */
  mapStack: (text: string) => string;
}

async function runInPage({ page, browser, url, adapter, options, log, graceMs, stderrTail, mapStack }: PageRun): Promise<PageOutcome> {
  const results: BrowserCaseResult[] = [];
  const messages: string[] = [];
  let current: { key: string; timeoutMs: number; console: string[] } | undefined;
  let timeouts = new Map<string, number>();
  let gpu: { info: GpuInfo; description: string; adapterFeatures: string[] } | undefined;
  let ready: { cases: number; userAgent: string } | undefined;

  let settle!: { resolve: (ms: number) => void; reject: (error: Error) => void };
  const finished = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  finished.catch(() => undefined);
  let readySignal!: () => void;
  const readyPromise = new Promise<void>((resolve) => (readySignal = resolve));

  const record = (line: string): void => {
    (current ? current.console : messages).push(mapStack(line));
  };
  const fail = (message: string): void => {
    const context = [
      messages.length ? `page messages:\n  ${messages.join('\n  ')}` : '',
      current?.console.length ? `during '${current.key}':\n  ${current.console.join('\n  ')}` : '',
      stderrTail.length ? `last Chromium stderr lines:\n  ${stderrTail.join('\n  ')}` : '',
    ].filter((part) => part !== '');
    settle.reject(new Error(`${adapter.name}: ${mapStack(message)}${context.length ? `\n${context.join('\n')}` : ''}`));
  };

  // Watchdog: the page must report within the running case's timeout (it enforces it itself) plus a grace period.
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(watchdog);
    const allowed = (current?.timeoutMs ?? 60_000) + graceMs;
    const what = current ? `case '${current.key}'` : 'creating a Gpu / between cases';
    watchdog = setTimeout(() => fail(`the page stopped responding (${allowed} ms without a report, in ${what})`), allowed);
  };

  const onEvent = (event: PageEvent): void => {
    arm();
    switch (event.type) {
      case 'ready':
        ready = event;
        readySignal();
        break;
      case 'gpu': {
        const problems = adapter.verify(event);
        const text = `${event.description}\nvendor '${event.info.vendor}', architecture '${event.info.architecture}', ` +
          `description '${event.info.description}'\nadapter features: ${event.adapterFeatures.join(', ')}`;
        if (problems.length) {
          fail(`expected ${adapter.expected}, but the page got a different adapter (${problems.join('; ')}):\n${text}`);
          break;
        }
        if (!gpu) log(`${adapter.name}: ${text.replace(/\n/g, '\n  ')}`);
        gpu ??= event;
        break;
      }
      case 'case-start':
        current = { key: event.key, timeoutMs: timeouts.get(event.key) ?? 60_000, console: [] };
        arm();
        break;
      case 'case-end': {
        const { error, ...rest } = event.result;
        const result: BrowserCaseResult = {
          ...rest,
          ...(error !== undefined ? { error: mapStack(error) } : {}),
          console: current?.key === event.result.key ? current.console : [],
        };
        results.push(result);
        current = undefined;
        const status = result.ok ? 'ok  ' : 'FAIL';
        log(`${adapter.name}: ${status} ${result.ms.toFixed(0).padStart(6)} ms  ${result.key}`);
        break;
      }
      case 'fatal':
        fail(`the page could not run the cases: ${event.error}`);
        break;
      case 'done':
        clearTimeout(watchdog);
        settle.resolve(event.ms);
        break;
    }
  };

  await page.exposeFunction('__ulsegEmit', (event: PageEvent) => onEvent(event));
  page.on('console', (message) => {
    const type = message.type();
    if (type === 'error' || type === 'warn' || type === 'assert' || type === 'log' || type === 'info') record(formatConsole(message));
  });
  page.on('pageerror', (error) => record(`uncaught exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  page.on('error', (error) => fail(`the page crashed: ${error.message}`));
  browser.on('disconnected', () => fail('Chromium exited (disconnected) before the cases finished'));

  try {
    arm();
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    // The bundle is a module script: it has run by the load event, and reports 'ready' right away.
    const readyTimer = setTimeout(() => fail('the page did not install window.__ulseg (the bundle failed to load?)'), 15_000);
    await Promise.race([readyPromise, finished]).finally(() => clearTimeout(readyTimer));
    if (!ready) throw new Error('unreachable: no ready event');
    const cases = await page.evaluate(() => window.__ulseg?.cases ?? []);
    timeouts = new Map(cases.map((entry) => [entry.key, entry.timeoutMs]));
    const runOptions: PageRunOptions = {
      adapter: adapter.name,
      kind: adapter.kind,
      featureLevel: adapter.featureLevel,
      ...(options.only ? { only: [...options.only] } : {}),
    };
    // Started, not awaited here: progress and the end arrive through __ulsegEmit.
    await page.evaluate((runOptions) => {
      void window.__ulseg!.runAll(runOptions);
    }, runOptions);
    const pageMs = await finished;
    if (!gpu) throw new Error(`${adapter.name}: the page ran no case (no Gpu was created)`);
    const adapterInfo =
      `${gpu.description}\nvendor '${gpu.info.vendor}', architecture '${gpu.info.architecture}', ` +
      `description '${gpu.info.description}'\nbrowser: ${ready.userAgent}`;
    return { adapterInfo, gpuInfo: gpu.info, results, messages, pageMs };
  } finally {
    clearTimeout(watchdog);
  }
}
