/**
 * Runs an ONNX model in onnxruntime-web inside headless Chromium: bundles bench/src/browser/ort-page.ts with esbuild
 * (onnxruntime-web's browser bundle, WebGPU through JSEP), serves it, the model, the input and onnxruntime-web's
 * dist folder (its .wasm files) from 127.0.0.1, launches Chromium with one adapter configuration of the browser test
 * harness (test/browser/adapters.ts) and returns what the page measured per execution provider.
 */
import { readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { bundleBenchPage } from './bundle-page.js';
import puppeteer, { type Browser } from 'puppeteer-core';
import { chromiumExecutable, COMMON_FLAGS, type BrowserAdapter } from '@ulseg/kernels/chromium';
import type { OrtExecutionProvider } from '../ort-peer.js';
import type { OrtPageReport, OrtPageRequest } from './ort-page.js';

export interface OrtBrowserOptions {
  readonly adapter: BrowserAdapter;
  /** Repository root (the page source is bench/src/browser/ort-page.ts). */
  readonly root: string;
  readonly model: Uint8Array;
  /** N·C·H·W float32 values. */
  readonly input: Float32Array;
  readonly batch: number;
  readonly resolution: readonly [number, number];
  readonly executionProviders: readonly OrtExecutionProvider[];
  readonly warmRuns?: number;
  readonly maxSeconds?: number;
  readonly logLevel?: OrtPageRequest['logLevel'];
  /** Whole-run limit (default 10 minutes). */
  readonly timeoutMs?: number;
}

export interface OrtBrowserReport extends OrtPageReport {
  readonly browser: string;
  readonly flags: readonly string[];
  /** Console errors and uncaught exceptions of the page (ORT reports WebGPU problems there). */
  readonly console: readonly string[];
}

/** The page bundle (cached); the onnxruntime-web import resolves to its browser build. */
export function bundleOrtPage(root: string): Promise<string> {
  return bundleBenchPage(join(root, 'bench/src/browser/ort-page.ts'), { what: 'ORT page' });
}

/** onnxruntime-web's dist folder (the .wasm files and their .mjs loaders), resolved from bench/. */
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

async function serve(files: ReadonlyMap<string, { type: string; body: () => Uint8Array | string }>): Promise<{ server: Server; url: string }> {
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

export async function runOrtInBrowser(options: OrtBrowserOptions): Promise<OrtBrowserReport> {
  const script = await bundleOrtPage(options.root);
  const html = '<!doctype html><html><head><meta charset="utf-8"><title>ulseg ORT</title></head><body><script type="module" src="/ort-page.js"></script></body></html>';
  const inputBytes = new Uint8Array(options.input.buffer, options.input.byteOffset, options.input.byteLength);
  const files = new Map<string, { type: string; body: () => Uint8Array | string }>([
    ['/', { type: 'text/html; charset=utf-8', body: () => html }],
    ['/ort-page.js', { type: 'text/javascript; charset=utf-8', body: () => script }],
    ['/model.onnx', { type: 'application/octet-stream', body: () => options.model }],
    ['/input.bin', { type: 'application/octet-stream', body: () => inputBytes }],
  ]);
  const { server, url } = await serve(files);
  const flags = [...options.adapter.flags(), ...COMMON_FLAGS];
  const userDataDir = mkdtempSync(join(tmpdir(), 'ulseg-ort-chromium-'));
  const consoleLines: string[] = [];
  let browser: Browser | undefined;
  const timeoutMs = options.timeoutMs ?? 600_000;
  try {
    browser = await puppeteer.launch({
      executablePath: chromiumExecutable(),
      headless: true,
      args: flags,
      userDataDir,
      env: { ...process.env, ...options.adapter.env() } as Record<string, string>,
      protocolTimeout: timeoutMs,
      timeout: 60_000,
    });
    const page = await browser.newPage();
    page.on('console', (message) => {
      const type: string = message.type();
      if (type === 'error' || type === 'warn' || type === 'warning' || options.logLevel === 'verbose') consoleLines.push(`${type}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleLines.push(`uncaught: ${error instanceof Error ? error.message : String(error)}`));
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    await page.waitForFunction(() => window.__ulsegOrt !== undefined, { timeout: 60_000 });
    const request: OrtPageRequest = {
      batch: options.batch,
      resolution: options.resolution,
      executionProviders: options.executionProviders,
      warmRuns: options.warmRuns ?? 3,
      maxSeconds: options.maxSeconds ?? 60,
      logLevel: options.logLevel,
    };
    const report = await page.evaluate((pageRequest) => window.__ulsegOrt!.run(pageRequest), request);
    return { ...report, browser: await browser.version(), flags, console: [...new Set(consoleLines)] };
  } finally {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
    rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
