/**
 * One job in headless Chromium: serves page.ts's bundle (ulseg-page.js, built beside the CLI by build.mjs) and the
 * file service on 127.0.0.1, launches the system Chromium through puppeteer-core with the adapter flags of
 * @ulseg/kernels/chromium (the browser tests' and the bench's), checks that the page got the adapter asked for, and
 * relays the page's events until it is done. A crash of the page (renderer killed, out of memory) or of Chromium
 * rejects with ChromiumCrashError; an error thrown in the page with PageError (its name and message). Node only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { chromiumAdapterFor, chromiumExecutable, COMMON_FLAGS, type BrowserAdapter } from '@ulseg/kernels/chromium';
import type { AdapterKind } from '@ulseg/kernels';
import type { EpochRow } from '@ulseg/train';
import { FileService, listenLocal, type FilePolicy } from './file-service.js';
import type { InferJob, InfoJob, PageEvent, PageResult, TrainJob } from './protocol.js';

type WithoutAccess<T> = T extends unknown ? Omit<T, 'gpu' | 'files'> : never;
export type ChromiumJob = WithoutAccess<TrainJob | InferJob | InfoJob>;

/** The page or Chromium died; `detail` says how (as Chromium reported it). */
export class ChromiumCrashError extends Error {
  override name = 'ChromiumCrashError';
}

/** An error thrown inside the page, with the page's error name (e.g. TrainingStopped, DeviceLostError). */
export class PageError extends Error {
  constructor(
    readonly pageName: string,
    message: string,
    readonly pageStack?: string,
  ) {
    super(message);
    this.name = pageName;
  }
}

export interface SessionControl {
  /** Asks the page to stop training after the current step. */
  abort(): Promise<void>;
  /** Crashes the page's renderer (CDP Page.crash): for tests of crash handling. */
  crash(): Promise<void>;
  /** Kills Chromium at once (a second Ctrl-C). */
  kill(): void;
}

export interface ChromiumRunOptions {
  readonly adapter?: AdapterKind;
  readonly policy: FilePolicy;
  readonly job: ChromiumJob;
  readonly onEvent?: (event: PageEvent, control: SessionControl) => void;
  /** Draws a fold's curves.svg in Node (vega-lite). */
  readonly curves?: (rows: readonly EpochRow[], fold: number) => string | Promise<string>;
  /** Called once Chromium runs, with the means to stop it (SIGINT handling). */
  readonly onStarted?: (control: SessionControl) => void;
}

export interface ChromiumRunResult {
  readonly result: PageResult;
  readonly adapter: BrowserAdapter;
  readonly browserVersion: string;
  readonly gpuDescription: string;
}

const PAGE_FILE = 'ulseg-page.js';

async function pageScript(): Promise<string> {
  const path = fileURLToPath(new URL(`./${PAGE_FILE}`, import.meta.url));
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new Error(`--runtime chromium: the page bundle ${path} is missing; build the CLI with \`pnpm build\` (packages/cli/build.mjs writes it beside ulseg.js)`);
  }
}

export async function runInChromium(options: ChromiumRunOptions): Promise<ChromiumRunResult> {
  const adapter = chromiumAdapterFor(options.adapter ?? 'auto');
  const executablePath = chromiumExecutable();
  const adapterEnv = adapter.env();
  const script = await pageScript();
  const files = new FileService(options.policy);
  const html = '<!doctype html><html><head><meta charset="utf-8"><title>ulseg</title></head><body><script type="module" src="/ulseg-page.js"></script></body></html>';
  const { server, origin } = await listenLocal(files, (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/' || path === `/${PAGE_FILE}`) {
      response.writeHead(200, { 'content-type': path === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      response.end(path === '/' ? html : script);
    } else {
      response.writeHead(path === '/favicon.ico' ? 204 : 404);
      response.end();
    }
  });
  const userDataDir = mkdtempSync(join(tmpdir(), 'ulseg-chromium-'));
  const stderrTail: string[] = [];
  let browser: Browser | undefined;
  try {
    try {
      browser = await puppeteer.launch({
        executablePath,
        headless: true,
        args: [...adapter.flags(), ...COMMON_FLAGS],
        userDataDir,
        env: { ...process.env, ...adapterEnv } as Record<string, string>,
        // Ctrl-C is ours: the page stops after the current step and saves; Chromium runs detached from the terminal.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        protocolTimeout: 0,
        timeout: 60_000,
        // No CDP Network domain. With it enabled (puppeteer's default, and Network.enable without maxPostDataSize),
        // every request of the page is reported with its whole body: a checkpoint PUT to the file service becomes a
        // requestWillBeSent event carrying the file twice (postData and base64 postDataEntries) as JSON, which
        // Chromium encodes and this process parses before any later event or exposed-function call gets through.
        // Nothing here uses puppeteer's HTTPRequest/HTTPResponse; page.goto then resolves to null.
        networkEnabled: false,
      });
    } catch (error) {
      throw new Error(`Chromium (${executablePath}) did not start: ${(error as Error).message}. Run \`bash scripts/setup\` to install Debian's chromium, or set ULSEG_CHROMIUM.`);
    }
    browser.process()?.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
      }
    });
    const browserVersion = await browser.version();
    const page = await browser.newPage();
    const outcome = await drive(page, browser, origin, files, adapter, options, stderrTail);
    return { ...outcome, adapter, browserVersion };
  } finally {
    await browser?.close().catch(() => undefined);
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeAllConnections();
    await closed;
    rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

async function drive(
  page: Page,
  browser: Browser,
  origin: string,
  files: FileService,
  adapter: BrowserAdapter,
  options: ChromiumRunOptions,
  stderrTail: readonly string[],
): Promise<{ result: PageResult; gpuDescription: string }> {
  let settle!: { resolve: (result: PageResult) => void; reject: (error: Error) => void };
  const finished = new Promise<PageResult>((resolve, reject) => (settle = { resolve, reject }));
  const pageErrors: string[] = [];
  const tail = (): string => (stderrTail.length ? `; last Chromium stderr lines:\n  ${stderrTail.slice(-8).join('\n  ')}` : '');
  let gpuDescription = '';
  const control: SessionControl = {
    abort: () => page.evaluate(() => window.__ulsegAbort()).catch(() => undefined),
    crash: async () => {
      const cdp = await page.createCDPSession();
      await cdp.send('Page.crash').catch(() => undefined);
    },
    kill: () => void browser.process()?.kill('SIGKILL'),
  };
  page.on('error', (error) => settle.reject(new ChromiumCrashError(`the Chromium page crashed (${error.message}: renderer killed or out of memory)${tail()}`)));
  page.on('pageerror', (error) => pageErrors.push(error instanceof Error ? error.message : String(error)));
  browser.on('disconnected', () => settle.reject(new ChromiumCrashError(`Chromium exited${tail()}`)));
  await page.exposeFunction('__ulsegCurves', async (rows: EpochRow[], fold: number) => (options.curves ? options.curves(rows, fold) : ''));
  await page.exposeFunction('__ulsegEmit', (event: PageEvent) => {
    switch (event.type) {
      case 'gpu': {
        const problems = adapter.verify(event);
        if (problems.length > 0) {
          settle.reject(new Error(`Chromium (${adapter.name}) gave the page another adapter than ${adapter.expected}: ${problems.join('; ')}.\n${event.description}`));
          return;
        }
        gpuDescription = event.description;
        break;
      }
      case 'done':
        settle.resolve(event.result);
        return;
      case 'error':
        settle.reject(new PageError(event.name, event.message, event.stack));
        return;
    }
    options.onEvent?.(event, control);
  });
  options.onStarted?.(control);
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => typeof window.__ulsegRun === 'function', { timeout: 60_000 }).catch(() => {
    throw new Error(`the ulseg page did not load in Chromium${pageErrors.length ? `: ${pageErrors.join('; ')}` : ''}${tail()}`);
  });
  const job = { ...options.job, gpu: { kind: adapter.kind, featureLevel: adapter.featureLevel }, files: { url: `${origin}/files/`, token: files.token } };
  await page.evaluate((pageJob) => void window.__ulsegRun(pageJob as never), job as never);
  const result = await finished;
  return { result, gpuDescription };
}
