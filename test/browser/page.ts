/**
 * The page side of the browser harness, bundled by esbuild together with every `*.cases.ts` file.
 * `install` puts `window.__ulseg.runAll(options)` on the page; runAll runs the cases one after another, each with a
 * fresh seeded generator and its own timeout, on one Gpu per cases file (as vitest does in Node), and reports every
 * step to Node through the `__ulsegEmit` binding the harness exposes.
 */
import { createGpu, describeGpu, DeviceLostError, type Gpu } from '../../packages/kernels/src/index.js';
import { runCase } from '../../packages/kernels/src/testing/index.js';
import { collectCases, type LoadedCase, type PageEvent, type PageRunOptions } from './protocol.js';

interface UlsegPage {
  readonly cases: readonly { key: string; file: string; timeoutMs: number }[];
  runAll(options: PageRunOptions): Promise<void>;
}

declare global {
  interface Window {
    __ulseg?: UlsegPage;
    __ulsegEmit?: (event: PageEvent) => Promise<void>;
  }
}

class CaseTimeout extends Error {
  override name = 'CaseTimeout';
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = error.stack ?? '';
    // V8's stack starts with "Name: message"; keep the message even when the stack lacks it.
    return stack.includes(error.message) ? stack : `${error.name}: ${error.message}\n${stack}`;
  }
  return String(error);
}

async function emit(event: PageEvent): Promise<void> {
  const send = window.__ulsegEmit;
  if (!send) throw new Error('the harness did not expose __ulsegEmit');
  await send(event);
}

/** Resolves or rejects with `promise`, or rejects with CaseTimeout after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseTimeout(`${what} did not finish within its timeoutMs of ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // a late rejection after the timeout is not an unhandled one
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function adapterFeatures(featureLevel: PageRunOptions['featureLevel']): Promise<string[]> {
  const adapter = await navigator.gpu.requestAdapter({ featureLevel } as GPURequestAdapterOptions);
  return adapter ? [...adapter.features].sort() : [];
}

async function runAll(cases: readonly LoadedCase[], options: PageRunOptions): Promise<void> {
  const start = performance.now();
  const only = options.only ? new Set(options.only) : undefined;
  const selected = cases.filter((loaded) => !only || only.has(loaded.key));
  let gpu: Gpu | undefined;
  let gpuFile: string | undefined;
  try {
    for (const loaded of selected) {
      if (!gpu || gpuFile !== loaded.file) {
        gpu?.destroy();
        gpu = undefined;
        gpu = await createGpu({ adapter: options.kind, featureLevel: options.featureLevel });
        gpuFile = loaded.file;
        await emit({
          type: 'gpu',
          file: loaded.file,
          info: gpu.info,
          description: describeGpu(gpu),
          adapterFeatures: await adapterFeatures(options.featureLevel),
        });
      }
      const { kernelCase, key } = loaded;
      await emit({ type: 'case-start', key });
      const caseStart = performance.now();
      let error: unknown;
      try {
        await withTimeout(runCase(kernelCase, gpu, options.adapter), kernelCase.timeoutMs, `case '${key}'`);
      } catch (caught) {
        error = caught;
      }
      const ms = performance.now() - caseStart;
      if (error !== undefined) {
        if (error instanceof CaseTimeout || error instanceof DeviceLostError) {
          // The case may still be using this Gpu: give the next case a new one.
          gpu.destroy();
          gpu = undefined;
        } else {
          // Drain what the failed case left queued, so its errors are not reported by the next case.
          await gpu.sync().catch(() => undefined);
        }
      }
      const result = { key, file: loaded.file, suite: kernelCase.suite, name: kernelCase.name, ok: error === undefined, ms };
      await emit({ type: 'case-end', result: error === undefined ? result : { ...result, error: describeError(error) } });
    }
    gpu?.destroy();
    await emit({ type: 'done', ms: performance.now() - start });
  } catch (error) {
    gpu?.destroy();
    await emit({ type: 'fatal', error: describeError(error) });
  }
}

/** Called by the generated entry with the cases modules, as `[path relative to the repo root, module]` pairs. */
export function install(modules: ReadonlyArray<readonly [string, Record<string, unknown>]>): void {
  const cases = collectCases(modules);
  // Uncaught exceptions and unhandled rejections reach the harness through CDP (puppeteer's 'pageerror').
  let running = false;
  window.__ulseg = {
    cases: cases.map(({ key, file, kernelCase }) => ({ key, file, timeoutMs: kernelCase.timeoutMs })),
    async runAll(options) {
      if (running) throw new Error('runAll is already running in this page');
      running = true;
      await runAll(cases, options);
    },
  };
  void emit({ type: 'ready', cases: cases.length, userAgent: navigator.userAgent });
}
