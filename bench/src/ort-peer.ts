/**
 * The ONNX Runtime Web peer of the model benchmark: an InferenceSession on an exported model (packages/model's
 * exportOnnx) with the WebGPU execution provider, or the wasm (CPU) one where WebGPU is unavailable, timed cold
 * (session creation, which compiles, plus the first run) and warm, returning the logits for the agreement check.
 *
 * The caller passes the runtime module: onnxruntime-web's Node build (wasm only, one thread) or its browser bundle
 * (WebGPU through JSEP, and wasm; in a page `env.wasm.wasmPaths` points at its dist folder), or onnxruntime-node
 * (native: its WebGPU provider on its own Dawn, and cpu). The session and its provider fallback are
 * @ulseg/model/testing/ort's (withOrtSession), which the export's correctness tests run too.
 * Timing is wall-clock around `session.run`, whose outputs are on the CPU: a warm WebGPU run includes the upload of
 * the input and the readback of the logits.
 */
import type * as Ort from 'onnxruntime-web';
import { runOrtOnce, runtimeName, withOrtSession, type OrtAttempt, type OrtExecutionProvider, type OrtModule } from '@ulseg/model/testing/ort';
import { quantile } from './measure.js';
import { uniformArray } from './random.js';

export { runtimeName, type OrtAttempt, type OrtExecutionProvider, type OrtModule };

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

async function timedRun(ort: OrtModule, session: Ort.InferenceSession, input: Float32Array, shape: readonly number[]): Promise<{ ms: number; logits: Float32Array; logitsShape: number[] }> {
  const started = performance.now();
  const output = await runOrtOnce(ort, session, input, shape);
  return { ms: performance.now() - started, ...output };
}

/** Creates the session (first provider that works), runs it cold and warm, and returns timings and the logits. */
export async function runOrtPeer(ort: OrtModule, options: OrtPeerOptions): Promise<OrtPeerResult> {
  const [height, width] = typeof options.resolution === 'number' ? [options.resolution, options.resolution] : options.resolution;
  const inputShape = [options.batch, options.channels ?? 1, height, width];
  const count = inputShape.reduce((product, size) => product * size, 1);
  const input = options.input ?? ortInput(count);
  if (input.length !== count) throw new Error(`ORT peer: the input has ${input.length} values; [${inputShape.join(', ')}] needs ${count}`);
  const { result, executionProvider, failed } = await withOrtSession(ort, options.model, options, async (session, _provider, createMs) => {
    const first = await timedRun(ort, session, input, inputShape);
    const logits = first.logits.slice();
    const warmMs: number[] = [];
    let warmMaxDifference = 0;
    const started = performance.now();
    const wanted = options.warmRuns ?? 5;
    while (warmMs.length < wanted) {
      const run = await timedRun(ort, session, input, inputShape);
      warmMs.push(run.ms);
      run.logits.forEach((value, index) => {
        warmMaxDifference = Math.max(warmMaxDifference, Math.abs(value - logits[index]!));
      });
      if ((performance.now() - started) / 1000 > (options.maxSeconds ?? 60) && warmMs.length >= 2) break;
    }
    const sorted = [...warmMs].sort((a, b) => a - b);
    return {
      createMs,
      firstRunMs: first.ms,
      coldMs: createMs + first.ms,
      warmMs,
      warmMedianMs: quantile(sorted, 0.5),
      warmP90Ms: quantile(sorted, 0.9),
      logits,
      warmMaxDifference,
      logitsShape: first.logitsShape,
    };
  });
  return { runtime: runtimeName(ort), executionProvider, failed, inputShape, ...result };
}
