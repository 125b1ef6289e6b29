/**
 * @ulseg/model/testing/ort: ONNX Runtime sessions for the tests that check the export against our logits, and for
 * the bench's ORT peer (which times these sessions). Browser-safe: the runtime module is the caller's (Node loaders
 * in @ulseg/model/testing/ort-node).
 *
 * Each execution provider is tried in a session of its own, so the result says which one really ran and why the
 * ones before it failed (a session listing several providers would fall back silently).
 */
import type * as Ort from 'onnxruntime-web';

/** onnxruntime-web or onnxruntime-node: both are onnxruntime-common's API. */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>;
/** webgpu (both), wasm (onnxruntime-web's CPU provider), cpu (onnxruntime-node's). */
export type OrtExecutionProvider = 'webgpu' | 'wasm' | 'cpu';

export interface OrtAttempt {
  readonly executionProvider: OrtExecutionProvider;
  readonly error: string;
}

export interface OrtSessionOptions {
  /** Tried in order, each in its own session (default webgpu, then wasm). */
  readonly executionProviders?: readonly OrtExecutionProvider[];
  /**
   * CPU threads: wasm threads and onnxruntime-node's intra-op threads (default 1: onnxruntime-web in Node supports
   * only one, and so does a page without cross-origin isolation).
   */
  readonly threads?: number;
}

export function runtimeName(ort: OrtModule): string {
  const { versions } = ort.env;
  return versions.node !== undefined ? `onnxruntime-node ${versions.node}` : `onnxruntime-web ${versions.web ?? versions.common}`;
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 500);

/**
 * Opens a session on `model` with the first provider for which both InferenceSession.create and `use` succeed, and
 * releases it after `use`. Throws, naming every provider and its error, when none does.
 */
export async function withOrtSession<T>(
  ort: OrtModule,
  model: Uint8Array,
  options: OrtSessionOptions,
  use: (session: Ort.InferenceSession, executionProvider: OrtExecutionProvider, createMs: number) => Promise<T>,
): Promise<{ result: T; executionProvider: OrtExecutionProvider; failed: readonly OrtAttempt[] }> {
  const threads = options.threads ?? 1;
  ort.env.wasm.numThreads = threads;
  const failed: OrtAttempt[] = [];
  for (const executionProvider of options.executionProviders ?? ['webgpu', 'wasm']) {
    let session: Ort.InferenceSession | undefined;
    try {
      const created = performance.now();
      session = await ort.InferenceSession.create(model, { executionProviders: [executionProvider], graphOptimizationLevel: 'all', intraOpNumThreads: threads });
      const result = await use(session, executionProvider, performance.now() - created);
      return { result, executionProvider, failed };
    } catch (error) {
      failed.push({ executionProvider, error: describeError(error) });
    } finally {
      await session?.release();
    }
  }
  throw new Error(`ORT: no execution provider could run the model: ${failed.map((attempt) => `${attempt.executionProvider}: ${attempt.error}`).join('; ')}`);
}

/** Runs `session` once on `input` (float32, `shape`); its first output, as float32 values and dimensions. */
export async function runOrtOnce(ort: OrtModule, session: Ort.InferenceSession, input: Float32Array, shape: readonly number[]): Promise<{ logits: Float32Array; logitsShape: number[] }> {
  const outputs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [...shape]) });
  const output = outputs[session.outputNames[0]!];
  if (!output) throw new Error(`the session returned no '${session.outputNames[0]}'`);
  if (output.type !== 'float32' || !(output.data instanceof Float32Array)) throw new Error(`the model's output is ${output.type}, not float32`);
  return { logits: output.data, logitsShape: [...output.dims] };
}

export interface OrtRun {
  readonly runtime: string;
  readonly executionProvider: OrtExecutionProvider;
  /** Providers tried before the one that ran, and why each failed. */
  readonly failed: readonly OrtAttempt[];
  readonly logits: Float32Array;
  readonly logitsShape: readonly number[];
}

/** The model's output on `input` ([N, C, H, W] float32 `shape`) from the first provider that runs it. */
export async function runOrt(ort: OrtModule, model: Uint8Array, input: Float32Array, shape: readonly number[], options: OrtSessionOptions = {}): Promise<OrtRun> {
  const { result, executionProvider, failed } = await withOrtSession(ort, model, options, async (session) => {
    const { logits, logitsShape } = await runOrtOnce(ort, session, input, shape);
    return { logits: logits.slice(), logitsShape };
  });
  return { runtime: runtimeName(ort), executionProvider, failed, ...result };
}
