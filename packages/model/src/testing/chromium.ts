/**
 * @ulseg/model/testing/chromium (Node only): pages in headless Chromium for the tests and the bench.
 *   bundlePage   a page module as one browser ES module (buildForBrowser: esbuild, platform browser, the `source`
 *                condition, so `#gpu-provider` resolves to navigator.gpu; cached per entry file for the life of the
 *                process); nodeOnlyInputs names what in a bundle needs Node
 *   withChromium serves a page's files (and onnxruntime-web's dist folder under /ort/) from 127.0.0.1 and runs a
 *                callback against Chromium started with one adapter configuration of @ulseg/kernels/chromium and a
 *                fresh profile, then removes all three (the bench's kernel/model pages and hardware probe use it)
 *   runOrtPage   an ONNX Runtime Web page (a module calling installOrtPage of @ulseg/model/testing/ort-page) on a
 *                model and an input: the page's report with the browser's version, flags and console
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { build, type BuildOptions, type Metafile, type StdinOptions } from 'esbuild';
import puppeteer, { type Browser } from 'puppeteer-core';
import { chromiumExecutable, COMMON_FLAGS, type BrowserAdapter } from '@ulseg/kernels/chromium';
import type { OrtPageRequest } from './ort-page.js';

const bundles = new Map<string, Promise<string>>();

/**
 * esbuild's build of a page bundle from an entry file or stdin: one ES module for Chromium, the `source` condition,
 * kept in memory, with the metafile nodeOnlyInputs reads.
 */
export function buildForBrowser(input: Pick<BuildOptions, 'entryPoints'> | { stdin: StdinOptions }) {
  return build({ ...input, bundle: true, platform: 'browser', format: 'esm', target: 'chrome121', conditions: ['source'], write: false, metafile: true, logLevel: 'silent' });
}

/** The inputs of a bundle that need Node: `node:` modules, Dawn's provider, the `webgpu` package. */
export function nodeOnlyInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((input) => input.startsWith('node:') || /provider-node|node_modules\/webgpu\//.test(input));
}

export interface PageBundleOptions {
  /** Names the page in errors, e.g. 'model bench page'. */
  readonly what: string;
  /** Fail when Dawn's Node provider or the `webgpu` package got in (our kernels' pages must not need Node). */
  readonly refuseNodeOnly?: boolean;
}

/** The page module `entry` as one browser ES module (cached). */
export function bundlePage(entry: string, options: PageBundleOptions): Promise<string> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = buildForBrowser({ entryPoints: [entry] }).then((result) => {
      if (options.refuseNodeOnly) {
        const nodeOnly = nodeOnlyInputs(result.metafile);
        if (nodeOnly.length) throw new Error(`the ${options.what} pulled in Node-only modules: ${nodeOnly.join(', ')}`);
      }
      const output = result.outputFiles[0];
      if (!output) throw new Error(`esbuild produced no ${options.what}`);
      return output.text;
    });
    bundles.set(entry, bundle);
  }
  return bundle;
}

/** onnxruntime-web's dist folder (the .wasm files and their .mjs loaders), resolved from @ulseg/model. */
export function ortDistFolder(): string {
  const folder = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));
  if (!existsSync(folder)) throw new Error(`onnxruntime-web's dist folder is missing (${folder}): run pnpm install`);
  return folder;
}

/**
 * Answers GET /ort/<file> with that file of onnxruntime-web's dist folder (its .wasm and .mjs loaders, for a page
 * whose `ort.env.wasm.wasmPaths` is /ort/); returns false for any other path.
 */
export function serveOrtFile(path: string, response: ServerResponse): boolean {
  const name = path.startsWith('/ort/') ? basename(path) : '';
  if (!name || !/^ort[\w.-]*\.(wasm|mjs)$/.test(name)) return false;
  const file = join(ortDistFolder(), name);
  if (!existsSync(file)) return false;
  response.writeHead(200, { 'content-type': name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8' });
  response.end(readFileSync(file));
  return true;
}

/** A file the page server answers with, by path. */
export interface ServedFile {
  readonly type: string;
  readonly body: () => Uint8Array | string;
}

/** The HTML of a page that loads `script` (a path on the page server) as an ES module. */
export function pageHtml(title: string, script: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><script type="module" src="${script}"></script></body></html>`;
}

async function serve(files: ReadonlyMap<string, ServedFile>): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const file = files.get(path);
    if (file) {
      response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
      response.end(file.body());
      return;
    }
    if (serveOrtFile(path, response)) return;
    response.writeHead(path === '/favicon.ico' ? 204 : 404);
    response.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

export interface ChromiumRun {
  readonly browser: Browser;
  /** The page server's root. */
  readonly url: string;
  /** Chromium's command-line flags: the adapter's and COMMON_FLAGS. */
  readonly flags: readonly string[];
}

export interface ChromiumOptions {
  /** puppeteer's limit on one protocol call (a long page.evaluate). */
  readonly protocolTimeout: number;
  /** Limit on Chromium's start (default 60 s). */
  readonly launchTimeout?: number;
}

/**
 * Serves `files` (and onnxruntime-web's dist files under /ort/) from 127.0.0.1 on a free port, launches headless
 * Chromium with `adapter`'s flags and environment and a fresh profile, and returns what `use` returns; Chromium, the
 * server and the profile are gone afterwards, whatever `use` did.
 */
export async function withChromium<T>(
  adapter: BrowserAdapter,
  files: ReadonlyMap<string, ServedFile>,
  options: ChromiumOptions,
  use: (run: ChromiumRun) => Promise<T>,
): Promise<T> {
  const { server, url } = await serve(files);
  const flags = [...adapter.flags(), ...COMMON_FLAGS];
  const userDataDir = mkdtempSync(join(tmpdir(), 'ulseg-chromium-'));
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath: chromiumExecutable(),
      headless: true,
      args: flags,
      userDataDir,
      env: { ...process.env, ...adapter.env() } as Record<string, string>,
      protocolTimeout: options.protocolTimeout,
      timeout: options.launchTimeout ?? 60_000,
    });
    return await use({ browser, url, flags });
  } finally {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
    rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

export interface OrtBrowserOptions<Request extends OrtPageRequest> {
  readonly adapter: BrowserAdapter;
  /** The page module (bundled with bundlePage): it calls installOrtPage. */
  readonly page: string;
  readonly model: Uint8Array;
  /** N·C·H·W float32 values. */
  readonly input: Float32Array;
  readonly request: Request;
  /** Whole-run limit (default 10 minutes). */
  readonly timeoutMs?: number;
}

export interface OrtBrowserReport {
  readonly browser: string;
  readonly flags: readonly string[];
  /** Console errors and uncaught exceptions of the page (ORT reports WebGPU problems there). */
  readonly console: readonly string[];
}

/** The report of `options.page`'s run(request) (typed by the caller as its page's report) with the browser's. */
export async function runOrtPage<Request extends OrtPageRequest, Report>(options: OrtBrowserOptions<Request>): Promise<Report & OrtBrowserReport> {
  const script = await bundlePage(options.page, { what: 'ORT page' });
  const inputBytes = new Uint8Array(options.input.buffer, options.input.byteOffset, options.input.byteLength);
  const files = new Map<string, ServedFile>([
    ['/', { type: 'text/html; charset=utf-8', body: () => pageHtml('ulseg ORT', '/ort-page.js') }],
    ['/ort-page.js', { type: 'text/javascript; charset=utf-8', body: () => script }],
    ['/model.onnx', { type: 'application/octet-stream', body: () => options.model }],
    ['/input.bin', { type: 'application/octet-stream', body: () => inputBytes }],
  ]);
  return withChromium(options.adapter, files, { protocolTimeout: options.timeoutMs ?? 600_000 }, async ({ browser, url, flags }) => {
    const consoleLines: string[] = [];
    const page = await browser.newPage();
    page.on('console', (message) => {
      const type: string = message.type();
      if (type === 'error' || type === 'warn' || type === 'warning' || options.request.logLevel === 'verbose') consoleLines.push(`${type}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleLines.push(`uncaught: ${error instanceof Error ? error.message : String(error)}`));
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    await page.waitForFunction(() => window.__ulsegOrt !== undefined, { timeout: 60_000 });
    const report = (await page.evaluate((pageRequest) => window.__ulsegOrt!.run(pageRequest as never), options.request as unknown)) as Report;
    return { ...report, browser: await browser.version(), flags, console: [...new Set(consoleLines)] };
  });
}
