/**
 * The ONNX Runtime Web page: `window.__ulsegOrt.run(request)` fetches the model and the input the Node side serves
 * (/model.onnx, /input.bin: float32 little-endian), runs bench/src/ort-peer.ts once per requested execution
 * provider, each in a session of its own, and returns the timings and logits (or why the provider failed) with
 * the WebGPU adapter the page sees. onnxruntime-web's browser bundle loads its wasm from /ort/ (its dist folder).
 */
import * as ort from 'onnxruntime-web';
import { runOrtPeer, type OrtExecutionProvider, type OrtPeerResult } from '../ort-peer.js';

export interface OrtPageRequest {
  readonly batch: number;
  readonly resolution: readonly [number, number];
  readonly executionProviders: readonly OrtExecutionProvider[];
  readonly warmRuns: number;
  readonly maxSeconds: number;
  /** onnxruntime-web's log level (default warning; verbose shows which provider each node was assigned to). */
  readonly logLevel?: 'verbose' | 'info' | 'warning' | 'error';
}

/** A peer result with the logits as a plain array (what page.evaluate can carry). */
export type OrtPageRun =
  | ({ readonly executionProvider: OrtExecutionProvider; readonly ok: true } & Omit<OrtPeerResult, 'logits'> & { readonly logits: number[] })
  | { readonly executionProvider: OrtExecutionProvider; readonly ok: false; readonly error: string };

export interface OrtPageAdapter {
  readonly description: string;
  readonly features: string[];
  readonly limits: Record<string, number>;
}

export interface OrtPageReport {
  readonly userAgent: string;
  readonly adapter: OrtPageAdapter | null;
  readonly runs: OrtPageRun[];
}

declare global {
  interface Window {
    __ulsegOrt?: { run(request: OrtPageRequest): Promise<OrtPageReport> };
  }
}

async function adapterInfo(): Promise<OrtPageAdapter | null> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return null;
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key];
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

async function run(request: OrtPageRequest): Promise<OrtPageReport> {
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
  ort.env.logLevel = request.logLevel ?? 'warning';
  const model = await fetchBytes('/model.onnx');
  const inputBytes = await fetchBytes('/input.bin');
  const input = new Float32Array(inputBytes.buffer, inputBytes.byteOffset, inputBytes.byteLength / 4);
  const runs: OrtPageRun[] = [];
  for (const executionProvider of request.executionProviders) {
    try {
      const result = await runOrtPeer(ort, {
        model,
        batch: request.batch,
        resolution: request.resolution,
        input,
        executionProviders: [executionProvider],
        warmRuns: request.warmRuns,
        maxSeconds: request.maxSeconds,
      });
      runs.push({ ...result, ok: true, logits: Array.from(result.logits) });
    } catch (error) {
      runs.push({ executionProvider, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { userAgent: navigator.userAgent, adapter: await adapterInfo(), runs };
}

window.__ulsegOrt = { run };
