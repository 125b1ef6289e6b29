/**
 * One fold of the original's training loop (train.py), epoch by epoch:
 *   lr ← cosine schedule at epoch i; shuffle; per batch: inputs (batches.ts) → forward → w·BCE + (1 − w)·Dice →
 *   backward → Adam; [BN recalibration over the training set]; validation in eval mode (loss as the original's
 *   batch-size-weighted mean over batches of 10, per-image Dice and IoU of the thresholded outputs); best checkpoint
 *   by the original's rule (schedule.ts); last checkpoint, log.csv and the curves every epoch, written atomically.
 * Each epoch's inputs (training, BN recalibration, validation) are R_i x R_i with R_i = resolutionAt(config, i): the
 * image resolution, or the final resolution in the last `finalEpochs` epochs (progressive resizing), so a resumed
 * run picks the resolution from the epoch index as an uninterrupted one does.
 * Losses are read back one step behind the recording, so the device works on step s while step s + 1 is recorded;
 * a NaN or ±Inf loss stops the run naming the fold, epoch and step.
 */
import { F, optim, scope, noGrad, Tensor } from '@ulseg/autograd';
import { joinPath } from '@ulseg/data';
import { segmentationMetrics, type Gpu, type GpuTensor } from '@ulseg/kernels';
import { type Random } from '@ulseg/base';
import { SegmentationModel, type WeightMap } from '@ulseg/model';
import { batchRanges, evaluationBatch, trainingBatch, type TrainingSample } from './batches.js';
import { recalibrateBatchNorm, type ForwardModule } from './bn-recalibration.js';
import {
  adaptInitWeights,
  encodeCheckpoint,
  restoreOptimizer,
  snapshotModel,
  snapshotOptimizer,
  type Checkpoint,
  type TrainingState,
} from './checkpoint.js';
import { bnRecalibrationEnabled, configDifferences, finalResolutionStart, resolutionAt, type TrainConfig } from './config.js';
import { NonFiniteLossError, TrainingStoppedError, type TrainEventHandler } from './events.js';
import { formatLogCsv, type EpochRow } from './log.js';
import { BestCheckpointRule } from './schedule.js';
import { augmentationRandom, dropConnectRandom, epochOrder, initialisationSeed, repeatTrainingSamples } from './streams.js';

/** Where a run's files go: DataFiles of @ulseg/data fits (NodeFiles in the CLI, MemoryFiles in tests and pages). */
export interface TrainFiles {
  read(path: string): Promise<Uint8Array>;
  /** Must be atomic (temporary file + rename). */
  write(path: string, bytes: Uint8Array): Promise<void>;
  exists(path: string): Promise<boolean>;
}

export type ModelFactory = (gpu: Gpu, config: TrainConfig, seed: number) => ForwardModule;

/** The configured network on the configured backbone, initialised from `seed`. */
export const segmentationModelFactory: ModelFactory = (gpu, config, seed) =>
  new SegmentationModel(gpu, {
    network: config.network,
    encoder: config.encoder,
    decoderAttention: config.decoderAttention,
    inChannels: config.inputChannels,
    classes: config.outputClasses,
    seed,
    dropConnectRate: config.dropConnectRate,
  });

/** Plots the curves of a fold (the CLI renders SVG with vega-lite); returns the file's text. */
export type CurveRenderer = (rows: readonly EpochRow[], fold: number) => string | Promise<string>;

export interface FoldOutput {
  readonly files: TrainFiles;
  /** e.g. `saved_model/weights/fold1`: gets best.safetensors, last.safetensors, log.csv and curves.svg. */
  readonly directory: string;
  readonly renderCurves?: CurveRenderer;
}

export interface FoldOptions {
  readonly gpu: Gpu;
  readonly config: TrainConfig;
  /** 1-based. */
  readonly fold: number;
  readonly train: readonly TrainingSample[];
  readonly validation: readonly TrainingSample[];
  /** Nothing is written without it. */
  readonly output?: FoldOutput;
  /** A decoded last.safetensors of this fold: training continues after its last epoch. */
  readonly resumeFrom?: Checkpoint;
  /** Weights to start from (loaded by name; the rest is reported). Ignored when resuming. */
  readonly initWeights?: { readonly weights: WeightMap; readonly source: string };
  readonly createModel?: ModelFactory;
  readonly onEvent?: TrainEventHandler;
  /** Checked between steps: when aborted, the fold stops with a TrainingStoppedError. */
  readonly signal?: AbortSignal;
}

export interface FoldResult {
  readonly fold: number;
  readonly best: TrainingState['best'];
  readonly history: readonly EpochRow[];
  /** The fold had already finished (resumed past its end). */
  readonly skipped: boolean;
}

export const CHECKPOINT_FILES = { best: 'best.safetensors', last: 'last.safetensors', log: 'log.csv', curves: 'curves.svg' } as const;

/** Drop-connect masks of a step depend only on (seed, fold, epoch, step), so resumed runs draw the same masks. */
function seedDropConnect(model: ForwardModule, random: Random): void {
  if (model instanceof SegmentationModel) model.useRandom(random);
}

interface StepRead {
  readonly step: number;
  readonly images: number;
  readonly values: Promise<[number, Float32Array]>;
}

/** Reads the loss scalar and the per-image metrics, then frees both. */
function readStep(gpu: Gpu, loss: Tensor, metrics: GpuTensor): Promise<[number, Float32Array]> {
  return Promise.all([loss.item(), gpu.read(metrics)]).finally(() => {
    loss.dispose();
    gpu.release(metrics);
  });
}

/** Eval-mode loss (batch-size-weighted mean of batch losses) and mean per-image Dice / IoU over `samples` at `resolution`. */
async function validate(
  gpu: Gpu,
  model: ForwardModule,
  samples: readonly TrainingSample[],
  config: TrainConfig,
  resolution: number,
  where: { fold: number; epoch: number },
): Promise<{ loss: number; dice: number; iou: number }> {
  model.eval();
  const ranges = batchRanges(samples.length, config.validationBatchSize);
  let lossSum = 0;
  let diceSum = 0;
  let iouSum = 0;
  for (const [batchIndex, [start, end]] of ranges.entries()) {
    const batch = evaluationBatch(gpu, samples.slice(start, end), resolution);
    const x = Tensor.adopt(gpu, batch.images);
    const target = Tensor.adopt(gpu, batch.masks);
    let metrics: GpuTensor | undefined;
    const loss = scope(() =>
      noGrad(() => {
        const logits = model.forward(x);
        metrics = segmentationMetrics(gpu, logits.data, target.data);
        return F.segmentationLoss(logits, target, { bceWeight: config.bceWeight, diceReduction: config.diceReduction });
      }),
    );
    x.dispose();
    target.dispose();
    const [value, perImage] = await readStep(gpu, loss, metrics!);
    if (!Number.isFinite(value)) {
      throw new NonFiniteLossError(where.fold, where.epoch + 1, batchIndex + 1, 'validation', value, config.epochs, ranges.length);
    }
    lossSum += value * (end - start);
    for (let index = 0; index < end - start; index++) {
      diceSum += perImage[2 * index]!;
      iouSum += perImage[2 * index + 1]!;
    }
  }
  return { loss: lossSum / samples.length, dice: diceSum / samples.length, iou: iouSum / samples.length };
}

/** Evaluation-style inputs of `samples` in batches of `size`, as tensors the consumer disposes. */
function* evaluationInputs(gpu: Gpu, samples: readonly TrainingSample[], resolution: number, size: number): Generator<Tensor> {
  for (const [start, end] of batchRanges(samples.length, size)) {
    const batch = evaluationBatch(gpu, samples.slice(start, end), resolution);
    gpu.release(batch.masks);
    yield Tensor.adopt(gpu, batch.images);
  }
}

/** Trains one fold (see the file comment); resumes from `resumeFrom` when given. */
export async function trainFold(options: FoldOptions): Promise<FoldResult> {
  const { gpu, config, fold, train, validation } = options;
  const emit: TrainEventHandler = options.onEvent ?? (() => {});
  if (train.length === 0) throw new Error(`fold ${fold}: no training images`);
  if (validation.length === 0) throw new Error(`fold ${fold}: no validation images`);
  const resumed = options.resumeFrom;
  if (resumed) {
    const differences = configDifferences(resumed.config, config);
    if (differences.length > 0) {
      throw new Error(`fold ${fold}: the checkpoint was trained with another configuration, so resuming would not continue it:\n  ${differences.join('\n  ')}`);
    }
    if (resumed.state.fold !== fold) throw new Error(`fold ${fold}: the checkpoint belongs to fold ${resumed.state.fold}`);
    if (resumed.state.finished) {
      emit({ type: 'fold-end', fold, best: resumed.state.best, history: resumed.state.history, skipped: true });
      return { fold, best: resumed.state.best, history: resumed.state.history, skipped: true };
    }
  }
  // What an epoch draws from (oversampled scans repeated); BN recalibration and validation see each scan once.
  const drawn = repeatTrainingSamples(train, config);
  const stepsPerEpoch = Math.ceil(drawn.length / config.batchSize);
  const recalibrate = bnRecalibrationEnabled(config, config.epochs * stepsPerEpoch);
  const model = (options.createModel ?? segmentationModelFactory)(gpu, config, initialisationSeed(config.seed, fold));
  const optimizer = new optim.Adam(model.parameters(), { learningRate: config.learningRate, betas: config.betas, eps: config.adamEps });
  try {
    if (resumed) {
      model.load(resumed.model, { source: `fold ${fold} checkpoint` });
      restoreOptimizer(model, optimizer, resumed.optimizer, `fold ${fold} checkpoint`);
    } else if (options.initWeights) {
      const { weights, notes } = adaptInitWeights(options.initWeights.weights, model);
      const report = model.load(weights, { strict: false, source: options.initWeights.source });
      const some = (keys: string[]): string => (keys.length ? `: ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}` : '');
      emit({
        type: 'message',
        level: report.missing.length + report.mismatched.length > 0 ? 'warning' : 'info',
        fold,
        text:
          `${options.initWeights.source}: loaded ${report.loaded} of ${model.stateDict().length} tensors; ` +
          `${report.missing.length} missing (left as initialised)${some(report.missing)}; ` +
          `${report.unexpected.length} unexpected (ignored)${some(report.unexpected)}; ` +
          `${report.mismatched.length} of another shape (ignored)${some(report.mismatched)}` +
          (notes.length ? `; ${notes.join('; ')}` : ''),
      });
    }
    const scheduler = new optim.CosineAnnealingLR(optimizer, config.tMax, config.etaMin);
    const startEpoch = resumed?.state.epochsDone ?? 0;
    const history: EpochRow[] = [...(resumed?.state.history ?? [])];
    let best = resumed?.state.best ?? null;
    let steps = resumed?.state.steps ?? 0;
    // With progressive resizing only the final-resolution epochs compete for best (schedule.ts).
    const switchEpoch = finalResolutionStart(config);
    const rule = new BestCheckpointRule(config.epochs, best?.validationLoss ?? Number.POSITIVE_INFINITY, config.finalEpochs > 0 ? switchEpoch : 0);
    emit({ type: 'fold-start', fold, trainImages: train.length, validationImages: validation.length, stepsPerEpoch, epochs: config.epochs, startEpoch, bnRecalibration: recalibrate });
    const augmentation = config.augment ? { policy: config.augmentPolicy } : undefined;
    let timedSeconds = 0;
    let timedEpochs = 0;
    for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
      const epochStart = performance.now();
      const resolution = resolutionAt(config, epoch);
      if (config.finalEpochs > 0 && epoch === switchEpoch && epoch > 0) {
        emit({
          type: 'message',
          level: 'info',
          fold,
          text: `fold ${fold}: epochs ${epoch + 1}-${config.epochs} train and validate at ${resolution} px (progressive resizing from ${config.imageResolution} px); the best checkpoint is chosen among them`,
        });
      }
      const learningRate = scheduler.step(epoch);
      model.train();
      const order = epochOrder(config.seed, fold, epoch, drawn.length);
      let lossSum = 0;
      let diceSum = 0;
      let images = 0;
      const pending: StepRead[] = [];
      const consume = async (read: StepRead): Promise<void> => {
        const [value, perImage] = await read.values;
        if (!Number.isFinite(value)) throw new NonFiniteLossError(fold, epoch + 1, read.step + 1, 'training', value, config.epochs, stepsPerEpoch);
        let dice = 0;
        for (let index = 0; index < read.images; index++) dice += perImage[2 * index]!;
        lossSum += value * read.images;
        diceSum += dice;
        images += read.images;
        const elapsed = (performance.now() - epochStart) / 1000;
        const secondsPerStep = timedEpochs > 0 ? timedSeconds / (timedEpochs * stepsPerEpoch) : elapsed / (read.step + 1);
        emit({
          type: 'step',
          fold,
          epoch: epoch + 1,
          step: read.step + 1,
          stepsPerEpoch,
          loss: value,
          dice: dice / read.images,
          learningRate,
          imagesPerSecond: images / Math.max(elapsed, 1e-9),
          etaSeconds: secondsPerStep * ((config.epochs - epoch) * stepsPerEpoch - read.step - 1),
        });
      };
      const ranges = batchRanges(drawn.length, config.batchSize);
      try {
        for (const [step, [start, end]] of ranges.entries()) {
          if (options.signal?.aborted) throw new TrainingStoppedError(fold, epoch);
          const samples = order.slice(start, end).map((index) => drawn[index]!);
          const batch = trainingBatch(
            gpu,
            samples,
            resolution,
            augmentation && { ...augmentation, random: (position) => augmentationRandom(config.seed, fold, epoch, start + position) },
          );
          seedDropConnect(model, dropConnectRandom(config.seed, fold, epoch, step));
          const x = Tensor.adopt(gpu, batch.images);
          const target = Tensor.adopt(gpu, batch.masks);
          let metrics: GpuTensor | undefined;
          const loss = scope(() => {
            const logits = model.forward(x);
            metrics = segmentationMetrics(gpu, logits.data, target.data);
            return F.segmentationLoss(logits, target, { bceWeight: config.bceWeight, diceReduction: config.diceReduction });
          });
          optimizer.zeroGrad();
          loss.backward();
          optimizer.step();
          x.dispose();
          target.dispose();
          pending.push({ step, images: samples.length, values: readStep(gpu, loss, metrics!) });
          while (pending.length > 1) await consume(pending.shift()!);
        }
        while (pending.length > 0) await consume(pending.shift()!);
      } finally {
        // Reads still in flight after an error free their tensors when they settle; nothing awaits them.
        for (const read of pending) read.values.catch(() => undefined);
      }
      const trainSeconds = (performance.now() - epochStart) / 1000;
      optimizer.zeroGrad();
      if (recalibrate) {
        emit({ type: 'phase', fold, epoch: epoch + 1, phase: 'bn-recalibration' });
        recalibrateBatchNorm(model, evaluationInputs(gpu, train, resolution, config.batchSize));
      }
      emit({ type: 'phase', fold, epoch: epoch + 1, phase: 'validation' });
      const scores = await validate(gpu, model, validation, config, resolution, { fold, epoch });
      const savedBest = rule.offer(epoch, scores.loss);
      if (savedBest) best = { epoch: epoch + 1, validationLoss: scores.loss };
      steps += ranges.length;
      const row: EpochRow = {
        fold,
        epoch: epoch + 1,
        learningRate,
        trainLoss: lossSum / images,
        trainDice: diceSum / images,
        validationLoss: scores.loss,
        validationDice: scores.dice,
        validationIou: scores.iou,
        savedBest,
        bnRecalibrated: recalibrate,
        seconds: (performance.now() - epochStart) / 1000,
        imagesPerSecond: images / trainSeconds,
      };
      history.push(row);
      const state: TrainingState = { fold, epochsDone: epoch + 1, steps, best, history, finished: epoch + 1 === config.epochs };
      if (options.output) {
        emit({ type: 'phase', fold, epoch: epoch + 1, phase: 'checkpoint' });
        await writeEpoch(options.output, config, state, model, optimizer, savedBest ? scores.loss : undefined);
      }
      timedSeconds += (performance.now() - epochStart) / 1000;
      timedEpochs++;
      emit({ type: 'epoch', row, etaSeconds: (timedSeconds / timedEpochs) * (config.epochs - epoch - 1) });
    }
    emit({ type: 'fold-end', fold, best, history, skipped: false });
    return { fold, best, history, skipped: false };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** best (when this epoch is the best so far), then last, then log.csv and the curves: a reader never sees a torn file. */
async function writeEpoch(
  output: FoldOutput,
  config: TrainConfig,
  state: TrainingState,
  model: ForwardModule,
  optimizer: optim.Adam,
  bestLoss: number | undefined,
): Promise<void> {
  const weights = await snapshotModel(model);
  const moments = await snapshotOptimizer(model, optimizer);
  const path = (name: string): string => joinPath(output.directory, name);
  if (bestLoss !== undefined) {
    await output.files.write(path(CHECKPOINT_FILES.best), encodeCheckpoint({ config, state, model: weights, weightsEpoch: state.epochsDone, validationLoss: bestLoss }));
  }
  await output.files.write(path(CHECKPOINT_FILES.last), encodeCheckpoint({ config, state, model: weights, optimizer: moments, weightsEpoch: state.epochsDone }));
  await output.files.write(path(CHECKPOINT_FILES.log), new TextEncoder().encode(formatLogCsv(state.history)));
  if (output.renderCurves) await output.files.write(path(CHECKPOINT_FILES.curves), new TextEncoder().encode(await output.renderCurves(state.history, state.fold)));
}
