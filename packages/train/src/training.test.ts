/**
 * The training loop end to end (Node, lavapipe: the loops are long; their kernels are checked on every adapter by
 * the *.cases.ts files):
 * - a scripted model pins the validation losses, so the original's best rule, the cosine schedule (torch's values
 *   from test/fixtures) and the checkpoint/log files of each epoch are checked exactly;
 * - NaN in the training or validation loss stops the run naming fold, epoch and step, keeping the last good epoch;
 * - Linknet-B0 at 64² on phantoms: 2 epochs in one go against 1 epoch + stop + resume give bit-identical weights and
 *   Adam moments; GPU memory is flat from epoch to epoch; an existing run is refused without --resume and a
 *   finished one is skipped with it;
 * - progressive resizing: the configuration's rules; a small conv net records the shape of every forward, so each
 *   epoch's training, BN recalibration and validation resolution is checked, as are the best rule restricted to the
 *   final-resolution epochs, the checkpoints' image_resolution, and a stop at the switch + resume, bit for bit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { F, nn, Tensor } from '@ulseg/autograd';
import { MemoryFiles, renderPhantomSample } from '@ulseg/data';
import { gpuFor, Random } from '@ulseg/kernels/testing';
import { readSafetensors } from '@ulseg/model';
import {
  BestCheckpointRule,
  CHECKPOINT_FILES,
  decodeCheckpoint,
  describeResolution,
  finalResolutionStart,
  resolutionAt,
  NonFiniteLossError,
  parseLogCsv,
  repeatTrainingSamples,
  resolveTrainConfig,
  trainFold,
  trainFolds,
  TrainingStoppedError,
  type EpochRow,
  type FoldedSample,
  type ModelFactory,
} from './index.js';

const fixtures = new URL('../../../test/fixtures/linknet-b0/', import.meta.url);

function phantoms(count: number, seed = 5): FoldedSample[] {
  return Array.from({ length: count }, (_, index) => {
    const scan = renderPhantomSample(seed, 'train', index + 1, { width: [60, 90], height: [48, 72] });
    return { id: `${index + 1}.png`, image: scan.image, mask: scan.mask, fold: (index % 3) + 1 };
  });
}

/**
 * Training mode: logits = x·w (one parameter, so Adam has something to move). Eval mode: a constant logit per
 * validation call from `script`, so each epoch's validation loss is set by the test. `poison` puts NaN into the
 * logits of the given training call (1-based) or validation call.
 */
function scripted(script: readonly number[], poison: { training?: number; validation?: number } = {}): ModelFactory {
  return (gpu) => {
    class Scripted extends nn.Module {
      readonly w = this.registerParameter('w', Tensor.fromArray(gpu, [0.5], [1]));
      private trainingCalls = 0;
      private validationCalls = 0;
      forward(x: Tensor): Tensor {
        if (this.training) {
          const call = ++this.trainingCalls;
          const logits = F.mul(x, this.w);
          return call === poison.training ? F.mulScalar(logits, Number.NaN) : logits;
        }
        const call = ++this.validationCalls;
        const value = call === poison.validation ? Number.NaN : script[call - 1]!;
        return F.addScalar(F.mulScalar(x, 0), value);
      }
    }
    return new Scripted();
  };
}

const decoder = new TextDecoder();

describe('training loop (lavapipe)', () => {
  it("BestCheckpointRule is the original's: <= the best so far, epochs 0..E-2 only, best updated only on save", () => {
    const rule = new BestCheckpointRule(6);
    expect([0.5, 0.4, 0.4, 0.6, 0.45, 0.1].map((loss, epoch) => rule.offer(epoch, loss))).toEqual([true, true, true, false, false, false]);
    expect(rule.best).toBe(0.4);
    // E = 1: the original's range 0..E-2 is empty and it would end without a model; ulseg saves the only epoch.
    expect(new BestCheckpointRule(1).offer(0, 0.1)).toBe(true);
    expect(new BestCheckpointRule(2).offer(1, 0.1)).toBe(false);
    expect(new BestCheckpointRule(3).offer(0, Number.NaN)).toBe(false);
    // Progressive resizing: only epochs from the first at the final resolution (3 here) to E-2 compete.
    const progressive = new BestCheckpointRule(6, Number.POSITIVE_INFINITY, 3);
    expect([0.1, 0.1, 0.1, 0.5, 0.4, 0.1].map((loss, epoch) => progressive.offer(epoch, loss))).toEqual([false, false, false, true, true, false]);
    // E' = 1: the last epoch is the only one at the final resolution, so it is saved (as a one-epoch run's is).
    expect([0.1, 0.1, 0.1].map((loss, epoch) => new BestCheckpointRule(3, Number.POSITIVE_INFINITY, 2).offer(epoch, loss))).toEqual([false, false, true]);
  });

  it('progressive resizing: finalResolution and finalEpochs are validated together; resolutionAt switches at E - E\'', () => {
    expect(resolveTrainConfig({})).toMatchObject({ finalResolution: null, finalEpochs: 0 });
    const config = resolveTrainConfig({ imageResolution: 64, epochs: 22, finalResolution: 96, finalEpochs: 4 });
    expect(finalResolutionStart(config)).toBe(18);
    expect(Array.from({ length: 22 }, (_, epoch) => resolutionAt(config, epoch))).toEqual([...Array(18).fill(64), ...Array(4).fill(96)]);
    expect(describeResolution(config)).toBe('64², the last 4 epochs at 96²');
    const off = resolveTrainConfig({ imageResolution: 64, epochs: 22 });
    expect(resolutionAt(off, 21)).toBe(64);
    expect(describeResolution(off)).toBe('64²');
    expect(describeResolution({ ...config, finalEpochs: 1 })).toBe('64², the last epoch at 96²');
    expect(Array.from({ length: 3 }, (_, epoch) => resolutionAt(resolveTrainConfig({ imageResolution: 64, epochs: 3, finalResolution: 128, finalEpochs: 3 }), epoch))).toEqual([128, 128, 128]);
    const base = { imageResolution: 64, epochs: 22 };
    expect(() => resolveTrainConfig({ ...base, finalResolution: 96, finalEpochs: 23 })).toThrow('final epochs must be at most epochs (22), got 23');
    expect(() => resolveTrainConfig({ ...base, finalResolution: 96, finalEpochs: 1.5 })).toThrow('final epochs must be an integer >= 0, got 1.5');
    expect(() => resolveTrainConfig({ ...base, finalResolution: 96, finalEpochs: -1 })).toThrow('final epochs must be an integer >= 0, got -1');
    expect(() => resolveTrainConfig({ ...base, finalEpochs: 4 })).toThrow('final epochs is 4 but no final resolution is set');
    expect(() => resolveTrainConfig({ ...base, finalResolution: 96 })).toThrow('final resolution 96 needs final epochs >= 1');
    expect(() => resolveTrainConfig({ ...base, finalResolution: 80, finalEpochs: 4 })).toThrow('final resolution must be a multiple of 32 (the encoder downsamples 5 times), got 80');
    expect(() => resolveTrainConfig({ ...base, finalResolution: 32, finalEpochs: 4 })).toThrow('final resolution must be an integer >= 64, got 32');
    expect(() => resolveTrainConfig({ ...base, finalResolution: 64, finalEpochs: 4 })).toThrow('final resolution 64 equals the image resolution');
    expect(() => resolveTrainConfig({ ...base, network: 'pan', imageResolution: 128, finalResolution: 96, finalEpochs: 4 })).toThrow(/^final resolution: /);
  });

  it('progressive resizing: each epoch trains, recalibrates and validates at its resolution; best from the final ones; stop at the switch + resume is exact', { timeout: 300_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const samples = phantoms(6, 13);
    // Records [mode, side] of every forward: training steps and BN recalibration run in training mode.
    let seen: string[] = [];
    const recording: ModelFactory = (device, _config, seed) => {
      const ctx = new nn.InitContext(device, new Random(seed));
      class Recording extends nn.Module {
        readonly body = this.registerModule(
          'body',
          new nn.Sequential(new nn.Conv2d(ctx.child(0), 1, 3, 3, { padding: 1 }), new nn.BatchNorm2d(ctx.child(1), 3), new nn.Conv2d(ctx.child(2), 3, 1, 1)),
        );
        forward(x: Tensor): Tensor {
          seen.push(`${this.training ? 'train' : 'eval'} ${x.shape[0]}x${x.shape[2]}x${x.shape[3]}`);
          return this.body.forward(x);
        }
      }
      return new Recording();
    };
    // 4 epochs, the last 2 at 96: epochs 0-1 at 64, 2-3 at 96; fold 1 of 3 = 4 training scans (2 steps of 2), 2 validation scans.
    const config = resolveTrainConfig({ imageResolution: 64, finalResolution: 96, finalEpochs: 2, epochs: 4, batchSize: 2, learningRate: 1e-2, tMax: 4, bnRecalibration: 'on', augment: true, seed: 8, folds: 3 });
    const messages: string[] = [];
    const run = (files: MemoryFiles, extra: { resume?: boolean; signal?: AbortSignal; onEpoch?: (row: EpochRow) => void } = {}) =>
      trainFolds({
        gpu,
        config,
        samples,
        folds: [1],
        files,
        weightsPath: 'weights',
        createModel: recording,
        ...(extra.resume ? { resume: true } : {}),
        ...(extra.signal ? { signal: extra.signal } : {}),
        onEvent: (event) => {
          if (event.type === 'epoch') {
            seen.push(`end of epoch ${event.row.epoch}`);
            extra.onEpoch?.(event.row);
          }
          if (event.type === 'message') messages.push(event.text);
        },
      });
    const epochOf = (side: number, epoch: number) => [`train 2x${side}x${side}`, `train 2x${side}x${side}`, `train 2x${side}x${side}`, `train 2x${side}x${side}`, `eval 2x${side}x${side}`, `end of epoch ${epoch}`];

    const whole = new MemoryFiles();
    const lastMetadata: Record<string, string>[] = [];
    const [uninterrupted] = await run(whole, { onEpoch: () => void whole.read('weights/fold1/last.safetensors').then((bytes) => lastMetadata.push(readSafetensors(bytes).metadata)) });
    expect(seen).toEqual([...epochOf(64, 1), ...epochOf(64, 2), ...epochOf(96, 3), ...epochOf(96, 4)]);
    expect(messages).toContain('fold 1: epochs 3-4 train and validate at 96 px (progressive resizing from 64 px); the best checkpoint is chosen among them');
    // Only epoch 3 may be best: epochs 1-2 are at 64 px, and the original's rule never saves the last epoch.
    expect(uninterrupted!.history.map((row) => row.savedBest)).toEqual([false, false, true, false]);
    expect(uninterrupted!.best).toEqual({ epoch: 3, validationLoss: uninterrupted!.history[2]!.validationLoss });
    expect(lastMetadata.map((metadata) => [metadata.epoch, metadata.image_resolution])).toEqual([['1', '64'], ['2', '64'], ['3', '96'], ['4', '96']]);
    const best = readSafetensors(await whole.read('weights/fold1/best.safetensors'));
    expect([best.metadata.epoch, best.metadata.image_resolution]).toEqual(['3', '96']);
    expect(JSON.parse(best.metadata.config!)).toMatchObject({ imageResolution: 64, finalResolution: 96, finalEpochs: 2 });

    // Stopped after epoch 2, the last at 64 px: no best yet; the resumed run starts at 96 px and ends where the whole run did.
    seen = [];
    const interrupted = new MemoryFiles();
    const controller = new AbortController();
    await expect(run(interrupted, { signal: controller.signal, onEpoch: (row) => row.epoch === 2 && controller.abort() })).rejects.toThrow(TrainingStoppedError);
    expect(decodeCheckpoint(await interrupted.read('weights/fold1/last.safetensors'), 'halfway').state).toMatchObject({ epochsDone: 2, best: null });
    expect(await interrupted.exists('weights/fold1/best.safetensors')).toBe(false);
    seen = [];
    const [resumed] = await run(interrupted, { resume: true });
    expect(seen).toEqual([...epochOf(96, 3), ...epochOf(96, 4)]);
    expect(resumed!.best).toEqual(uninterrupted!.best);
    const a = decodeCheckpoint(await whole.read('weights/fold1/last.safetensors'), 'uninterrupted');
    const b = decodeCheckpoint(await interrupted.read('weights/fold1/last.safetensors'), 'resumed');
    for (const [name, entry] of a.model) expect(Buffer.from(b.model.get(name)!.data.buffer).equals(Buffer.from(entry.data.buffer)), name).toBe(true);
    expect(a.optimizer.size).toBe(6);
    for (const [name, moment] of a.optimizer) {
      const other = b.optimizer.get(name)!;
      expect(other.step, name).toBe(moment.step);
      expect(Buffer.from(other.m.buffer).equals(Buffer.from(moment.m.buffer)), `${name} exp_avg`).toBe(true);
      expect(Buffer.from(other.v.buffer).equals(Buffer.from(moment.v.buffer)), `${name} exp_avg_sq`).toBe(true);
    }
    const losses = (rows: readonly EpochRow[]) => rows.map((row) => [row.trainLoss, row.validationLoss, row.validationDice, row.learningRate]);
    expect(losses(b.state.history)).toEqual(losses(a.state.history));
    expect(Buffer.from(readSafetensors(await interrupted.read('weights/fold1/best.safetensors')).weights.get('body.0.weight')!.data.buffer).equals(Buffer.from(best.weights.get('body.0.weight')!.data.buffer))).toBe(true);
  });

  it('pins the best rule, the schedule and the per-epoch files with a scripted model', { timeout: 120_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const samples = phantoms(6);
    // Constant logits c: a larger c gives a smaller Dice loss on masks of ~10% foreground, so the losses are ordered
    // L(2) < L(1) = L(1) < L(0) < L(-1): saves at epochs 1, 2, 3 (ties count); not 4 (worse); not 5, the lowest,
    // because the original never saves the last epoch.
    const script = [0, 1, 1, -1, 2];
    const files = new MemoryFiles();
    const lastByEpoch: Uint8Array[] = [];
    const config = resolveTrainConfig({ epochs: 5, batchSize: 2, imageResolution: 64, learningRate: 1e-3, tMax: 20, etaMin: 1e-6, bnRecalibration: 'off', augment: true, seed: 3, folds: 3 });
    const result = await trainFold({
      gpu,
      config,
      fold: 1,
      train: samples.slice(0, 4),
      validation: samples.slice(4),
      createModel: scripted(script),
      output: { files, directory: 'run/fold1', renderCurves: (rows, fold) => `curves of fold ${fold}: ${rows.length} epochs` },
      onEvent: (event) => {
        if (event.type === 'epoch') void files.read('run/fold1/last.safetensors').then((bytes) => (lastByEpoch[event.row.epoch] = bytes));
      },
    });
    const losses = result.history.map((row) => row.validationLoss);
    expect(losses[1]).toBe(losses[2]);
    expect(losses[4]).toBeLessThan(Math.min(...losses.slice(0, 4)));
    expect(result.history.map((row) => row.savedBest)).toEqual([true, true, true, false, false]);
    expect(result.best).toEqual({ epoch: 3, validationLoss: losses[2] });

    // CosineAnnealingLR stepped per epoch, equal to torch's recorded rates bit for bit.
    const schedule = JSON.parse(readFileSync(new URL('lr_schedule.json', fixtures), 'utf8')) as Record<string, { lr: number[] }>;
    expect(result.history.map((row) => row.learningRate)).toEqual(schedule['lr1e-3_T20']!.lr.slice(0, 5));

    // best.safetensors: the weights of epoch 3 (= that epoch's last checkpoint), without optimiser state.
    const best = readSafetensors(await files.read('run/fold1/best.safetensors'));
    expect(best.metadata.epoch).toBe('3');
    expect(Number(best.metadata.validation_loss)).toBe(losses[2]);
    expect([...best.weights.keys()]).toEqual(['w']);
    const lastOfEpoch3 = decodeCheckpoint(lastByEpoch[3]!, 'epoch 3');
    expect(best.weights.get('w')!.data).toEqual(lastOfEpoch3.model.get('w')!.data);
    expect(lastOfEpoch3.optimizer.get('w')!.step).toBe(6);
    const last = decodeCheckpoint(await files.read('run/fold1/last.safetensors'), 'last');
    expect(last.state).toMatchObject({ epochsDone: 5, steps: 10, finished: true, best: { epoch: 3 } });
    expect(last.model.get('w')!.data).not.toEqual(lastOfEpoch3.model.get('w')!.data);

    const log = parseLogCsv(decoder.decode(await files.read('run/fold1/log.csv')), 'log.csv');
    const stable = (rows: readonly EpochRow[]) => rows.map(({ seconds: _s, imagesPerSecond: _i, ...rest }) => rest);
    expect(stable(log)).toEqual(stable(result.history));
    expect(decoder.decode(await files.read('run/fold1/curves.svg'))).toBe('curves of fold 1: 5 epochs');

    // One epoch: the original's epochs 0..E-2 is empty and it would leave no model; ulseg saves the only epoch.
    const single = new MemoryFiles();
    const once = await trainFold({ gpu, config: { ...config, epochs: 1 }, fold: 1, train: samples.slice(0, 4), validation: samples.slice(4), createModel: scripted([0]), output: { files: single, directory: 'one' } });
    expect(once.best).toEqual({ epoch: 1, validationLoss: once.history[0]!.validationLoss });
    expect(readSafetensors(await single.read('one/best.safetensors')).metadata.epoch).toBe('1');
  });

  it('trainRepeats: listed training scans are drawn n times per epoch; validation and BN recalibration see each once', { timeout: 120_000 }, async () => {
    const samples = phantoms(6);
    expect(repeatTrainingSamples(samples.slice(0, 3), { trainRepeats: { '2.png': 3, '9.png': 2 } }).map((sample) => sample.id)).toEqual(['1.png', '2.png', '2.png', '2.png', '3.png']);
    expect(() => resolveTrainConfig({ trainRepeats: { '2.png': 0 } })).toThrow("train repeats of '2.png' must be an integer >= 1, got 0");
    expect(() => resolveTrainConfig({ trainRepeats: { '2.png': 1.5 } })).toThrow('must be an integer >= 1');
    const gpu = await gpuFor('lavapipe');
    // Counts the images of every forward by mode: training steps and BN recalibration run in training mode.
    const seen = { training: 0, evaluation: 0 };
    const counting: ModelFactory = (device, _config, seed) => {
      const ctx = new nn.InitContext(device, new Random(seed));
      class Counting extends nn.Module {
        readonly w = this.registerParameter('w', Tensor.fromArray(device, [0.5], [1]));
        readonly norm = this.registerModule('norm', new nn.BatchNorm2d(ctx.child('norm'), 1));
        forward(x: Tensor): Tensor {
          seen[this.training ? 'training' : 'evaluation'] += x.shape[0]!;
          return this.norm.forward(F.mul(x, this.w));
        }
      }
      return new Counting();
    };
    // Training scans 1-4 with 1.png and 3.png drawn 3 times: 8 draws = 4 steps of 2 per epoch (2 steps without
    // repeats); 5.png is a validation scan, so its entry changes nothing.
    const config = resolveTrainConfig({ epochs: 2, batchSize: 2, imageResolution: 64, bnRecalibration: 'on', augment: false, seed: 3, folds: 3, trainRepeats: { '1.png': 3, '3.png': 3, '5.png': 4 } });
    const files = new MemoryFiles();
    let start: unknown;
    await trainFold({
      gpu,
      config,
      fold: 1,
      train: samples.slice(0, 4),
      validation: samples.slice(4),
      createModel: counting,
      output: { files, directory: 'repeats' },
      onEvent: (event) => {
        if (event.type === 'fold-start') start = { trainImages: event.trainImages, validationImages: event.validationImages, stepsPerEpoch: event.stepsPerEpoch };
      },
    });
    expect(start).toEqual({ trainImages: 4, validationImages: 2, stepsPerEpoch: 4 });
    // Per epoch: 8 drawn training images + 4 of BN recalibration (each scan once); 2 validation images.
    expect(seen).toEqual({ training: 2 * (8 + 4), evaluation: 2 * 2 });
    const last = decodeCheckpoint(await files.read('repeats/last.safetensors'), 'last');
    expect(last.state.steps).toBe(8);
    expect(last.config.trainRepeats).toEqual({ '1.png': 3, '3.png': 3, '5.png': 4 });
  });

  it('NaN or Inf in the loss stops the run naming fold, epoch and step; the last completed epoch is kept', { timeout: 120_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const samples = phantoms(6);
    const config = resolveTrainConfig({ epochs: 3, batchSize: 2, imageResolution: 64, bnRecalibration: 'off', augment: false, folds: 3 });
    const base = { gpu, config, fold: 2, train: samples.slice(0, 4), validation: samples.slice(4) };
    const files = new MemoryFiles();
    const training = trainFold({ ...base, createModel: scripted([0, 0, 0], { training: 2 }), output: { files, directory: 'a' } });
    await expect(training).rejects.toThrow(NonFiniteLossError);
    await expect(training).rejects.toThrow(/^fold 2, epoch 1\/3, training step 2\/2: the loss is NaN\. Training stopped/);
    expect(await files.exists('a/last.safetensors')).toBe(false);

    const validation = trainFold({ ...base, createModel: scripted([0, 0, 0], { validation: 2 }), output: { files, directory: 'b' } });
    await expect(validation).rejects.toThrow(/^fold 2, epoch 2\/3, validation batch 1\/1: the loss is NaN/);
    expect(decodeCheckpoint(await files.read('b/last.safetensors'), 'b').state.epochsDone).toBe(1);
  });

  it("diceReduction 'image': the validation loss is the mean of the images' own Dice losses (batches of 1 under 'batch'); default 'batch'", { timeout: 60_000 }, async () => {
    expect(resolveTrainConfig({}).diceReduction).toBe('batch');
    expect(() => resolveTrainConfig({ diceReduction: 'pixel' as 'image' })).toThrow('Dice reduction must be batch or image, got pixel');
    const gpu = await gpuFor('lavapipe');
    const samples = phantoms(6);
    const validationLoss = async (diceReduction: 'batch' | 'image', validationBatchSize: number): Promise<number> => {
      const config = resolveTrainConfig({ epochs: 1, batchSize: 4, validationBatchSize, imageResolution: 64, learningRate: 1e-9, bnRecalibration: 'off', augment: false, folds: 3, diceReduction });
      const files = new MemoryFiles();
      const run = await trainFold({ gpu, config, fold: 1, train: samples.slice(0, 4), validation: samples.slice(4), createModel: scripted([0.7, 0.7]), output: { files, directory: 'dice' } });
      return run.history[0]!.validationLoss;
    };
    const alone = await validationLoss('batch', 1);
    const perImage = await validationLoss('image', 2);
    const pooled = await validationLoss('batch', 2);
    expect(Math.abs(perImage - alone)).toBeLessThan(1e-6);
    expect(Math.abs(pooled - alone)).toBeGreaterThan(1e-3);
  });

  it('--init-weights: loaded by name before the first step, the rest reported', { timeout: 60_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const samples = phantoms(6);
    const config = resolveTrainConfig({ epochs: 1, batchSize: 4, imageResolution: 64, learningRate: 1e-9, bnRecalibration: 'off', augment: false, folds: 3 });
    const messages: string[] = [];
    const files = new MemoryFiles();
    const initWeights = {
      source: 'start.safetensors',
      weights: new Map([
        ['w', { shape: [1], data: Float32Array.of(3) }],
        ['head.bias', { shape: [1], data: Float32Array.of(1) }],
      ]),
    };
    await trainFold({
      gpu, config, fold: 1, train: samples.slice(0, 4), validation: samples.slice(4), createModel: scripted([0]), initWeights,
      output: { files, directory: 'init' },
      onEvent: (event) => void (event.type === 'message' && messages.push(event.text)),
    });
    expect(messages).toEqual(['start.safetensors: loaded 1 of 1 tensors; 0 missing (left as initialised); 1 unexpected (ignored): head.bias; 0 of another shape (ignored)']);
    const w = decodeCheckpoint(await files.read('init/last.safetensors'), 'init').model.get('w')!.data[0]!;
    expect(Math.abs(w - 3)).toBeLessThan(1e-6);
  });

  it('Linknet-B0: 1 epoch + stop + resume reaches the weights of an uninterrupted 2-epoch run, bit for bit; memory is flat', { timeout: 600_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const samples = phantoms(6, 11);
    // Augmentation and drop-connect on: every random stream is exercised; BN recalibration on (auto: 4 steps < 1000).
    const config = resolveTrainConfig({ encoder: 'efficientnet-b0', imageResolution: 64, epochs: 2, batchSize: 2, learningRate: 1e-3, seed: 21, folds: 3 });
    const live: number[] = [];
    const run = (files: MemoryFiles, extra: { resume?: boolean; signal?: AbortSignal; onEpoch?: (row: EpochRow) => void } = {}) =>
      trainFolds({
        gpu,
        config,
        samples,
        folds: [1],
        files,
        weightsPath: 'weights',
        ...(extra.resume ? { resume: true } : {}),
        ...(extra.signal ? { signal: extra.signal } : {}),
        onEvent: (event) => {
          if (event.type === 'epoch') extra.onEpoch?.(event.row);
        },
      });

    const whole = new MemoryFiles();
    const [uninterrupted] = await run(whole, { onEpoch: () => live.push(gpu.pool.stats().liveBytes) });
    expect(uninterrupted!.history.every((row) => row.bnRecalibrated)).toBe(true);
    expect(live[1]).toBe(live[0]);

    const interrupted = new MemoryFiles();
    const controller = new AbortController();
    await expect(run(interrupted, { signal: controller.signal, onEpoch: () => controller.abort() })).rejects.toThrow(TrainingStoppedError);
    const halfway = decodeCheckpoint(await interrupted.read('weights/fold1/last.safetensors'), 'halfway');
    expect(halfway.state).toMatchObject({ epochsDone: 1, finished: false });
    const [resumed] = await run(interrupted, { resume: true });
    expect(resumed!.skipped).toBe(false);

    const a = decodeCheckpoint(await whole.read('weights/fold1/last.safetensors'), 'uninterrupted');
    const b = decodeCheckpoint(await interrupted.read('weights/fold1/last.safetensors'), 'resumed');
    expect([...b.model.keys()]).toEqual([...a.model.keys()]);
    for (const [name, entry] of a.model) expect(Buffer.from(b.model.get(name)!.data.buffer).equals(Buffer.from(entry.data.buffer)), name).toBe(true);
    expect(b.optimizer.size).toBe(a.optimizer.size);
    for (const [name, moment] of a.optimizer) {
      const other = b.optimizer.get(name)!;
      expect(other.step, name).toBe(moment.step);
      expect(Buffer.from(other.m.buffer).equals(Buffer.from(moment.m.buffer)), `${name} exp_avg`).toBe(true);
      expect(Buffer.from(other.v.buffer).equals(Buffer.from(moment.v.buffer)), `${name} exp_avg_sq`).toBe(true);
    }
    const losses = (rows: readonly EpochRow[]) => rows.map((row) => [row.trainLoss, row.trainDice, row.validationLoss, row.validationDice, row.learningRate]);
    expect(losses(b.state.history)).toEqual(losses(a.state.history));
    // Weights moved: the comparison is not between two untouched initialisations.
    expect(a.model.get('segmentation_head.0.weight')!.data).not.toEqual(halfway.model.get('segmentation_head.0.weight')!.data);

    await expect(run(whole)).rejects.toThrow(/weights\/fold1\/best\.safetensors exists: weights\/fold1 holds an earlier run\. Resume it/);
    const [skipped] = await run(whole, { resume: true });
    expect(skipped!.skipped).toBe(true);
  });
});
