/**
 * Where a model peer plugs in (`pnpm bench model --peer <name>`): another runtime running the same Linknet on the
 * same kind of adapter, measured after ours row by row and reported beside it (ratio ours/peer). The suite asks a
 * factory for the peer once per run (in Node and in the page alike), then calls `measure` for each row the peer
 * supports; rows it does not support get `skipped` with the peer's reason.
 *
 * To add one (e.g. ONNX Runtime Web on the exported model, bench/src/ort-peer.ts): write a ModelPeerFactory that
 * exports `context.model` (exportOnnx), creates its session, and times it; register it in MODEL_PEERS.
 */
import type { Gpu } from '@ulseg/kernels';
import type { SegmentationModel } from '@ulseg/model';
import type { ModelBenchSettings, ModelPass, PeerOutcome } from './schema.js';
import { ortModelPeer } from '../ort-model-peer.js';

export interface ModelPeerRow {
  readonly pass: ModelPass;
  readonly batch: number;
  /** The input ours used for this row, [batch, inChannels, resolution, resolution] (seeded). */
  readonly input: Float32Array;
  /** The training target, for train-step rows; null for forward rows. */
  readonly target: Float32Array | null;
}

export interface ModelPeer {
  readonly name: string;
  readonly version: string;
  /** Where it runs, e.g. `WebGPU EP on the page's adapter`, `wasm, 1 thread`. */
  readonly device: string;
  /** Why it cannot run a pass (ONNX Runtime Web has no training), or null when it can. */
  unsupported(pass: ModelPass): string | null;
  /** Cold (session / compile + first run) and warm timings of one row, with at most settings.repeats warm runs. */
  measure(row: ModelPeerRow, settings: ModelBenchSettings): Promise<PeerOutcome>;
  dispose(): Promise<void>;
}

export interface ModelPeerContext {
  /** The model ours measures, with its weights (export it rather than build another). */
  readonly model: SegmentationModel;
  /** Our Gpu: a WebGPU peer may share its device (as the tfjs kernel peer does) or take its own. */
  readonly gpu: Gpu;
  readonly settings: ModelBenchSettings;
  readonly runtime: 'node' | 'chromium';
  readonly log: (line: string) => void;
}

export type ModelPeerFactory = (context: ModelPeerContext) => Promise<ModelPeer>;

/** Registered model peers by `--peer` name. */
export const MODEL_PEERS: Readonly<Record<string, ModelPeerFactory>> = {
  /** ONNX Runtime Web on the exported model (bench/src/ort-model-peer.ts). */
  ort: ortModelPeer,
};

export function modelPeerNames(): string[] {
  return Object.keys(MODEL_PEERS);
}
