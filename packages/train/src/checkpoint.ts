/**
 * Training checkpoints as safetensors (float32, the model's state_dict order):
 * - `best.safetensors`: the model's state_dict only (weights and BN buffers, PyTorch names), so every loader of
 *   model weights (`ulseg forward`, inference) reads it as it reads a converted `.pth`;
 * - `last.safetensors`: the same plus Adam's moments as `optimizer.exp_avg.<parameter>` and
 *   `optimizer.exp_avg_sq.<parameter>` (for the parameters that have stepped).
 * The JSON metadata holds the format, the whole TrainConfig, the training state (fold, epochs and steps done, best
 * epoch and loss, the log rows, Adam's step counts) and, as plain strings, what a loader needs to rebuild the model
 * (encoder, network, image_resolution, in_channels, classes). image_resolution is the resolution the weights were last
 * trained at: the configuration's image resolution, or its final resolution for the weights of an epoch of progressive
 * resizing's last `finalEpochs` (config.ts), so inference reads the size the model was left fitting. The random state is (seed, fold, epoch, step): every
 * stream is derived from them (streams.ts).
 */
import { type optim, type nn } from '@ulseg/autograd';
import { dims4 } from '@ulseg/kernels';
import { OPTIMIZER_STATE_PREFIX, readSafetensors, writeSafetensors, type WeightEntry, type WeightMap } from '@ulseg/model';
import { resolutionAt, resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './config.js';
import type { EpochRow } from './log.js';

export const CHECKPOINT_FORMAT = 'ulseg-train';
export const CHECKPOINT_VERSION = '1';
export const OPTIMIZER_PREFIX = OPTIMIZER_STATE_PREFIX;
const MOMENT_PREFIXES = { m: `${OPTIMIZER_PREFIX}exp_avg.`, v: `${OPTIMIZER_PREFIX}exp_avg_sq.` } as const;

export interface TrainingState {
  /** 1-based. */
  readonly fold: number;
  /** Epochs completed: the 0-based index of the next epoch to run. */
  readonly epochsDone: number;
  /** Optimiser steps completed in this fold. */
  readonly steps: number;
  /** The epoch (1-based) and validation loss of best.safetensors, or null before the first save. */
  readonly best: { readonly epoch: number; readonly validationLoss: number } | null;
  readonly history: readonly EpochRow[];
  /** Every epoch has run. */
  readonly finished: boolean;
}

export interface MomentEntry {
  readonly step: number;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export interface Checkpoint {
  readonly config: TrainConfig;
  readonly state: TrainingState;
  /** state_dict entries in order. */
  readonly model: WeightMap;
  /** Adam state by parameter name (empty in a best checkpoint). */
  readonly optimizer: Map<string, MomentEntry>;
}

/** The model's state_dict, read back. */
export async function snapshotModel(model: nn.ModuleBase): Promise<[string, WeightEntry][]> {
  const entries = model.stateDict();
  const values = await entries[0]![1].gpu.readMany(entries.map(([, tensor]) => tensor.data));
  return entries.map(([name, tensor], index) => [name, { shape: [...tensor.shape], data: values[index]! }]);
}

/** Adam's state by parameter name (parameter order of `model.parameters()`, which the optimiser was built on). */
export async function snapshotOptimizer(model: nn.ModuleBase, optimizer: optim.Adam): Promise<Map<string, MomentEntry>> {
  const names = [...model.namedParameters()].map(([name]) => name);
  const state = await optimizer.stateDict();
  const out = new Map<string, MomentEntry>();
  for (const [index, entry] of state) out.set(names[index]!, entry);
  return out;
}

export function encodeCheckpoint(contents: {
  config: TrainConfig;
  state: TrainingState;
  model: Iterable<[string, WeightEntry]>;
  optimizer?: ReadonlyMap<string, MomentEntry>;
  /** The epoch (1-based) whose weights these are. */
  weightsEpoch: number;
  validationLoss?: number;
}): Uint8Array {
  const { config, state } = contents;
  const entries: [string, Pick<WeightEntry, 'shape' | 'data'>][] = [...contents.model];
  const steps: Record<string, number> = {};
  const shapes = new Map(entries.map(([name, entry]) => [name, entry.shape]));
  for (const [name, moment] of contents.optimizer ?? []) {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`encodeCheckpoint: optimiser state for '${name}', which is not in the model`);
    entries.push([`${MOMENT_PREFIXES.m}${name}`, { shape, data: moment.m }], [`${MOMENT_PREFIXES.v}${name}`, { shape, data: moment.v }]);
    steps[name] = moment.step;
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    network: config.network,
    encoder: config.encoder,
    decoder_attention: config.decoderAttention,
    in_channels: String(config.inputChannels),
    classes: String(config.outputClasses),
    image_resolution: String(resolutionAt(config, contents.weightsEpoch - 1)),
    fold: String(state.fold),
    epoch: String(contents.weightsEpoch),
    config: JSON.stringify(config),
    state: JSON.stringify(state),
    optimizer_steps: JSON.stringify(steps),
  };
  if (contents.validationLoss !== undefined) metadata.validation_loss = String(contents.validationLoss);
  return writeSafetensors(entries, metadata);
}

function parseJson<T>(text: string | undefined, what: string, source: string): T {
  if (text === undefined) throw new Error(`${source}: no '${what}' in the metadata; not a complete ulseg training checkpoint`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${source}: metadata '${what}' is not JSON (${(error as Error).message})`);
  }
}

export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  const { weights, metadata } = readSafetensors(bytes, source);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source}: not a ulseg training checkpoint (metadata format '${metadata.format ?? 'none'}'); --resume needs the last.safetensors a run wrote`);
  }
  if (metadata.version !== CHECKPOINT_VERSION) throw new Error(`${source}: checkpoint version ${metadata.version}, this ulseg reads ${CHECKPOINT_VERSION}`);
  let config: TrainConfig;
  try {
    config = resolveTrainConfig(parseJson<TrainConfigInput>(metadata.config, 'config', source));
  } catch (error) {
    throw new Error(`${source}: its configuration is invalid: ${(error as Error).message}`);
  }
  const state = parseJson<TrainingState>(metadata.state, 'state', source);
  const steps = parseJson<Record<string, number>>(metadata.optimizer_steps, 'optimizer_steps', source);
  const model: WeightMap = new Map();
  const moments = new Map<string, { m?: Float32Array; v?: Float32Array }>();
  for (const [name, entry] of weights) {
    const kind = name.startsWith(MOMENT_PREFIXES.m) ? 'm' : name.startsWith(MOMENT_PREFIXES.v) ? 'v' : undefined;
    if (!kind) {
      if (name.startsWith(OPTIMIZER_PREFIX)) throw new Error(`${source}: unknown optimiser entry '${name}'`);
      model.set(name, entry);
      continue;
    }
    const parameter = name.slice(MOMENT_PREFIXES[kind].length);
    const moment = moments.get(parameter) ?? {};
    moment[kind] = entry.data;
    moments.set(parameter, moment);
  }
  const optimizer = new Map<string, MomentEntry>();
  for (const [name, { m, v }] of moments) {
    const step = steps[name];
    if (!m || !v || step === undefined) throw new Error(`${source}: incomplete Adam state for '${name}' (needs exp_avg, exp_avg_sq and a step count)`);
    optimizer.set(name, { step, m, v });
  }
  return { config, state, model, optimizer };
}

/** Puts a checkpoint's Adam state into `optimizer` (built on `model.parameters()`). */
export function restoreOptimizer(model: nn.ModuleBase, optimizer: optim.Adam, moments: ReadonlyMap<string, MomentEntry>, source: string): void {
  const indexes = new Map([...model.namedParameters()].map(([name], index) => [name, index]));
  const entries = new Map<number, MomentEntry>();
  for (const [name, moment] of moments) {
    const index = indexes.get(name);
    if (index === undefined) throw new Error(`${source}: optimiser state for '${name}', which the model does not have`);
    entries.set(index, moment);
  }
  optimizer.load(entries);
}

/**
 * Adapts a state_dict to initialise the model by name: optimiser entries are dropped; a bare EfficientNet state_dict
 * (efficientnet-pytorch's keys, `_conv_stem.weight`, …) gets the `encoder.` prefix; an RGB stem [C, 3, k, k] for a
 * one-channel model is summed over its input channels, as smp does for `in_channels=1`. Returns notes on each change.
 */
export function adaptInitWeights(weights: WeightMap, model: nn.ModuleBase): { weights: WeightMap; notes: string[] } {
  const notes: string[] = [];
  let entries = [...weights].filter(([name]) => !name.startsWith(OPTIMIZER_PREFIX));
  if (entries.length < weights.size) notes.push(`ignored ${weights.size - entries.length} optimiser entries`);
  const own = new Map(model.stateDict());
  if (!entries.some(([name]) => name.startsWith('encoder.')) && entries.some(([name]) => name.startsWith('_conv_stem.') || name.startsWith('_blocks.'))) {
    entries = entries.map(([name, entry]) => [`encoder.${name}`, entry]);
    notes.push("a bare EfficientNet state_dict: keys prefixed with 'encoder.'");
  }
  const stemName = 'encoder._conv_stem.weight';
  const stem = entries.find(([name]) => name === stemName);
  const ownStem = own.get(stemName);
  if (stem && ownStem && stem[1].shape.length === 4 && ownStem.shape[1] === 1 && stem[1].shape[1]! > 1) {
    const [out, inChannels, kh, kw] = dims4(stem[1].shape);
    const plane = kh * kw;
    const summed = new Float32Array(out * plane);
    for (let o = 0; o < out; o++) {
      for (let c = 0; c < inChannels; c++) {
        for (let k = 0; k < plane; k++) summed[o * plane + k]! += stem[1].data[(o * inChannels + c) * plane + k]!;
      }
    }
    stem[1] = { shape: [out, 1, kh, kw], data: summed };
    notes.push(`${stemName}: the ${inChannels}-channel stem summed over its input channels for a 1-channel model (as smp does)`);
  }
  return { weights: new Map(entries), notes };
}
