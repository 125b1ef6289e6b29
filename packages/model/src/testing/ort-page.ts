/**
 * @ulseg/model/testing/ort-page: the browser side of an ONNX Runtime Web page (@ulseg/model/testing/chromium drives
 * it). `installOrtPage(ort, runProvider)` sets `window.__ulsegOrt.run(request)`, which fetches the model and the input
 * the Node side serves (/model.onnx, /input.bin: float32 little-endian), calls `runProvider` once per requested
 * execution provider, each in a session of its own, and returns what each gave (or why it failed) with the WebGPU
 * adapter the page sees. onnxruntime-web's browser bundle loads its wasm from /ort/ (its dist folder).
 * Used by the export's Chromium test (packages/model/test) and the bench's ORT peer (timed runs).
 */
import type { OrtExecutionProvider, OrtModule } from './ort.js';

export interface OrtPageRequest {
  readonly executionProviders: readonly OrtExecutionProvider[];
  /** onnxruntime-web's log level (default warning; verbose shows which provider each node was assigned to). */
  readonly logLevel?: 'verbose' | 'info' | 'warning' | 'error';
}

/** A provider's result with its logits as a plain array (what page.evaluate can carry). */
export type OrtPageRun<Result extends { logits: Float32Array }> =
  | ({ readonly executionProvider: OrtExecutionProvider; readonly ok: true } & Omit<Result, 'logits'> & { readonly logits: number[] })
  | { readonly executionProvider: OrtExecutionProvider; readonly ok: false; readonly error: string };

export interface OrtPageAdapter {
  readonly description: string;
  readonly features: string[];
  readonly limits: Record<string, number>;
}

export interface OrtPageReport<Result extends { logits: Float32Array }> {
  readonly userAgent: string;
  readonly adapter: OrtPageAdapter | null;
  readonly runs: OrtPageRun<Result>[];
}

/** What runProvider gets: the served model and input, one provider, and the whole request. */
export interface OrtPageTask<Request extends OrtPageRequest> {
  readonly model: Uint8Array;
  readonly input: Float32Array;
  readonly executionProvider: OrtExecutionProvider;
  readonly request: Request;
}

declare global {
  interface Window {
    __ulsegOrt?: { run(request: never): Promise<unknown> };
  }
}

async function adapterInfo(): Promise<OrtPageAdapter | null> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return null;
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    // GPUSupportedLimits has named getters and no index signature: read by name.
    const value: unknown = Reflect.get(adapter.limits, key);
    if (typeof value === 'number') limits[key] = value;
  }
  return {
    description: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / '),
    features: [...adapter.features].sort(),
    limits,
  };
}

async function fetchBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Installs `window.__ulsegOrt.run(request)` on this page (see above). */
export function installOrtPage<Request extends OrtPageRequest, Result extends { logits: Float32Array }>(
  ort: OrtModule,
  runProvider: (task: OrtPageTask<Request>) => Promise<Result>,
): void {
  const run = async (request: Request): Promise<OrtPageReport<Result>> => {
    ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
    ort.env.logLevel = request.logLevel ?? 'warning';
    const model = await fetchBytes('/model.onnx');
    const inputBytes = await fetchBytes('/input.bin');
    const input = new Float32Array(inputBytes.buffer, inputBytes.byteOffset, inputBytes.byteLength / 4);
    const runs: OrtPageRun<Result>[] = [];
    for (const executionProvider of request.executionProviders) {
      try {
        const result = await runProvider({ model, input, executionProvider, request });
        runs.push({ ...result, executionProvider, ok: true, logits: Array.from(result.logits) });
      } catch (error) {
        runs.push({ executionProvider, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { userAgent: navigator.userAgent, adapter: await adapterInfo(), runs };
  };
  window.__ulsegOrt = { run: run as (request: never) => Promise<unknown> };
}
