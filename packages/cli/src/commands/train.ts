import { Command, InvalidArgumentError, Option } from 'commander';
import { encodeRgbPng, joinPath } from '@ulseg/data';
import { NodeFiles } from '@ulseg/data/node';
import { createGpu, describeGpu, type AdapterKind, type DiceReduction } from '@ulseg/kernels';
import { describeNetwork, readWeights, type BackboneName, type DecoderAttention, type NetworkName } from '@ulseg/model';
import { BACKBONE_HELP, backboneArgument, decoderAttentionArgument, NETWORK_HELP, networkArgument } from '../network-options.js';
import {
  augmentPreview,
  CHECKPOINT_FILES,
  describeResolution,
  foldDirectory,
  resolveTrainConfig,
  type TrainConfig,
  splitFold,
  trainFolds,
  TrainingStoppedError,
  type AugmentPolicyInput,
  type FoldResult,
} from '@ulseg/train';
import { checkWritableFolder, readInput, writeAtomic } from '../files.js';
import { checkResolutionFits, MAX_RESOLUTION, resolutionArgument } from '../limits.js';
import { loadSamples } from './train-core.js';
import { summary } from './train-summary.js';
import { trainInChromium, type Runtime } from '../chromium/commands.js';
import { renderCurvesSvg } from '../plot.js';
import { TrainProgress } from '../progress.js';
import { foldFromEnvironment } from '../cluster.js';

export interface TrainCommandOptions {
  inputChannel: number;
  outputClass: number;
  imageResolution: number;
  epochs: number;
  /** Progressive resizing: the last `finalEpochs` epochs train at this resolution (TrainConfig.finalResolution). */
  finalResolution?: number;
  finalEpochs?: number;
  batchSize: number;
  validationBatchSize: number;
  backbone: BackboneName;
  /** The older spelling of --backbone. */
  encoder?: BackboneName;
  network: NetworkName;
  decoderAttention?: DecoderAttention;
  initialLearningRate: number;
  tMax: number;
  etaMin: number;
  folds: number;
  kThFold?: number | 'auto';
  foldFileList: string;
  trainDatasetPath: string;
  trainGtDatasetPath: string;
  weightsPath: string;
  bceWeight: number;
  /** Default 'batch' (the original's). */
  diceReduction?: DiceReduction;
  dropConnectRate: number;
  seed: number;
  augment: boolean;
  /** Not a flag: overrides of the augmentation policy (the demo's light augmentation); default the original's. */
  augmentPolicy?: AugmentPolicyInput;
  augmentPreview?: number;
  /** Not a flag: scan ID → times drawn per epoch when it is a training scan (the demo's oversampling); default once. */
  trainRepeats?: Readonly<Record<string, number>>;
  bnRecalibrate?: boolean;
  resume?: boolean;
  initWeights?: string;
  adapter?: AdapterKind;
  runtime?: Runtime;
}

/** The original's options are spelled in snake_case (`--image_resolution 256`): accept them as aliases of the kebab-case ones. */
export function kebabCaseOptions(argv: readonly string[], commands: readonly string[]): string[] {
  const commandIndex = argv.findIndex((token, index) => index >= 2 && !token.startsWith('-'));
  if (commandIndex < 0 || !commands.includes(argv[commandIndex]!)) return [...argv];
  return argv.map((token, index) => {
    if (index <= commandIndex || !token.startsWith('--')) return token;
    const equals = token.indexOf('=');
    const name = equals < 0 ? token : token.slice(0, equals);
    return name.replaceAll('_', '-') + (equals < 0 ? '' : token.slice(equals));
  });
}

/** ulseg train: K-fold training with the original's options (see --help). */
export async function runTrain(options: TrainCommandOptions): Promise<void> {
  if (options.encoder && options.encoder !== options.backbone && options.backbone !== DEFAULT_BACKBONE) {
    throw new Error(`--backbone ${options.backbone} and --encoder ${options.encoder} disagree (--encoder is an alias of --backbone): give one`);
  }
  const config = resolveTrainConfig({
    network: options.network,
    encoder: options.encoder ?? options.backbone,
    decoderAttention: options.decoderAttention ?? 'none',
    inputChannels: options.inputChannel,
    outputClasses: options.outputClass,
    imageResolution: options.imageResolution,
    epochs: options.epochs,
    finalResolution: options.finalResolution ?? null,
    finalEpochs: options.finalEpochs ?? 0,
    batchSize: options.batchSize,
    validationBatchSize: options.validationBatchSize,
    learningRate: options.initialLearningRate,
    tMax: options.tMax,
    etaMin: options.etaMin,
    bceWeight: options.bceWeight,
    diceReduction: options.diceReduction ?? 'batch',
    seed: options.seed,
    folds: options.folds,
    dropConnectRate: options.dropConnectRate,
    augment: options.augment,
    ...(options.augmentPolicy ? { augmentPolicy: options.augmentPolicy } : {}),
    ...(options.trainRepeats ? { trainRepeats: options.trainRepeats } : {}),
    bnRecalibration: options.bnRecalibrate === undefined ? 'auto' : options.bnRecalibrate ? 'on' : 'off',
  });
  let kThFold = options.kThFold;
  if (kThFold === 'auto') {
    const { value, source } = foldFromEnvironment(process.env, config.folds);
    process.stdout.write(`--k-th-fold auto: fold ${value} of ${config.folds} from ${source}\n`);
    kThFold = value;
  }
  if (kThFold !== undefined && !(kThFold >= 1 && kThFold <= config.folds)) {
    throw new Error(`--k-th-fold ${kThFold} is outside 1..${config.folds} (--folds ${config.folds})`);
  }
  // The output folder and every input are checked before the GPU starts: a bad path fails now, not after an epoch.
  await checkWritableFolder(options.weightsPath, '--weights-path');
  if (options.runtime === 'chromium') return trainChromium(options, config, kThFold);
  const files = new NodeFiles();
  const { samples } = await loadSamples(options, files, (stream, text) => process[stream].write(text));
  if (samples.length < config.folds) throw new Error(`${samples.length} images cannot fill ${config.folds} folds: use --folds ${Math.max(2, samples.length)} or add images`);
  const initWeights = options.initWeights
    ? { weights: (await readWeights(await readInput(options.initWeights, '--init-weights'), options.initWeights, { keepOptimizerState: true })).weights, source: options.initWeights }
    : undefined;
  const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
  try {
    const perPass = Math.max(config.batchSize, config.validationBatchSize);
    const architecture = { network: config.network, encoder: config.encoder, decoderAttention: config.decoderAttention, inChannels: config.inputChannels };
    const passes = `--batch-size ${config.batchSize}, --validation-batch-size ${config.validationBatchSize}`;
    checkResolutionFits(gpu, architecture, config.imageResolution, perPass, '--image-resolution', passes);
    if (config.finalResolution !== null) checkResolutionFits(gpu, architecture, config.finalResolution, perPass, '--final-resolution', passes);
    // Each scan and mask goes to the GPU whole (float32) for augmentation and resizing.
    const binding = gpu.info.limits.maxStorageBufferBindingSize ?? Infinity;
    for (const sample of samples) {
      if (sample.image.width * sample.image.height * 4 > binding) {
        const side = Math.floor(Math.sqrt(binding / 4));
        throw new Error(`${joinPath(options.trainDatasetPath, sample.id)}: a ${sample.image.width}x${sample.image.height} scan does not fit this GPU (maxStorageBufferBindingSize ${binding / 2 ** 20} MiB holds about ${side}x${side}): shrink it`);
      }
    }
    process.stdout.write(`${describeGpu(gpu).split('\n')[0]}\n`);
    if (options.augmentPreview !== undefined) {
      const fold = kThFold ?? 1;
      const { train } = splitFold(samples, fold);
      const preview = await augmentPreview(gpu, train, { count: options.augmentPreview, resolution: config.imageResolution, seed: config.seed, fold, augment: config.augment });
      const path = joinPath(options.weightsPath, 'augment-preview.png');
      await writeAtomic(path, encodeRgbPng(preview));
      process.stdout.write(`wrote ${path}: ${options.augmentPreview} training inputs of fold ${fold}'s first epoch (${preview.width}x${preview.height}); nothing trained\n`);
      return;
    }
    const controller = new AbortController();
    const interrupt = (): void => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write('\nulseg: stopping after the current step (Ctrl-C again to quit now); --resume continues from the last completed epoch\n');
      controller.abort();
    };
    process.on('SIGINT', interrupt);
    const progress = new TrainProgress((fold) => joinPath(foldDirectory(options.weightsPath, fold), CHECKPOINT_FILES.best));
    const start = performance.now();
    try {
      const results = await trainFolds({
        gpu,
        config,
        samples,
        ...(kThFold !== undefined ? { folds: [kThFold] } : {}),
        files,
        weightsPath: options.weightsPath,
        renderCurves: (rows, fold) => renderCurvesSvg(rows, { title: `fold ${fold}: ${describeNetwork(config.network, config.encoder, config.decoderAttention)}, ${describeResolution(config)}, lr ${config.learningRate}` }),
        resume: options.resume ?? false,
        ...(initWeights ? { initWeights } : {}),
        onEvent: (event) => progress.handle(event),
        signal: controller.signal,
      });
      progress.stop();
      process.stdout.write(summary(results, options.weightsPath, (performance.now() - start) / 1000));
    } catch (error) {
      progress.stop();
      if (error instanceof TrainingStoppedError) {
        process.stderr.write(`ulseg: ${error.message}\n`);
        process.exitCode = 130;
        return;
      }
      throw error;
    } finally {
      process.off('SIGINT', interrupt);
    }
  } finally {
    await gpu.close();
  }
}

/** The same run in headless Chromium (--runtime chromium): the page trains, files go through the CLI's file service. */
async function trainChromium(options: TrainCommandOptions, config: TrainConfig, kThFold: number | undefined): Promise<void> {
  const start = performance.now();
  const outcome = await trainInChromium({
    ...(options.adapter ? { adapter: options.adapter } : {}),
    config,
    foldFileList: options.foldFileList,
    trainDatasetPath: options.trainDatasetPath,
    trainGtDatasetPath: options.trainGtDatasetPath,
    weightsPath: options.weightsPath,
    resume: options.resume ?? false,
    ...(kThFold !== undefined ? { kThFold } : {}),
    ...(options.initWeights ? { initWeights: options.initWeights } : {}),
    ...(options.augmentPreview !== undefined ? { augmentPreview: options.augmentPreview } : {}),
  });
  if (outcome.kind === 'stopped') {
    process.stderr.write(`ulseg: ${outcome.message}\n`);
    process.exitCode = 130;
  } else if (outcome.kind === 'preview') {
    process.stdout.write(`wrote ${outcome.path}: ${options.augmentPreview} training inputs of fold ${outcome.fold}'s first epoch (${outcome.width}x${outcome.height}); nothing trained\n`);
  } else {
    process.stdout.write(summary(outcome.folds, options.weightsPath, (performance.now() - start) / 1000));
  }
}

/** A commander parser of integers >= `minimum`. */
export function integerArgument(minimum: number): (value: string) => number {
  return (value) => {
    if (!/^\s*-?\d+\s*$/.test(value) || Number(value) < minimum) throw new InvalidArgumentError(`expected an integer >= ${minimum}, got '${value}'.`);
    return Number(value);
  };
}

/** A commander parser of finite numbers >= `minimum` (1e-3, 0.5, …), or > 0 when `minimum` is 'positive'; below `below` when given. */
export function numberArgument(minimum: number | 'positive', below = Infinity): (value: string) => number {
  return (value) => {
    const number = Number(value);
    const low = minimum === 'positive' ? number > 0 : number >= minimum;
    if (value.trim() === '' || !Number.isFinite(number) || !low || !(number < below)) {
      const range = minimum === 'positive' ? 'a number > 0' : `a number >= ${minimum}`;
      throw new InvalidArgumentError(`expected ${range}${below < Infinity ? ` and < ${below}` : ''}, got '${value}'.`);
    }
    return number;
  };
}

function foldArgument(value: string): number | 'auto' {
  return value.trim() === 'auto' ? 'auto' : integerArgument(1)(value);
}

const DEFAULT_BACKBONE: BackboneName = 'efficientnet-b6';

/** `ulseg train` with every option of the original's train.py (kebab-case; the snake_case spellings work too). */
export function trainCommand(adapterOption: () => Option, runtimeOption: () => Option): Command {
  return new Command('train')
    .description(
      "K-fold training of a segmentation network (Linknet on EfficientNet-B6 by default; Unet, scSE Unet, FPN, PSPNet, PAN, DeepLabV3+, ResNet backbones) as the original's train.py (ORIGINAL.md §3-§5): for fold k, the images of " +
        'fold k (train.csv) validate and the others train; augmentation on the GPU, Adam with the cosine schedule stepped ' +
        'per epoch, validation each epoch, best checkpoint when the validation loss is <= the best so far (epochs 1..E-1; a 1-epoch run saves its epoch), ' +
        'a last checkpoint, log.csv and curves.svg every epoch, all under WEIGHTS_PATH/fold<k>/. Every random draw comes ' +
        'from --seed, so --resume after a crash or Ctrl-C reaches the same weights as an uninterrupted run. ' +
        "The original's snake_case spellings (--image_resolution, --k_th_fold, ...) are accepted.",
    )
    .option('--input-channel <n>', 'model input channels (the scans are grayscale: 1)', integerArgument(1), 1)
    .option('--output-class <n>', 'output channels (binary segmentation: 1)', integerArgument(1), 1)
    .option('--image-resolution <px>', `training resolution R (images are resized to R x R; a multiple of 32 from 64 to ${MAX_RESOLUTION})`, resolutionArgument(64), 256)
    .option('--epochs <n>', 'epochs per fold', integerArgument(1), 100)
    .option(
      '--final-resolution <px>',
      `progressive resizing: the last --final-epochs epochs train, recalibrate BN and validate at this resolution instead (a multiple of 32 from 64 to ${MAX_RESOLUTION}); ` +
        'weights and Adam state carry over, the cosine schedule spans all epochs, the best checkpoint is chosen among these epochs only, and ' +
        'checkpoints record the resolution they were last trained at (ulseg infer runs at it)',
      resolutionArgument(64),
    )
    .option('--final-epochs <n>', 'with --final-resolution: how many of the last epochs train at it (1..--epochs)', integerArgument(1))
    .option('--batch-size <n>', 'training batch size', integerArgument(1), 8)
    .option('--validation-batch-size <n>', 'validation batch size (the validation loss is the size-weighted mean of batch losses)', integerArgument(1), 10)
    .addOption(new Option('--backbone <encoder>', `encoder: ${BACKBONE_HELP}`).argParser(backboneArgument).default(DEFAULT_BACKBONE))
    .addOption(new Option('--encoder <name>', 'alias of --backbone').argParser(backboneArgument))
    .addOption(new Option('--network <name>', `network: ${NETWORK_HELP}`).argParser(networkArgument).default('linknet'))
    .addOption(new Option('--decoder-attention <kind>', "Unet's decoder attention: scse (the original's attention Unet, smp decoder_attention_type='scse') or none").argParser(decoderAttentionArgument))
    .option('--initial-learning-rate <lr>', "lr0 of Adam and of the cosine schedule (the original's README says 1e-7, which cannot train a fresh decoder)", numberArgument('positive'), 1e-3)
    .option('--t-max <epochs>', 'CosineAnnealingLR T_max: lr(i) = eta_min + (lr0 - eta_min)(1 + cos(pi i / T_max))/2 at epoch i', numberArgument('positive'), 110)
    .option('--eta-min <lr>', 'CosineAnnealingLR eta_min', numberArgument(0), 1e-11)
    .option('--folds <k>', 'K of K-fold cross-validation (train.csv must be split into K folds)', integerArgument(2), 5)
    .option(
      '--k-th-fold <k|auto>',
      'train only fold k (1..K); auto: the fold of this cluster task, JOB_COMPLETION_INDEX + 1 (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID ' +
        '(Slurm array --array=1-K); default: every fold, one after another',
      foldArgument,
    )
    .option('--fold-file-list <csv>', 'train.csv with the fold column (ulseg preprocess); the original ID,CATE,size is split on load', './train_data/train.csv')
    .option('--train-dataset-path <dir>', 'training images (PNG)', './train_data/img')
    .option('--train-gt-dataset-path <dir>', 'training masks (PNG, same names)', './train_data/label')
    .option('--weights-path <dir>', 'output: fold<k>/best.safetensors, last.safetensors, log.csv, curves.svg (an existing run is resumed or refused, never deleted)', './saved_model/weights')
    .option('--bce-weight <w>', 'loss = w·BCE + (1 - w)·Dice; 0 = pure Dice, as the original trained', numberArgument(0), 0)
    .addOption(
      new Option('--dice-reduction <over>', "the loss's soft Dice over the whole batch (the original's) or per image, averaged (a small lesion weighs as much as a large one)")
        .choices(['batch', 'image'])
        .default('batch'),
    )
    .option('--drop-connect-rate <p>', "encoder drop-connect base rate, from 0 to below 1 (the original's 0.2)", numberArgument(0, 1), 0.2)
    .option('--seed <n>', 'root of every random stream: initialisation, shuffling, augmentation, drop-connect', integerArgument(0), 2020)
    .option('--no-augment', 'train on resized images without augmentation')
    .option('--augment-preview <n>', 'write N augmented training inputs (mask outline in red) to WEIGHTS_PATH/augment-preview.png and exit', integerArgument(1))
    .option('--bn-recalibrate', 'recompute BN statistics over the training set before each validation (default: on when a fold has < 1000 steps)')
    .option('--no-bn-recalibrate', 'never recompute BN statistics (keep the running averages)')
    .option('--resume', 'continue each fold from its last.safetensors (same options required); finished folds are skipped')
    .option('--init-weights <file>', 'start from these weights (.safetensors or .pth), loaded by name; unmatched entries are reported')
    .addOption(adapterOption())
    .addOption(runtimeOption())
    .action(async (options: TrainCommandOptions) => runTrain(options));
}
