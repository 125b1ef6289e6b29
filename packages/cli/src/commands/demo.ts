/**
 * ulseg demo: the whole pipeline on the embedded data set (a phantom set it generates), needing nothing downloaded:
 * synth → preprocess → K-fold training → ensemble inference with flip TTA → RSIP + EMF → evaluation → overlays, and
 * report.html that ties them together. Each step is the CLI command of the same name, so the demo is also the
 * worked example of the README's workflow.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { arch, cpus as cpus_, loadavg, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { decodePng, encodeRgbPng, type GrayImage } from '@ulseg/data';
import { DEFAULT_TRAIN_CONFIG, foldDirectory, CHECKPOINT_FILES, parseLogCsv, type AugmentPolicyInput, type EpochRow } from '@ulseg/train';
import { createGpu, describeGpu, type AdapterKind, type DiceReduction, type Gpu } from '@ulseg/kernels';
import type { EncoderName, NetworkName } from '@ulseg/model';
import { resolveViews } from '@ulseg/infer';
import { writeAtomic } from '../files.js';
import { formatAblationCsv, formatAblationText, runAblation, type AblationTable } from './ablation.js';
import { formatNetworkText, networkRow, type NetworkComparisonRow } from './demo-networks.js';
import { DEMO_POSTPROCESS, formatSeconds, inferenceResolution, renderReport, resolutionText, trainedFoldsText, type DemoStep, type Machine } from './demo-report.js';
import { runEvaluate, type EvaluationSummary } from './evaluate.js';
import { runInfer } from './infer.js';
import { runPostprocess } from './postprocess.js';
import { runPreprocess } from './preprocess.js';
import { runSynth } from './synth.js';
import { runTrain, type TrainCommandOptions } from './train.js';
import { contour, runVisualize } from './visualize.js';
import type { Runtime } from '../chromium/commands.js';

export interface DemoPreset {
  readonly summary: string;
  /**
   * Phantom scans to train on (split into `folds` folds) and held-out test scans. On the quick preset, 192 scans
   * (160 to learn from) for 18 epochs lifted seeds 2020 / 7 / 11 from 0.912 / 0.834 / 0.757 (96 scans, 22 epochs) to
   * 0.922 / 0.881 / 0.916, lowest scan 0.69 / 0.54 / 0.73: more distinct scans, where more epochs on the same 80 had
   * not helped. docs/DEMO.md has the runs.
   */
  readonly scans: number;
  readonly testScans: number;
  /** K of the K-fold split (ulseg preprocess --folds). */
  readonly folds: number;
  /**
   * How many of the K folds are trained (folds 1..N, each a model validated on its own fold); the ensemble is of
   * these N models. N < K spends the time on longer training of fewer models, each on (K-1)/K of the scans.
   */
  readonly trainedFolds: number;
  readonly encoder: EncoderName;
  /**
   * Training and inference resolution R (R x R, a multiple of 32). On the earlier 80-scan quick preset 96 px for 18 epochs (about the
   * time of 64 px for 22) lifted seed 11 from 0.802 to 0.857 but dropped seed 7 from 0.846 to 0.730, large lesions found
   * only in part; 96 px for 14 epochs left seed 11 at 0.802. docs/DEMO.md has the runs.
   */
  readonly resolution: number;
  readonly epochs: number;
  /**
   * Progressive resizing (ulseg train --final-resolution, --final-epochs): the last `finalEpochs` of the epochs train
   * at `finalResolution` (the best checkpoint is chosen among them), and inference and the ablation run at it. null
   * and 0: off, every epoch and inference at `resolution`. On the earlier 80-scan quick preset, 96 px for the last 4
   * of 22 epochs lifted seed 11 from 0.757 to 0.808 (the last 2: 0.831, the last 6: 0.801) but dropped seed 7 from
   * 0.834 to 0.806 (the last 2: 0.779): docs/DEMO.md has the runs.
   */
  readonly finalResolution: number | null;
  readonly finalEpochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly tMax: number;
  /**
   * w of the loss w·BCE + (1 − w)·Dice (ulseg train --bce-weight; the original trained with 0). On the earlier 80-scan quick preset,
   * 0.3 dropped seed 11 from 0.802 to 0.751 (8.png, a small hypoechoic lesion, still missed).
   */
  readonly bceWeight: number;
  /**
   * What one soft Dice of the loss is taken over (ulseg train --dice-reduction): the batch (the original's) or each
   * image. On the earlier 80-scan quick preset, 'image' lifted seed 11 from 0.807 to 0.848 (0.875 with 30 epochs) but dropped seed 7
   * from 0.833 to 0.798 (0.764 with 30 epochs, a faint hyperechoic lesion missed): docs/DEMO.md has the runs.
   */
  readonly diceReduction: DiceReduction;
  /**
   * Times each training phantom with a hyperechoic lesion is drawn per epoch (1: as synth made them, a quarter of
   * the scans). Only training draws are reweighted: validation, BN recalibration and the test set keep synth's mix.
   * On the earlier 80-scan quick preset, 2 (with 22 epochs against 20) lifted seed 7 from 0.771 to 0.816 (lowest scan 0.00 → 0.47)
   * and seed 11 from 0.800 to 0.809 (its two hyperechoic failures stay): docs/DEMO.md has the table.
   */
  readonly hyperechoicRepeats: number;
  /** `light`: {@link LIGHT_AUGMENTATION}; `full`: the original's DA + EDA (ORIGINAL.md §3). */
  readonly augmentation: 'light' | 'full';
  /**
   * Test-time views (ulseg infer --tta): only symmetries the model saw in training. Light augmentation has no
   * vertical flip (depth runs down in every scan), so its models get identity + h-flip; measured on the earlier 80-scan quick preset,
   * the original's 4 views (with v-flip and rot180) cost 0.05 of Dice against one view. The h-flip view is exact (on
   * a seed-7 checkpoint its masks equal the mirrored identity masks of the mirrored scans, every pixel; ensemble.test.ts
   * checks the same with a stub): what it adds or costs on 16 scans (−0.06 to +0.01) is the model's own asymmetry.
   */
  readonly tta: string;
}

/**
 * Light augmentation for short schedules: horizontal flip p 0.5 and p 0.5 a small affine (scale 0.9–1.1, shift
 * ±5%, rotation ±5°, bilinear, black border); no vertical flip (depth runs down in every scan), no crop, no
 * enhancement children. The original's full policy was built for 100 epochs on 170 scans: on a few hundred
 * image-steps it slows learning (QUALITY.md: Dice 0.28 against 0.51 in 20 epochs).
 */
export const LIGHT_AUGMENTATION: AugmentPolicyInput = {
  horizontalFlip: { p: 0.5 },
  verticalFlip: { p: 0 },
  crop: { p: 0 },
  affine: { p: 0.5, scale: [0.9, 1.1], translatePercent: [-0.05, 0.05], rotate: [-5, 5], shear: [0, 0], shearY: 'same', interpolations: ['bilinear'], borders: ['constant'], fill: [0, 0] },
  enhancedCount: [0, 0],
};

export const DEMO_PRESETS = {
  quick: {
    summary: 'the default, sized for 10 minutes on 2 idle CPU cores (lavapipe) with the build: EfficientNet-B0 at 64 px, one model on 160 of 192 phantoms (fold 1 of 6), 18 epochs with the hyperechoic phantoms drawn twice, light augmentation',
    scans: 192,
    testScans: 16,
    folds: 6,
    trainedFolds: 1,
    encoder: 'efficientnet-b0',
    resolution: 64,
    epochs: 18,
    finalResolution: null,
    finalEpochs: 0,
    batchSize: 4,
    learningRate: 3e-3,
    tMax: 18,
    bceWeight: 0,
    diceReduction: 'batch',
    hyperechoicRepeats: 2,
    augmentation: 'light',
    tta: 'identity,hflip',
  },
  tiny: {
    summary: 'a smoke run of every step (the test suite runs it): EfficientNet-B0 at 64 px, folds 1-2 of a 3-fold split of 6 phantoms, 2 epochs',
    scans: 6,
    testScans: 2,
    folds: 3,
    trainedFolds: 2,
    encoder: 'efficientnet-b0',
    resolution: 64,
    epochs: 2,
    finalResolution: null,
    finalEpochs: 0,
    batchSize: 3,
    learningRate: 1e-3,
    tMax: 3,
    bceWeight: 0,
    diceReduction: 'batch',
    hyperechoicRepeats: 1,
    augmentation: 'light',
    tta: 'identity,hflip',
  },
  seed: {
    summary: "the original recipe, for a GPU: EfficientNet-B6 at 256 px, 5 folds of 200 phantoms, 100 epochs each, full augmentation",
    scans: 200,
    testScans: 40,
    folds: 5,
    trainedFolds: 5,
    encoder: 'efficientnet-b6',
    resolution: 256,
    epochs: 100,
    finalResolution: null,
    finalEpochs: 0,
    batchSize: 8,
    learningRate: DEFAULT_TRAIN_CONFIG.learningRate,
    tMax: DEFAULT_TRAIN_CONFIG.tMax,
    bceWeight: DEFAULT_TRAIN_CONFIG.bceWeight,
    diceReduction: DEFAULT_TRAIN_CONFIG.diceReduction,
    hyperechoicRepeats: 1,
    augmentation: 'full',
    tta: 'flips',
  },
} as const satisfies Record<string, DemoPreset>;
export type DemoPresetName = keyof typeof DEMO_PRESETS;

export interface DemoOptions {
  /** Output folder; when omitted, ./ulseg-demo or the first free ./ulseg-demo-N. */
  out?: string;
  preset: DemoPresetName;
  seed: number;
  adapter?: AdapterKind;
  /** Where training and inference run (post-processing and evaluation stay in Node). */
  runtime?: Runtime;
  /** `--networks`: also train and score these networks on the same folds, one table in the report (ORIGINAL.md §10). */
  networks?: readonly NetworkName[];
}

const POSTPROCESS = DEMO_POSTPROCESS;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function isEmptyOrMissing(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw new Error(`--out '${path}': ${(error as Error).message}`);
  }
}

/** The demo never writes into a folder that holds something: an explicit --out must be new or empty. */
async function outputFolder(out: string | undefined): Promise<string> {
  if (out !== undefined) {
    if (!(await isEmptyOrMissing(out))) throw new Error(`--out '${out}' is not empty: name a new or empty folder (the demo never overwrites)`);
    return out;
  }
  for (let index = 1; ; index++) {
    const candidate = index === 1 ? 'ulseg-demo' : `ulseg-demo-${index}`;
    if (await isEmptyOrMissing(candidate)) return candidate;
  }
}

export interface DemoResult {
  readonly out: string;
  readonly raw: EvaluationSummary;
  readonly postprocessed: EvaluationSummary;
  readonly ablation: AblationTable;
  readonly steps: readonly DemoStep[];
  readonly report: string;
}

/** What each step is for, as the report and the progress lines say it. */
const WHY: Record<string, string> = {
  synth: 'the data: phantom B-mode scans with lesion masks, so nothing is downloaded and the truth is exact',
  preprocess: 'size grades and stratified folds, so every fold sees small, middle and large lesions',
  train: 'one model per fold (K-fold): each learns from K-1 folds and is validated on the one it did not see',
  infer: 'the ensemble of the fold models x the flip views on the held-out scans, resized back to each scan',
  postprocess: 'RSIP drops specks, EMF smooths the outline: the original\'s post-processing',
  evaluate: 'per-scan Dice and IoU of the masks before and after post-processing',
  ablation: 'the original\'s results table: what each stage adds, against an Otsu baseline without a model',
  visualize: 'contour overlays to look at rather than read',
  networks: 'the original\'s comparison of networks: each trained on the same folds, scored by the same pipeline',
};

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const preset: DemoPreset = DEMO_PRESETS[options.preset];
  const out = await outputFolder(options.out);
  const paths = {
    data: join(out, 'data'),
    trainImages: join(out, 'data', 'train_data', 'img'),
    trainMasks: join(out, 'data', 'train_data', 'label'),
    trainCsv: join(out, 'train.csv'),
    testImages: join(out, 'data', 'test_data', 'img'),
    testMasks: join(out, 'data', 'test_data', 'label'),
    weights: join(out, 'weights'),
    predict: join(out, 'predict'),
    postprocessed: join(out, 'predict-postprocessed'),
    overlays: join(out, 'overlays'),
    phantoms: join(out, 'phantoms.png'),
    metricsRaw: join(out, 'metrics-raw.csv'),
    metrics: join(out, 'metrics.csv'),
    ablation: join(out, 'ablation.csv'),
    report: join(out, 'report.html'),
  };
  const machineAtStart = describeMachine();
  const steps: DemoStep[] = [];
  const total = Object.keys(WHY).length - (options.networks ? 0 : 1);
  const step = async <T>(name: string, what: string, body: () => Promise<T>): Promise<T> => {
    process.stdout.write(`\n[${steps.length + 1}/${total}] ${name}: ${what}\n`);
    const start = performance.now();
    const result = await body();
    steps.push({ name, what, why: WHY[name] ?? '', seconds: (performance.now() - start) / 1000 });
    return result;
  };
  const demoStart = performance.now();
  process.stdout.write(`ulseg demo, preset '${options.preset}': ${preset.summary}\noutput: ${resolve(out)}\n`);

  const phantoms = await step('synth', `${preset.scans} training and ${preset.testScans} test phantom scans in the BDCI layout`, async () => {
    const summary = await runSynth({ out: paths.data, count: preset.scans, testCount: preset.testScans, seed: options.seed, folds: preset.folds });
    await writeAtomic(paths.phantoms, await phantomGrid(paths.trainImages, paths.trainMasks, Math.min(8, preset.scans)));
    return summary;
  });
  const hyperechoic = phantoms.train.filter((scan) => scan.echo === 'hyperechoic').map((scan) => scan.id);
  const trainRepeats = preset.hyperechoicRepeats > 1 ? Object.fromEntries(hyperechoic.map((id) => [id, preset.hyperechoicRepeats])) : undefined;
  await step('preprocess', `tumour areas, tertile size grades, ${preset.folds} stratified folds`, () =>
    runPreprocess({ imagePath: paths.trainMasks, out: paths.trainCsv, folds: preset.folds, seed: options.seed }),
  );
  const folds = Array.from({ length: preset.trainedFolds }, (_, index) => index + 1);
  const trainOptions = {
    inputChannel: 1,
    outputClass: 1,
    imageResolution: preset.resolution,
    epochs: preset.epochs,
    ...(preset.finalResolution !== null && preset.finalEpochs > 0 ? { finalResolution: preset.finalResolution, finalEpochs: preset.finalEpochs } : {}),
    batchSize: preset.batchSize,
    validationBatchSize: DEFAULT_TRAIN_CONFIG.validationBatchSize,
    backbone: preset.encoder,
    network: 'linknet',
    initialLearningRate: preset.learningRate,
    tMax: preset.tMax,
    etaMin: DEFAULT_TRAIN_CONFIG.etaMin,
    folds: preset.folds,
    foldFileList: paths.trainCsv,
    trainDatasetPath: paths.trainImages,
    trainGtDatasetPath: paths.trainMasks,
    weightsPath: paths.weights,
    bceWeight: preset.bceWeight,
    diceReduction: preset.diceReduction,
    dropConnectRate: DEFAULT_TRAIN_CONFIG.dropConnectRate,
    seed: options.seed,
    augment: true,
    ...(preset.augmentation === 'light' ? { augmentPolicy: LIGHT_AUGMENTATION } : {}),
    ...(trainRepeats ? { trainRepeats } : {}),
    ...(options.adapter ? { adapter: options.adapter } : {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
  } satisfies TrainCommandOptions;
  // How the demo trains a network (the train step and every network of --networks alike): all K folds in one run, or
  // folds 1..N one by one when the preset trains only some of them.
  const trainFolds = async (options: TrainCommandOptions): Promise<void> => {
    if (preset.trainedFolds === preset.folds) await runTrain(options);
    else for (const fold of folds) await runTrain({ ...options, kThFold: fold });
  };
  const oversampling = trainRepeats ? `, hyperechoic training scans drawn ${preset.hyperechoicRepeats}x per epoch (${hyperechoic.length} of the ${phantoms.train.length} phantoms are hyperechoic)` : '';
  await step('train', `Linknet-${preset.encoder} at ${resolutionText(preset)}, ${trainedFoldsText(preset)} x ${preset.epochs} epochs, ${preset.augmentation} augmentation${oversampling}`, () => trainFolds(trainOptions));
  const checkpoints = await foldCheckpoints(paths.weights, folds);
  const views = resolveViews(preset.tta);
  await step('infer', `ensemble of ${folds.length} fold model${folds.length === 1 ? '' : 's'} x ${views.length} views (${views.join(', ')}) on ${preset.testScans} held-out scans`, () =>
    runInfer({
      weights: checkpoints,
      testPath: paths.testImages,
      out: paths.predict,
      tta: preset.tta,
      imageResolution: inferenceResolution(preset),
      threshold: 0.5,
      batchSize: 1,
      loadModels: 'all',
      inputResize: 'pillow',
      ...(options.adapter ? { adapter: options.adapter } : {}),
      ...(options.runtime ? { runtime: options.runtime } : {}),
    }),
  );
  await step('postprocess', `remove regions <= ${POSTPROCESS.threshold} px, ${POSTPROCESS.kernel}x${POSTPROCESS.kernel} edge-band median`, () =>
    runPostprocess({ imagePath: paths.predict, out: paths.postprocessed, threshold: POSTPROCESS.threshold, kernel: POSTPROCESS.kernel, fillHoles: false, ...(options.adapter ? { adapter: options.adapter } : {}) }),
  );
  const [raw, postprocessed] = await step('evaluate', 'per-image Dice and IoU against the phantom masks, before and after post-processing', async () => [
    await runEvaluate({ pred: paths.predict, truth: paths.testMasks, out: paths.metricsRaw, resizeTruth: false }),
    await runEvaluate({ pred: paths.postprocessed, truth: paths.testMasks, out: paths.metrics, resizeTruth: false }),
  ]);
  let adapter = '';
  const ablationOf = (gpu: Gpu, weights: readonly string[]): Promise<AblationTable> =>
    runAblation(gpu, {
      weights,
      images: paths.testImages,
      truth: paths.testMasks,
      resolution: inferenceResolution(preset),
      threshold: 0.5,
      rsipThreshold: POSTPROCESS.threshold,
      kernel: POSTPROCESS.kernel,
      inputResize: 'pillow',
      views,
    });
  const ablation = await step('ablation', 'Otsu baseline; fold 1 alone; + flip TTA; + ensemble; + RSIP; + EMF (ulseg evaluate --ablation)', async () => {
    const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
    try {
      adapter = describeGpu(gpu).split('\n')[0]!.replace(/^adapter: /, '');
      const table = await ablationOf(gpu, checkpoints);
      await writeAtomic(paths.ablation, formatAblationCsv(table));
      process.stdout.write(formatAblationText(table));
      return table;
    } finally {
      await gpu.close();
    }
  });
  await step('visualize', 'contour overlays (prediction red, truth green)', () =>
    runVisualize({ images: paths.testImages, masks: paths.postprocessed, truth: paths.testMasks, out: paths.overlays, lineWidth: 2 }),
  );

  const curves: EpochRow[][] = [];
  for (const fold of folds) {
    const log = join(foldDirectory(paths.weights, fold), CHECKPOINT_FILES.log);
    curves.push(parseLogCsv(await readFile(log, 'utf8'), log));
  }
  const networks = options.networks && (await step('networks', `${options.networks.join(', ')} on ${preset.encoder}: each trained on the same folds and scored as above`, async () => {
    const rows: NetworkComparisonRow[] = [];
    for (const network of options.networks!) {
      if (network === 'linknet') {
        rows.push(networkRow(network, preset.encoder, checkpoints, ablation));
        continue;
      }
      const weightsPath = `${paths.weights}-${network}`;
      process.stdout.write(`${network}: training ${trainedFoldsText(preset)} into ${weightsPath}\n`);
      await trainFolds({ ...trainOptions, network, weightsPath });
      const networkCheckpoints = await foldCheckpoints(weightsPath, folds);
      const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
      try {
        rows.push(networkRow(network, preset.encoder, networkCheckpoints, await ablationOf(gpu, networkCheckpoints)));
      } finally {
        await gpu.close();
      }
    }
    process.stdout.write(formatNetworkText(rows));
    return rows;
  }));
  const seconds = (performance.now() - demoStart) / 1000;
  const machine = { ...machineAtStart, adapter, loadAtEnd: loadavg() };
  const html = renderReport({ options, preset, out, paths, folds, curves, raw, postprocessed, ablation, steps, seconds, machine, ...(networks ? { networks } : {}) });
  await writeAtomic(paths.report, html);
  const lowest = Math.min(...postprocessed.rows.map(([, scores]) => scores.dice));
  process.stdout.write(
    `\ndone in ${formatSeconds(seconds)}: mean Dice ${postprocessed.meanDice.toFixed(4)} on ${postprocessed.rows.length} held-out scans ` +
      `(${raw.meanDice.toFixed(4)} before post-processing; lowest ${lowest.toFixed(4)}; Otsu baseline ${ablation.rows[0]!.meanDice.toFixed(4)})\n` +
      `  open         ${resolve(paths.report)}\n  weights      ${paths.weights}/fold<k>/best.safetensors\n  masks        ${paths.postprocessed}\n` +
      `  overlays     ${paths.overlays}\n  scores       ${paths.metrics}, ${paths.ablation}\n  data         ${paths.data}\n`,
  );
  return { out, raw, postprocessed, ablation, steps, report: paths.report };
}

/** The checkpoint of each fold: "best", or "last" where the original's rule never saved a best (epochs 0..E-2 only). */
async function foldCheckpoints(weights: string, folds: readonly number[]): Promise<string[]> {
  const checkpoints: string[] = [];
  for (const fold of folds) {
    const directory = foldDirectory(weights, fold);
    const best = join(directory, CHECKPOINT_FILES.best);
    const last = join(directory, CHECKPOINT_FILES.last);
    if (await exists(best)) checkpoints.push(best);
    else if (await exists(last)) {
      process.stdout.write(`fold ${fold}: no best checkpoint (the original's rule saves only in epochs 1..E-1): using ${last}\n`);
      checkpoints.push(last);
    } else throw new Error(`training finished without ${best} or ${last}`);
  }
  return checkpoints;
}

/** The machine as the report shows it: CPU model and count, memory, load, OS, Node. */
function describeMachine(): Omit<Machine, 'adapter' | 'loadAtEnd'> {
  const cpus = cpus_();
  return {
    cpu: `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    loadAtStart: loadavg(),
  };
}

/** The first `count` training scans with their masks' outlines (green), 4 per row, each shrunk to 240 px wide. */
async function phantomGrid(images: string, masks: string, count: number): Promise<Uint8Array> {
  const tiles: { image: GrayImage; outline: Uint8Array }[] = [];
  for (let index = 1; index <= count; index++) {
    const image = decodePng(new Uint8Array(await readFile(join(images, `${index}.png`))), join(images, `${index}.png`));
    const mask = decodePng(new Uint8Array(await readFile(join(masks, `${index}.png`))), join(masks, `${index}.png`));
    tiles.push({ image, outline: contour(mask, 2) });
  }
  const tileWidth = 240;
  const tileHeight = 160;
  const gap = 4;
  const columns = Math.min(4, tiles.length);
  const rows = Math.ceil(tiles.length / columns);
  const width = columns * tileWidth + (columns - 1) * gap;
  const height = rows * tileHeight + (rows - 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  tiles.forEach(({ image, outline }, index) => {
    const scale = Math.max(image.width / tileWidth, image.height / tileHeight);
    const left = (index % columns) * (tileWidth + gap);
    const top = Math.floor(index / columns) * (tileHeight + gap);
    for (let y = 0; y < tileHeight; y++) {
      for (let x = 0; x < tileWidth; x++) {
        const sx = Math.floor((x + 0.5) * scale);
        const sy = Math.floor((y + 0.5) * scale);
        const target = ((top + y) * width + left + x) * 3;
        if (sx >= image.width || sy >= image.height) continue;
        const source = sy * image.width + sx;
        const gray = image.data[source]!;
        const edge = outline[source] === 1;
        rgb[target] = edge ? 0 : gray;
        rgb[target + 1] = edge ? 255 : gray;
        rgb[target + 2] = edge ? 0 : gray;
      }
    }
  });
  return encodeRgbPng({ width, height, data: rgb });
}
