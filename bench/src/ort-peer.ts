/**
 * The ONNX Runtime Web peer of the model benchmark: an InferenceSession on an exported model (packages/model's
 * exportOnnx) with the WebGPU execution provider, or the wasm (CPU) one where WebGPU is unavailable, timed cold
 * (session creation, which compiles, plus the first run) and warm, returning the logits for the agreement check.
 *
 * The caller passes the runtime module: onnxruntime-web's Node build (wasm only, one thread) or its browser bundle
 * (WebGPU through JSEP, and wasm; in a page `env.wasm.wasmPaths` points at its dist folder), or onnxruntime-node
 * (native: its WebGPU provider on its own Dawn, and cpu). Each
 * execution provider is tried in a session of its own, so the result says which one really ran and why the ones
 * before it failed (a session listing several providers would fall back silently).
 * Timing is wall-clock around `session.run`, whose outputs are on the CPU: a warm WebGPU run includes the upload of
 * the input and the readback of the logits.
 */
import type * as Ort from 'onnxruntime-web';
import { quantile } from './measure.js';
import { uniformArray } from './random.js';

/** onnxruntime-web or onnxruntime-node: both are onnxruntime-common's API. */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>;
/** webgpu (both), wasm (onnxruntime-web's CPU provider), cpu (onnxruntime-node's). */
export type OrtExecutionProvider = 'webgpu' | 'wasm' | 'cpu';

export interface OrtPeerOptions {
  /** The .onnx file's bytes (input [N, C, H, W] float32, one float32 output). */
  readonly model: Uint8Array;
  readonly batch: number;
  /** Square input side, or [height, width]. */
  readonly resolution: number | readonly [number, number];
  /** Input channels (1 for our models). */
  readonly channels?: number;
  /** Tried in order, each in its own session (default webgpu, then wasm). */
  readonly executionProviders?: readonly OrtExecutionProvider[];
  /** The input, N·C·H·W values; default seeded uniform [0, 1) (the same in Node and in a page). */
  readonly input?: Float32Array;
  /** Timed warm runs after the cold one (default 5). */
  readonly warmRuns?: number;
  /** Stop the warm runs after this many seconds once 2 are done (default 60). */
  readonly maxSeconds?: number;
  /**
   * CPU threads: wasm threads and onnxruntime-node's intra-op threads (default 1: onnxruntime-web in Node supports
   * only one, and so does a page without cross-origin isolation).
   */
  readonly threads?: number;
}

export interface OrtAttempt {
  readonly executionProvider: OrtExecutionProvider;
  readonly error: string;
}

export interface OrtPeerResult {
  readonly runtime: string;
  readonly executionProvider: OrtExecutionProvider;
  /** Providers tried before the one that ran, and why each failed. */
  readonly failed: readonly OrtAttempt[];
  readonly inputShape: readonly number[];
  /** InferenceSession.create (graph optimisation, kernel and shader compilation). */
  readonly createMs: number;
  /** The first run (for WebGPU: the pipelines it compiles on first use). */
  readonly firstRunMs: number;
  /** createMs + firstRunMs. */
  readonly coldMs: number;
  readonly warmMs: readonly number[];
  readonly warmMedianMs: number;
  readonly warmP90Ms: number;
  /** The first run's output. */
  readonly logits: Float32Array;
  /** Largest |warm − first| over the warm runs' logits (0 for a deterministic provider). */
  readonly warmMaxDifference: number;
  readonly logitsShape: readonly number[];
}

export const ORT_INPUT_SEED = 0x0e7;

export function ortInput(count: number): Float32Array {
  return uniformArray(count, ORT_INPUT_SEED, 0, 1);
}

export function runtimeName(ort: OrtModule): string {
  const { versions } = ort.env;
  return versions.node !== undefined ? `onnxruntime-node ${versions.node}` : `onnxruntime-web ${versions.web ?? versions.common}`;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 500);

async function timedRun(session: Ort.InferenceSession, feeds: Record<string, Ort.Tensor>): Promise<{ ms: number; output: Ort.Tensor }> {
  const started = performance.now();
  const outputs = await session.run(feeds);
  const ms = performance.now() - started;
  const output = outputs[session.outputNames[0]!];
  if (!output) throw new Error(`the session returned no '${session.outputNames[0]}'`);
  return { ms, output };
}

function float32Data(output: Ort.Tensor): Float32Array {
  if (output.type !== 'float32' || !(output.data instanceof Float32Array)) throw new Error(`the model's output is ${output.type}, not float32`);
  return output.data;
}

/** Creates the session (first provider that works), runs it cold and warm, and returns timings and the logits. */
export async function runOrtPeer(ort: OrtModule, options: OrtPeerOptions): Promise<OrtPeerResult> {
  const [height, width] = typeof options.resolution === 'number' ? [options.resolution, options.resolution] : options.resolution;
  const inputShape = [options.batch, options.channels ?? 1, height, width];
  const count = inputShape.reduce((product, size) => product * size, 1);
  const input = options.input ?? ortInput(count);
  if (input.length !== count) throw new Error(`ORT peer: the input has ${input.length} values; [${inputShape.join(', ')}] needs ${count}`);
  const threads = options.threads ?? 1;
  ort.env.wasm.numThreads = threads;
  const failed: OrtAttempt[] = [];
  for (const executionProvider of options.executionProviders ?? ['webgpu', 'wasm']) {
    let session: Ort.InferenceSession | undefined;
    try {
      const created = performance.now();
      session = await ort.InferenceSession.create(options.model, { executionProviders: [executionProvider], graphOptimizationLevel: 'all', intraOpNumThreads: threads });
      const createMs = performance.now() - created;
      const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, inputShape) };
      const first = await timedRun(session, feeds);
      const logits = float32Data(first.output).slice();
      const warmMs: number[] = [];
      let warmMaxDifference = 0;
      const started = performance.now();
      const wanted = options.warmRuns ?? 5;
      while (warmMs.length < wanted) {
        const run = await timedRun(session, feeds);
        warmMs.push(run.ms);
        float32Data(run.output).forEach((value, index) => {
          warmMaxDifference = Math.max(warmMaxDifference, Math.abs(value - logits[index]!));
        });
        if ((performance.now() - started) / 1000 > (options.maxSeconds ?? 60) && warmMs.length >= 2) break;
      }
      const sorted = [...warmMs].sort((a, b) => a - b);
      return {
        runtime: runtimeName(ort),
        executionProvider,
        failed,
        inputShape,
        createMs,
        firstRunMs: first.ms,
        coldMs: createMs + first.ms,
        warmMs,
        warmMedianMs: quantile(sorted, 0.5),
        warmP90Ms: quantile(sorted, 0.9),
        logits,
        warmMaxDifference,
        logitsShape: [...first.output.dims],
      };
    } catch (error) {
      failed.push({ executionProvider, error: describe(error) });
    } finally {
      await session?.release();
    }
  }
  throw new Error(`ORT peer: no execution provider could run the model: ${failed.map((attempt) => `${attempt.executionProvider}: ${attempt.error}`).join('; ')}`);
}
