/**
 * `pnpm bench model --peer ort`: ONNX Runtime on the same model, the same rows and the same kind of adapter.
 * For each forward row the model is exported (packages/model's exportOnnx, eval mode, a dynamic batch) with the
 * weights it has then, run through bench/src/ort-peer.ts (WebGPU execution provider, the CPU one where WebGPU
 * fails: the outcome says which ran and why), timed cold (session creation and compilation + the first run) and
 * warm, and its logits are compared with ours on the same input (relative L2 in the row's note). Train-step rows
 * are skipped (inference sessions only).
 *
 * The module is shared by Node and the bench page, so it imports nothing Node-only: each runtime provides ORT
 * through `provideOrtRuntime` (Node: bench/src/node/ort-node.ts, onnxruntime-node's native WebGPU provider, or ORT
 * Web's on a Dawn SwiftShader adapter; the page: the `chromium` provider below, onnxruntime-web with its .wasm files
 * served from /ort/).
 */
import type { Gpu } from '@ulseg/kernels';
import { noGrad, Tensor } from '@ulseg/autograd';
import { exportOnnx, type SegmentationModel } from '@ulseg/model';
import type { ModelPeer, ModelPeerFactory, ModelPeerRow } from './model/peer.js';
import type { ModelBenchSettings, PeerOutcome } from './model/schema.js';
import { runOrtPeer, runtimeName, type OrtExecutionProvider, type OrtModule } from './ort-peer.js';

export interface OrtRuntime {
  /**
   * An ONNX Runtime whose WebGPU provider runs on an adapter of the same kind as `gpu`'s, the providers to try in
   * order, and a description.
   */
  load(gpu: Gpu): Promise<{ ort: OrtModule; executionProviders: readonly OrtExecutionProvider[]; device: string }>;
}

/** The page: onnxruntime-web's browser bundle; its .wasm files come from /ort/ on the bench server. */
const chromiumRuntime: OrtRuntime = {
  async load() {
    const ort = (await import('onnxruntime-web')) as OrtModule;
    ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
    return { ort, executionProviders: ['webgpu', 'wasm'], device: "onnxruntime-web's WebGPU EP (JSEP) on the page's adapter, its own GPUDevice; wasm EP (1 thread) if WebGPU fails" };
  },
};

const runtimes: Partial<Record<'node' | 'chromium', OrtRuntime>> = { chromium: chromiumRuntime };

export function provideOrtRuntime(runtime: 'node' | 'chromium', provider: OrtRuntime): void {
  runtimes[runtime] = provider;
}

function relativeL2(actual: Float32Array, expected: Float32Array): number {
  let difference = 0;
  let norm = 0;
  for (let index = 0; index < expected.length; index++) {
    difference += (actual[index]! - expected[index]!) ** 2;
    norm += expected[index]! ** 2;
  }
  return Math.sqrt(difference / norm);
}

async function ourLogits(model: SegmentationModel, gpu: Gpu, row: ModelPeerRow, settings: ModelBenchSettings): Promise<Float32Array> {
  model.eval();
  const x = Tensor.fromArray(gpu, row.input, [row.batch, settings.inChannels, settings.resolution, settings.resolution]);
  const logits = noGrad(() => model.forward(x));
  try {
    return await logits.toArray();
  } finally {
    logits.dispose();
    x.dispose();
  }
}

export const ortModelPeer: ModelPeerFactory = async (context) => {
  const runtime = runtimes[context.runtime];
  if (!runtime) throw new Error(`no onnxruntime-web provider for ${context.runtime} (bench/src/ort-model-peer.ts provideOrtRuntime)`);
  const { ort, executionProviders, device } = await runtime.load(context.gpu);
  const [name, version] = runtimeName(ort).split(' ') as [string, string];
  const peer: ModelPeer = {
    name,
    version,
    device,
    unsupported: (pass) => (pass === 'forward' ? null : `${name} runs inference only here (no training)`),
    async measure(row, settings): Promise<PeerOutcome> {
      const { model, gpu, log } = context;
      const bytes = await exportOnnx(model, { height: settings.resolution, width: settings.resolution, batch: 'dynamic' });
      log(`[ort] forward b${row.batch}: exported ${(bytes.length / 2 ** 20).toFixed(1)} MiB of ONNX; creating the session (it compiles its shaders: minutes for onnxruntime-web on a CPU adapter)`);
      const result = await runOrtPeer(ort, {
        model: bytes,
        batch: row.batch,
        channels: settings.inChannels,
        resolution: settings.resolution,
        input: row.input,
        executionProviders,
        warmRuns: settings.repeats,
        maxSeconds: settings.maxSeconds,
      });
      const agreement = relativeL2(result.logits, await ourLogits(model, gpu, row, settings));
      const fallback = result.failed.map((attempt) => `${attempt.executionProvider} failed: ${attempt.error}`).join('; ');
      log(`[ort] forward b${row.batch}: ${result.executionProvider} cold ${result.coldMs.toFixed(0)} ms, warm median ${result.warmMedianMs.toFixed(1)} ms; logits vs ours rel-L2 ${agreement.toExponential(2)}`);
      return {
        status: 'ok',
        runs: `${result.runtime}, ${result.executionProvider} EP`,
        coldMs: result.coldMs,
        medianMs: result.warmMedianMs,
        p90Ms: result.warmP90Ms,
        samplesMs: result.warmMs.map((ms) => Number(ms.toFixed(3))),
        imagesPerSecond: row.batch / (result.warmMedianMs / 1000),
        note:
          `session ${result.createMs.toFixed(0)} ms + first run ${result.firstRunMs.toFixed(0)} ms; logits vs ours rel-L2 ${agreement.toExponential(2)}` +
          (fallback ? `; ${fallback}` : ''),
      };
    },
    dispose: () => Promise.resolve(),
  };
  return peer;
};
