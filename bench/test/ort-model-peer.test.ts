/**
 * The model bench's `--peer ort` (bench/src/ort-model-peer.ts) on a forward row of Linknet-B0 at 64² in Node, as
 * `pnpm bench model` wires it (bench/src/node/ort-node.ts: onnxruntime-node's WebGPU provider, lavapipe here): the
 * export, the timings, and the logits agreeing with ours; the fallback to a CPU provider, with the reason, when
 * WebGPU cannot run (onnxruntime-web's Node build has no WebGPU); and runOrtPeer's timings. (Whether the export
 * computes our logits in ONNX Runtime is the model's test: packages/model/test/onnx-runtime.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpuFor } from '@ulseg/kernels/testing';
import { exportOnnx, SegmentationModel } from '@ulseg/model';
import { parseModelArguments } from '../src/args.js';
import { DEFAULT_MODEL_SETTINGS } from '../src/model/model-config.js';
import { MODEL_PEERS } from '../src/model/peer.js';
import type { ModelBenchSettings } from '../src/model/schema.js';
import { modelInput } from '../src/model/suite.js';
import { loadOrtWasm } from '../src/node/ort-node.js'; // also provides the Node runtime of the peer
import { provideOrtRuntime } from '../src/ort-model-peer.js';
import { runOrtPeer } from '../src/ort-peer.js';

const settings: ModelBenchSettings = { ...DEFAULT_MODEL_SETTINGS, encoder: 'efficientnet-b0', resolution: 64, batches: [2], repeats: 2, peer: 'ort' };

describe('pnpm bench model --peer ort', () => {
  let model: SegmentationModel;
  beforeAll(async () => {
    model = new SegmentationModel(await gpuFor('lavapipe'), { encoder: 'efficientnet-b0', inChannels: 1, classes: 1, seed: settings.seed });
  }, 60_000);
  afterAll(() => model?.dispose());

  it('is a registered peer', () => {
    expect(parseModelArguments(['--peer', 'ort']).settings.peer).toBe('ort');
    expect(Object.keys(MODEL_PEERS)).toContain('ort');
  });

  it('measures a forward row with WebGPU on the exported model and checks its logits against ours; skips training', { timeout: 180_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const lines: string[] = [];
    const peer = await MODEL_PEERS.ort!({ model, gpu, settings, runtime: 'node', log: (line) => lines.push(line) });
    expect(peer.name).toBe('onnxruntime-node');
    expect(peer.version).toBe('1.30.0');
    expect(peer.device).toMatch(/WebGPU EP/);
    expect(peer.unsupported('train-step')).toMatch(/inference only/);
    expect(peer.unsupported('forward')).toBeNull();
    const outcome = await peer.measure({ pass: 'forward', batch: 2, input: modelInput(settings, 2), target: null }, settings);
    await peer.dispose();
    if (outcome.status !== 'ok') throw new Error(`the peer did not measure: ${JSON.stringify(outcome)}`);
    console.log(`--peer ort in Node: ${outcome.runs}; cold ${outcome.coldMs.toFixed(0)} ms, warm median ${outcome.medianMs.toFixed(1)} ms; ${outcome.note}`);
    expect(outcome.runs).toBe('onnxruntime-node 1.30.0, webgpu EP');
    expect(outcome.samplesMs).toHaveLength(2);
    expect(outcome.coldMs).toBeGreaterThan(0);
    expect(outcome.imagesPerSecond).toBeCloseTo(2 / (outcome.medianMs / 1000), 6);
    expect(outcome.note).not.toMatch(/failed/);
    const agreement = Number(/logits vs ours rel-L2 ([\d.e+-]+)/.exec(outcome.note ?? '')?.[1]);
    expect(agreement).toBeLessThanOrEqual(1e-4);
    expect(lines.some((line) => line.includes('exported'))).toBe(true);
  });

  it('falls back to the CPU provider and says why WebGPU failed', { timeout: 180_000 }, async () => {
    provideOrtRuntime('node', { load: async () => ({ ort: await loadOrtWasm(), executionProviders: ['webgpu', 'wasm'], device: "onnxruntime-web's Node build" }) });
    const peer = await MODEL_PEERS.ort!({ model, gpu: await gpuFor('lavapipe'), settings, runtime: 'node', log: () => undefined });
    expect(peer.name).toBe('onnxruntime-web');
    const outcome = await peer.measure({ pass: 'forward', batch: 2, input: modelInput(settings, 2), target: null }, settings);
    if (outcome.status !== 'ok') throw new Error(`the peer did not measure: ${JSON.stringify(outcome)}`);
    expect(outcome.runs).toBe('onnxruntime-web 1.30.0, wasm EP');
    expect(outcome.note).toMatch(/webgpu failed: no available backend found/);
    expect(Number(/logits vs ours rel-L2 ([\d.e+-]+)/.exec(outcome.note ?? '')?.[1])).toBeLessThanOrEqual(1e-5);
  });

  it('runOrtPeer times the cold run (session creation + first run) and each warm run; wasm repeats its logits exactly', { timeout: 180_000 }, async () => {
    const bytes = await exportOnnx(model, { height: 64, width: 64, batch: 3 });
    const peer = await runOrtPeer(await loadOrtWasm(), { model: bytes, batch: 3, resolution: 64, executionProviders: ['webgpu', 'wasm'], warmRuns: 2 });
    expect(peer.executionProvider).toBe('wasm');
    expect(peer.failed.map((attempt) => attempt.executionProvider)).toEqual(['webgpu']);
    expect(peer.warmMs).toHaveLength(2);
    expect(peer.coldMs).toBeCloseTo(peer.createMs + peer.firstRunMs, 6);
    expect(peer.warmMaxDifference).toBe(0);
    expect(peer.logitsShape).toEqual([3, 1, 64, 64]);
  });
});
