/**
 * Checkpoints: encode → decode round-trips the state_dict, Adam's moments and step counts, the configuration and the
 * training state bit for bit, and restores them into a fresh model and optimiser; best checkpoints are plain
 * state_dicts; foreign files are refused with the reason; init weights are adapted (bare EfficientNet keys, RGB stem
 * summed); with progressive resizing, image_resolution is the resolution of the epoch the weights come from.
 */
import { F, nn, optim, Tensor } from '@ulseg/autograd';
import { type Gpu } from '@ulseg/kernels';
import { Random } from '@ulseg/kernels/testing';
import { assertClose, defineCases, expectError, randomArray } from '@ulseg/kernels/testing';
import { readSafetensors, writeSafetensors, type WeightMap } from '@ulseg/model';
import {
  adaptInitWeights,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreOptimizer,
  snapshotModel,
  snapshotOptimizer,
  type TrainingState,
} from './checkpoint.js';
import { resolveTrainConfig } from './config.js';

/** conv 3x3 → BN → conv 1x1: parameters, BN buffers and a scalar num_batches_tracked, like the real model. */
function smallNet(gpu: Gpu, seed: number): nn.Sequential {
  const ctx = new nn.InitContext(gpu, new Random(seed));
  return new nn.Sequential(new nn.Conv2d(ctx.child(0), 1, 3, 3, { padding: 1 }), new nn.BatchNorm2d(ctx.child(1), 3), new nn.Conv2d(ctx.child(2), 3, 1, 1));
}

/** Two Adam steps on a random batch, so weights, BN buffers and moments all differ from their initial values. */
async function trained(gpu: Gpu, random: Random): Promise<{ net: nn.Sequential; optimizer: optim.Adam }> {
  const net = smallNet(gpu, 3);
  const optimizer = new optim.Adam(net.parameters(), { learningRate: 1e-2 });
  const x = Tensor.fromArray(gpu, randomArray(random, 2 * 9 * 11), [2, 1, 9, 11]);
  const t = Tensor.fromArray(gpu, Float32Array.from({ length: 2 * 9 * 11 }, () => (random.next() < 0.4 ? 1 : 0)), [2, 1, 9, 11]);
  for (let step = 0; step < 2; step++) {
    const loss = F.diceLoss(net.forward(x), t);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    loss.dispose();
  }
  x.dispose();
  t.dispose();
  return { net, optimizer };
}

const STATE: TrainingState = {
  fold: 2,
  epochsDone: 3,
  steps: 12,
  best: { epoch: 2, validationLoss: 0.1 + 0.2 },
  history: [
    {
      fold: 2,
      epoch: 1,
      learningRate: 1e-3,
      trainLoss: 0.7,
      trainDice: 0.1,
      validationLoss: 1 / 3,
      validationDice: 0.2,
      validationIou: 0.1,
      savedBest: true,
      bnRecalibrated: true,
      seconds: 1.5,
      imagesPerSecond: 2.25,
    },
  ],
  finished: false,
};

const CONFIG = resolveTrainConfig({ encoder: 'efficientnet-b0', imageResolution: 64, epochs: 4, seed: 99, learningRate: 3e-3 });

export const checkpointCases = defineCases('train/checkpoint', {
  'last checkpoint round trip: weights, BN buffers, Adam moments and steps, config and state, restored bit for bit': async ({ gpu, random }) => {
    const { net, optimizer } = await trained(gpu, random);
    await gpu.sync();
    const submits = gpu.counters.submits;
    const weights = await snapshotModel(net);
    const moments = await snapshotOptimizer(net, optimizer);
    // One readback each (Gpu.readMany), not one per tensor: every readback is a round trip to the device.
    if (gpu.counters.submits - submits !== 2) throw new Error(`snapshotModel + snapshotOptimizer needed ${gpu.counters.submits - submits} submits, want 2`);
    const bytes = encodeCheckpoint({ config: CONFIG, state: STATE, model: weights, optimizer: moments, weightsEpoch: 3 });
    const decoded = decodeCheckpoint(bytes, 'last.safetensors');
    if (JSON.stringify(decoded.config) !== JSON.stringify(CONFIG)) throw new Error('config changed in the round trip');
    if (JSON.stringify(decoded.state) !== JSON.stringify(STATE)) throw new Error('state changed in the round trip');
    if ([...decoded.model.keys()].join() !== weights.map(([name]) => name).join()) throw new Error('state_dict order changed');
    const { metadata } = readSafetensors(bytes);
    for (const [key, value] of Object.entries({ encoder: 'efficientnet-b0', image_resolution: '64', fold: '2', epoch: '3', in_channels: '1', classes: '1', network: 'linknet' })) {
      if (metadata[key] !== value) throw new Error(`metadata ${key} = ${metadata[key]}, expected ${value}`);
    }

    const fresh = smallNet(gpu, 77);
    const freshOptimizer = new optim.Adam(fresh.parameters(), { learningRate: 1e-2 });
    fresh.load(decoded.model);
    restoreOptimizer(fresh, freshOptimizer, decoded.optimizer, 'last.safetensors');
    const again = await snapshotModel(fresh);
    weights.forEach(([name, entry], index) => assertClose(again[index]![1].data, entry.data, 'exact', name));
    const restored = await snapshotOptimizer(fresh, freshOptimizer);
    if (restored.size !== moments.size || moments.size !== 6) throw new Error(`expected 6 parameters with Adam state, got ${moments.size} and ${restored.size}`);
    for (const [name, moment] of moments) {
      const other = restored.get(name)!;
      if (other.step !== 2) throw new Error(`${name}: step ${other.step}, expected 2`);
      assertClose(other.m, moment.m, 'exact', `${name} exp_avg`);
      assertClose(other.v, moment.v, 'exact', `${name} exp_avg_sq`);
    }
    for (const module of [net, fresh]) module.dispose();
    optimizer.dispose();
    freshOptimizer.dispose();
  },

  'a best checkpoint is a plain state_dict with the validation loss; foreign files are refused with the reason': async ({ gpu, random }) => {
    const { net, optimizer } = await trained(gpu, random);
    const weights = await snapshotModel(net);
    const best = encodeCheckpoint({ config: CONFIG, state: STATE, model: weights, weightsEpoch: 2, validationLoss: 0.3 });
    const { weights: stored, metadata } = readSafetensors(best);
    if ([...stored.keys()].some((name) => name.startsWith('optimizer.'))) throw new Error('best checkpoint holds optimiser state');
    if (metadata.validation_loss !== '0.3' || metadata.epoch !== '2') throw new Error(`metadata ${JSON.stringify(metadata)}`);
    const plain = writeSafetensors(weights, {});
    await expectError(() => decodeCheckpoint(plain, 'converted.safetensors'), ['converted.safetensors', 'not a ulseg training checkpoint']);
    const tampered = writeSafetensors(weights, { format: 'ulseg-train', version: '9' });
    await expectError(() => decodeCheckpoint(tampered, 'future.safetensors'), ['future.safetensors', 'version 9']);
    const orphan = writeSafetensors([...weights, ['optimizer.exp_avg.0.weight', weights[0]![1]]], readSafetensors(best).metadata);
    await expectError(() => decodeCheckpoint(orphan, 'torn.safetensors'), ['torn.safetensors', "incomplete Adam state for '0.weight'"]);
    const badConfig = writeSafetensors(weights, { ...metadata, config: JSON.stringify({ ...CONFIG, imageResolution: 100 }) });
    await expectError(() => decodeCheckpoint(badConfig, 'odd.safetensors'), ['odd.safetensors', 'multiple of 32', '100']);
    net.dispose();
    optimizer.dispose();
  },

  'progressive resizing: image_resolution is the resolution the weights were last trained at; the config keeps both': async ({ gpu, random }) => {
    const { net, optimizer } = await trained(gpu, random);
    const weights = await snapshotModel(net);
    // Epochs 1-3 at 64 px, 4-6 at 128 px (1-based).
    const config = resolveTrainConfig({ encoder: 'efficientnet-b0', imageResolution: 64, epochs: 6, finalResolution: 128, finalEpochs: 3 });
    for (const [weightsEpoch, expected] of [[1, '64'], [3, '64'], [4, '128'], [6, '128']] as const) {
      for (const validationLoss of [undefined, 0.25]) {
        const bytes = encodeCheckpoint({ config, state: { ...STATE, epochsDone: weightsEpoch }, model: weights, weightsEpoch, ...(validationLoss !== undefined ? { validationLoss } : {}) });
        const { metadata } = readSafetensors(bytes);
        if (metadata.image_resolution !== expected || metadata.epoch !== String(weightsEpoch)) {
          throw new Error(`epoch ${weightsEpoch}: image_resolution ${metadata.image_resolution}, expected ${expected}`);
        }
        const decoded = decodeCheckpoint(bytes, 'progressive.safetensors');
        if (decoded.config.imageResolution !== 64 || decoded.config.finalResolution !== 128 || decoded.config.finalEpochs !== 3) {
          throw new Error(`config changed in the round trip: ${JSON.stringify(decoded.config)}`);
        }
      }
    }
    // A checkpoint of an earlier ulseg (no progressive fields in its config) decodes with them off.
    const older = { ...CONFIG } as Record<string, unknown>;
    delete older.finalResolution;
    delete older.finalEpochs;
    const { metadata } = readSafetensors(encodeCheckpoint({ config: CONFIG, state: STATE, model: weights, weightsEpoch: 3 }));
    const decodedOlder = decodeCheckpoint(writeSafetensors(weights, { ...metadata, config: JSON.stringify(older) }), 'older.safetensors');
    if (decodedOlder.config.finalResolution !== null || decodedOlder.config.finalEpochs !== 0) throw new Error(`older config: ${JSON.stringify(decodedOlder.config)}`);
    const badFinal = writeSafetensors(weights, { ...metadata, config: JSON.stringify({ ...CONFIG, finalResolution: 96, finalEpochs: 9 }) });
    await expectError(() => decodeCheckpoint(badFinal, 'odd.safetensors'), ['odd.safetensors', 'final epochs must be at most epochs (4), got 9']);
    net.dispose();
    optimizer.dispose();
  },

  'init weights: bare EfficientNet keys get the encoder. prefix, an RGB stem is summed over its channels': async ({ gpu, random }) => {
    const encoder = new nn.ModuleDict();
    const stem = encoder.registerModule('_conv_stem', new nn.Conv2d(new nn.InitContext(gpu, new Random(1), 'encoder._conv_stem'), 1, 4, 3, { bias: false }));
    const model = new nn.ModuleDict();
    model.registerModule('encoder', encoder);
    const rgb = randomArray(random, 4 * 3 * 9);
    const weights: WeightMap = new Map([
      ['_conv_stem.weight', { shape: [4, 3, 3, 3], data: rgb }],
      ['_fc.weight', { shape: [2, 4], data: new Float32Array(8) }],
      ['optimizer.exp_avg._conv_stem.weight', { shape: [4, 3, 3, 3], data: rgb }],
    ]);
    const { weights: adapted, notes } = adaptInitWeights(weights, model);
    if (notes.length !== 3) throw new Error(`expected three notes, got ${JSON.stringify(notes)}`);
    const report = model.load(adapted, { strict: false });
    if (report.loaded !== 1 || report.unexpected.join() !== 'encoder._fc.weight') throw new Error(`load report ${JSON.stringify(report)}`);
    const summed = Array.from({ length: 4 * 9 }, (_, index) => {
      const [o, k] = [Math.floor(index / 9), index % 9];
      return rgb[(o * 3) * 9 + k]! + rgb[(o * 3 + 1) * 9 + k]! + rgb[(o * 3 + 2) * 9 + k]!;
    });
    assertClose(await stem.weight.toArray(), summed, { maxAbsolute: 1e-6 }, 'summed stem');
    model.dispose();
  },
});
