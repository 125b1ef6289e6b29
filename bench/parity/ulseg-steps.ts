/*
 * The ulseg side of the per-step parity run (bench/parity/README.md): @ulseg/train's own trainFold on fold K of a
 * folder made by `ulseg synth` + `ulseg preprocess`, with augmentation and drop-connect off so that every batch is a
 * fixed function of the data and the seeded epoch order. Writes to --out:
 *   init.safetensors     the model's initial state_dict (what trainFold starts from)
 *   inputs.npy, masks.npy  the training inputs [N, 1, R, R] ulseg's trainingBatch makes (no augmentation: the same
 *                        every epoch), in the training list's order (train.csv rows outside fold K)
 *   eval-input.npy, eval-logits.npy  evaluation-style inputs of the first 4 training scans and the initial model's
 *                        eval-mode logits on them (the forward parity check)
 *   steps.json           config, training ids, each epoch's order, and per step the loss, the batch's mean Dice and
 *                        the learning rate; per epoch the validation loss and Dice
 * Run: bench/parity/run-ulseg.sh --data DIR --csv train.csv --out DIR [--steps 30] [--fold 1] [--seed 2020]
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tensor, noGrad } from '../../packages/autograd/src/index.js';
import { loadLabelledSet, readTrainCsv, type DataFiles } from '../../packages/data/src/index.js';
import { NodeFiles } from '../../packages/data/src/node-files.js';
import { createGpu } from '../../packages/kernels/src/index.js';
import { writeSafetensors } from '../../packages/model/src/index.js';
import {
  batchRanges,
  epochOrder,
  evaluationBatch,
  initialisationSeed,
  matchTrainTable,
  resolveTrainConfig,
  segmentationModelFactory,
  snapshotModel,
  splitFold,
  trainFold,
  trainingBatch,
} from '../../packages/train/src/index.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    csv: { type: 'string' },
    out: { type: 'string' },
    steps: { type: 'string', default: '30' },
    fold: { type: 'string', default: '1' },
    folds: { type: 'string', default: '6' },
    seed: { type: 'string', default: '2020' },
    resolution: { type: 'string', default: '64' },
    'batch-size': { type: 'string', default: '4' },
    'learning-rate': { type: 'string', default: '3e-3' },
    't-max': { type: 'string', default: '20' },
    adapter: { type: 'string' },
  },
});
if (!args.data || !args.csv || !args.out) throw new Error('usage: ulseg-steps --data DIR (with train_data/img and train_data/label) --csv train.csv --out DIR');

const files: DataFiles = new NodeFiles();

/** numpy v1.0 .npy of a float32 C-order array, written atomically. */
function writeNpy(path: string, shape: readonly number[], data: Float32Array): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const prefix = new Uint8Array(10);
  prefix.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  new DataView(prefix.buffer).setUint16(8, header.length, true);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  writeFileSync(`${path}.tmp`, Buffer.concat([prefix, new TextEncoder().encode(header), body]));
  renameSync(`${path}.tmp`, path);
}

const out = args.out;
mkdirSync(out, { recursive: true });
const fold = Number(args.fold);
const seed = Number(args.seed);
const stepsWanted = Number(args.steps);
const folds = Number(args.folds);
const table = await readTrainCsv(files, args.csv, { folds, seed: 2020 });
const loaded = await loadLabelledSet(files, join(args.data, 'train_data', 'img'), join(args.data, 'train_data', 'label'));
const { samples } = matchTrainTable(loaded.samples, table.rows, { csv: args.csv, images: args.data });
const { train, validation } = splitFold(samples, fold);
const batchSize = Number(args['batch-size']);
const stepsPerEpoch = Math.ceil(train.length / batchSize);
const epochs = Math.ceil(stepsWanted / stepsPerEpoch);
const config = resolveTrainConfig({
  encoder: 'efficientnet-b0',
  imageResolution: Number(args.resolution),
  epochs,
  batchSize,
  learningRate: Number(args['learning-rate']),
  tMax: Number(args['t-max']),
  etaMin: 1e-11,
  folds,
  seed,
  bceWeight: 0,
  dropConnectRate: 0,
  augment: false,
  bnRecalibration: 'off',
});
const gpu = await createGpu(args.adapter ? { adapter: args.adapter as never } : {});
const resolution = config.imageResolution;

// The initial model, handed to trainFold through createModel so the run starts from exactly these weights.
const model = segmentationModelFactory(gpu, config, initialisationSeed(seed, fold));
await files.write(join(out, 'init.safetensors'), writeSafetensors(await snapshotModel(model)));

const plane = resolution * resolution;
const inputs = new Float32Array(train.length * plane);
const masks = new Float32Array(train.length * plane);
for (const [start, end] of batchRanges(train.length, batchSize)) {
  const batch = trainingBatch(gpu, train.slice(start, end), resolution);
  inputs.set(await gpu.read(batch.images), start * plane);
  masks.set(await gpu.read(batch.masks), start * plane);
  gpu.release(batch.images);
  gpu.release(batch.masks);
}
writeNpy(join(out, 'inputs.npy'), [train.length, 1, resolution, resolution], inputs);
writeNpy(join(out, 'masks.npy'), [train.length, 1, resolution, resolution], masks);

const evalBatch = evaluationBatch(gpu, train.slice(0, 4), resolution);
writeNpy(join(out, 'eval-input.npy'), [4, 1, resolution, resolution], await gpu.read(evalBatch.images));
model.eval();
const x = Tensor.adopt(gpu, evalBatch.images);
const logits = noGrad(() => model.forward(x));
writeNpy(join(out, 'eval-logits.npy'), [4, 1, resolution, resolution], await gpu.read(logits.data));
logits.dispose();
x.dispose();
gpu.release(evalBatch.masks);

const steps: { epoch: number; step: number; loss: number; dice: number; learningRate: number }[] = [];
const epochRows: { epoch: number; trainLoss: number; validationLoss: number; validationDice: number; seconds: number }[] = [];
const started = performance.now();
await trainFold({
  gpu,
  config,
  fold,
  train,
  validation,
  createModel: () => model,
  onEvent: (event) => {
    if (event.type === 'step') {
      steps.push({ epoch: event.epoch, step: event.step, loss: event.loss, dice: event.dice, learningRate: event.learningRate });
      process.stdout.write(`step ${steps.length} (epoch ${event.epoch}.${event.step}) loss ${event.loss.toFixed(6)}\n`);
    } else if (event.type === 'epoch') {
      const row = event.row;
      epochRows.push({ epoch: row.epoch, trainLoss: row.trainLoss, validationLoss: row.validationLoss, validationDice: row.validationDice, seconds: row.seconds });
    }
  },
});
const record = {
  what: 'ulseg trainFold, augmentation and drop-connect off, BN recalibration off',
  config,
  fold,
  trainIds: train.map((sample) => sample.id),
  validationIds: validation.map((sample) => sample.id),
  orders: Array.from({ length: epochs }, (_, epoch) => epochOrder(seed, fold, epoch, train.length)),
  steps,
  epochs: epochRows,
  seconds: (performance.now() - started) / 1000,
};
await files.write(join(out, 'steps.json'), new TextEncoder().encode(JSON.stringify(record, null, 1)));
await gpu.close();
process.stdout.write(`wrote ${out}: ${steps.length} steps in ${record.seconds.toFixed(0)} s\n`);
