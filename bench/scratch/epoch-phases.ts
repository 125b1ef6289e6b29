/* Scratch: where one training epoch of the demo's quick preset spends its time (fold 1 of /tmp/q). Not a test. */
import { readFileSync, readdirSync } from 'node:fs';
import { createGpu } from '../../packages/kernels/src/device/create-gpu.js';
import { decodePng } from '../../packages/data/src/index.js';
import { resolveTrainConfig, trainFold } from '../../packages/train/src/index.js';

const gpu = await createGpu({ adapter: 'lavapipe' });
const root = process.argv[2] ?? '/tmp/q/train_data';
const rows = readFileSync(`${root}/train.csv`, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
const header = readFileSync(`${root}/train.csv`, 'utf8').split('\n')[0]!.split(',');
const foldColumn = header.indexOf('fold');
const samples = rows.map((row) => {
  const id = row[0]!;
  const load = (dir: string) => decodePng(new Uint8Array(readFileSync(`${root}/${dir}/${id}`)), id);
  return { id, image: load('img'), mask: load('label'), fold: Number(row[foldColumn]) };
});
const config = resolveTrainConfig({ encoder: 'efficientnet-b0', imageResolution: 64, epochs: Number(process.env.EPOCHS ?? 2), batchSize: 4, learningRate: Number(process.env.LR ?? 3e-3), tMax: Number(process.env.TMAX ?? 9), folds: 3, bceWeight: Number(process.env.BCE ?? 0) } as never);
let last = performance.now();
const mark = (what: string) => {
  const now = performance.now();
  console.log(`${((now - last) / 1000).toFixed(2)} s  -> ${what}`);
  last = now;
};
await trainFold({
  gpu,
  config,
  fold: 1,
  train: samples.filter((s) => s.fold !== 1),
  validation: samples.filter((s) => s.fold === 1),
  onEvent: (event) => {
    if (process.env.QUIET && event.type !== 'epoch-end' && event.type !== 'epoch') return;
    if (event.type === 'step') mark(`step ${event.epoch}.${event.step}`);
    else if (event.type === 'phase') mark(`${event.epoch} ${event.phase} starts`);
    else if (event.type === 'epoch' || event.type === 'epoch-end') mark(`epoch end ${JSON.stringify(event).slice(0, 400)}`);
    else mark(event.type);
  },
});
mark('done');
