/**
 * ulseg demo: the whole pipeline on the embedded data set (a phantom set it generates), needing nothing downloaded:
 * synth → preprocess → K-fold training → ensemble inference with flip TTA → RSIP + EMF → evaluation → overlays, and
 * report.html that ties them together. Each step is the CLI command of the same name, so the demo is also the
 * worked example of the README's workflow.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_TRAIN_CONFIG, foldDirectory, CHECKPOINT_FILES, parseLogCsv, type EpochRow } from '@ulseg/train';
import type { AdapterKind } from '@ulseg/kernels';
import type { EncoderName } from '@ulseg/model';
import { writeAtomic } from '../files.js';
import { runEvaluate, type EvaluationSummary } from './evaluate.js';
import { runInfer } from './infer.js';
import { runPostprocess } from './postprocess.js';
import { runPreprocess } from './preprocess.js';
import { runSynth } from './synth.js';
import { runTrain } from './train.js';
import { runVisualize } from './visualize.js';

export interface DemoPreset {
  readonly summary: string;
  /** Phantom scans to train on (split into `folds` folds) and held-out test scans. */
  readonly scans: number;
  readonly testScans: number;
  readonly folds: number;
  readonly encoder: EncoderName;
  readonly resolution: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly tMax: number;
}

export const DEMO_PRESETS = {
  quick: {
    summary: 'about 5 minutes on 2 idle CPU cores (lavapipe): EfficientNet-B0 at 64 px, 3 folds of 24 phantoms, 8 epochs each',
    scans: 24,
    testScans: 8,
    folds: 3,
    encoder: 'efficientnet-b0',
    resolution: 64,
    epochs: 8,
    batchSize: 4,
    learningRate: 3e-3,
    tMax: 9,
  },
  tiny: {
    summary: 'a smoke run of every step (the test suite runs it): EfficientNet-B0 at 64 px, 2 folds of 6 phantoms, 2 epochs',
    scans: 6,
    testScans: 2,
    folds: 2,
    encoder: 'efficientnet-b0',
    resolution: 64,
    epochs: 2,
    batchSize: 3,
    learningRate: 1e-3,
    tMax: 3,
  },
  seed: {
    summary: "the original recipe, for a GPU: EfficientNet-B6 at 256 px, 5 folds of 200 phantoms, 100 epochs each",
    scans: 200,
    testScans: 40,
    folds: 5,
    encoder: 'efficientnet-b6',
    resolution: 256,
    epochs: 100,
    batchSize: 8,
    learningRate: DEFAULT_TRAIN_CONFIG.learningRate,
    tMax: DEFAULT_TRAIN_CONFIG.tMax,
  },
} as const satisfies Record<string, DemoPreset>;
export type DemoPresetName = keyof typeof DEMO_PRESETS;

export interface DemoOptions {
  /** Output folder; when omitted, ./ulseg-demo or the first free ./ulseg-demo-N. */
  out?: string;
  preset: DemoPresetName;
  seed: number;
  adapter?: AdapterKind;
}

const POSTPROCESS = { threshold: 50, kernel: 19 } as const;

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

interface Step {
  readonly name: string;
  readonly seconds: number;
}

export interface DemoResult {
  readonly out: string;
  readonly raw: EvaluationSummary;
  readonly postprocessed: EvaluationSummary;
  readonly steps: readonly Step[];
  readonly report: string;
}

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
    metricsRaw: join(out, 'metrics-raw.csv'),
    metrics: join(out, 'metrics.csv'),
    report: join(out, 'report.html'),
  };
  const steps: Step[] = [];
  const total = 7;
  const step = async <T>(name: string, what: string, body: () => Promise<T>): Promise<T> => {
    process.stdout.write(`\n[${steps.length + 1}/${total}] ${name}: ${what}\n`);
    const start = performance.now();
    const result = await body();
    steps.push({ name, seconds: (performance.now() - start) / 1000 });
    return result;
  };
  const demoStart = performance.now();
  process.stdout.write(`ulseg demo, preset '${options.preset}': ${preset.summary}\noutput: ${resolve(out)}\n`);

  await step('synth', `${preset.scans} training and ${preset.testScans} test phantom scans in the BDCI layout`, () =>
    runSynth({ out: paths.data, count: preset.scans, testCount: preset.testScans, seed: options.seed, folds: preset.folds }),
  );
  await step('preprocess', `tumour areas, tertile size grades, ${preset.folds} stratified folds`, () =>
    runPreprocess({ imagePath: paths.trainMasks, out: paths.trainCsv, folds: preset.folds, seed: options.seed }),
  );
  await step('train', `Linknet-${preset.encoder} at ${preset.resolution} px, ${preset.folds} folds x ${preset.epochs} epochs`, () =>
    runTrain({
      inputChannel: 1,
      outputClass: 1,
      imageResolution: preset.resolution,
      epochs: preset.epochs,
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
      bceWeight: DEFAULT_TRAIN_CONFIG.bceWeight,
      dropConnectRate: DEFAULT_TRAIN_CONFIG.dropConnectRate,
      seed: options.seed,
      augment: true,
      ...(options.adapter ? { adapter: options.adapter } : {}),
    }),
  );
  const folds = Array.from({ length: preset.folds }, (_, index) => index + 1);
  // The original's rule saves "best" only in epochs 0..E-2; a fold whose validation loss never qualified has only "last".
  const checkpoints: string[] = [];
  for (const fold of folds) {
    const directory = foldDirectory(paths.weights, fold);
    const best = join(directory, CHECKPOINT_FILES.best);
    const last = join(directory, CHECKPOINT_FILES.last);
    if (await exists(best)) checkpoints.push(best);
    else if (await exists(last)) {
      process.stdout.write(`fold ${fold}: no best checkpoint (the original's rule saves only in epochs 1..E-1): using ${last}\n`);
      checkpoints.push(last);
    } else throw new Error(`training finished without ${best} or ${last}`);
  }
  await step('infer', `ensemble of ${preset.folds} fold models x 4 flip views on ${preset.testScans} held-out scans`, () =>
    runInfer({
      weights: checkpoints,
      testPath: paths.testImages,
      out: paths.predict,
      tta: 'flips',
      imageResolution: preset.resolution,
      threshold: 0.5,
      batchSize: 1,
      loadModels: 'all',
      inputResize: 'pillow',
      ...(options.adapter ? { adapter: options.adapter } : {}),
    }),
  );
  await step('postprocess', `remove regions <= ${POSTPROCESS.threshold} px, ${POSTPROCESS.kernel}x${POSTPROCESS.kernel} edge-band median`, () =>
    runPostprocess({ imagePath: paths.predict, out: paths.postprocessed, threshold: POSTPROCESS.threshold, kernel: POSTPROCESS.kernel, fillHoles: false, ...(options.adapter ? { adapter: options.adapter } : {}) }),
  );
  const [raw, postprocessed] = await step('evaluate', 'per-image Dice and IoU against the phantom masks, before and after post-processing', async () => [
    await runEvaluate({ pred: paths.predict, truth: paths.testMasks, out: paths.metricsRaw, resizeTruth: false }),
    await runEvaluate({ pred: paths.postprocessed, truth: paths.testMasks, out: paths.metrics, resizeTruth: false }),
  ]);
  await step('visualize', 'contour overlays (prediction red, truth green)', () =>
    runVisualize({ images: paths.testImages, masks: paths.postprocessed, truth: paths.testMasks, out: paths.overlays, lineWidth: 2 }),
  );

  const curves: EpochRow[][] = [];
  for (const fold of folds) {
    const log = join(foldDirectory(paths.weights, fold), CHECKPOINT_FILES.log);
    curves.push(parseLogCsv(await readFile(log, 'utf8'), log));
  }
  const seconds = (performance.now() - demoStart) / 1000;
  const html = renderReport({ options, preset, out, paths, folds, curves, raw, postprocessed, steps, seconds });
  await writeAtomic(paths.report, html);
  process.stdout.write(
    `\ndone in ${formatSeconds(seconds)}: mean Dice ${postprocessed.meanDice.toFixed(4)} on ${postprocessed.rows.length} held-out scans ` +
      `(${raw.meanDice.toFixed(4)} before post-processing)\n` +
      `  report       ${paths.report}\n  weights      ${paths.weights}/fold<k>/best.safetensors\n  masks        ${paths.postprocessed}\n` +
      `  overlays     ${paths.overlays}\n  scores       ${paths.metrics}\n  data         ${paths.data}\n`,
  );
  return { out, raw, postprocessed, steps, report: paths.report };
}

function formatSeconds(seconds: number): string {
  return seconds < 90 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface ReportInput {
  options: DemoOptions;
  preset: DemoPreset;
  out: string;
  paths: Record<string, string>;
  folds: number[];
  curves: EpochRow[][];
  raw: EvaluationSummary;
  postprocessed: EvaluationSummary;
  steps: readonly Step[];
  seconds: number;
}

/** A self-contained page with links relative to the output folder (it moves with it). */
export function renderReport(input: ReportInput): string {
  const { preset, out, paths, folds, curves, raw, postprocessed, steps } = input;
  const link = (path: string): string => escapeHtml(relative(out, path).split('\\').join('/'));
  const settings: [string, string][] = [
    ['preset', `${input.options.preset}: ${preset.summary}`],
    ['data', `${preset.scans} training + ${preset.testScans} test phantom scans (seed ${input.options.seed})`],
    ['model', `Linknet on ${preset.encoder}, 1 input channel, 1 class`],
    ['training', `${preset.folds}-fold, ${preset.epochs} epochs, batch ${preset.batchSize}, ${preset.resolution} px, Adam lr ${preset.learningRate}, cosine T_max ${preset.tMax}, Dice loss, GPU augmentation`],
    ['inference', `ensemble of ${preset.folds} best checkpoints x 4 flip views, threshold 0.5`],
    ['post-processing', `RSIP <= ${POSTPROCESS.threshold} px, EMF ${POSTPROCESS.kernel}x${POSTPROCESS.kernel}`],
    ['adapter', input.options.adapter ?? 'auto'],
    ['time', `${formatSeconds(input.seconds)} (${steps.map((s) => `${s.name} ${formatSeconds(s.seconds)}`).join(', ')})`],
  ];
  const foldRows = folds
    .map((fold, index) => {
      const rows = curves[index] ?? [];
      const best = rows.filter((row) => row.savedBest).at(-1);
      const last = rows.at(-1);
      return `<tr><td>${fold}</td><td>${rows.length}</td><td>${best ? best.epoch : '-'}</td><td>${best ? best.validationLoss.toFixed(4) : '-'}</td><td>${best ? best.validationDice.toFixed(4) : '-'}</td><td>${last ? last.trainLoss.toFixed(4) : '-'}</td><td>${last ? last.imagesPerSecond.toFixed(2) : '-'}</td></tr>`;
    })
    .join('\n');
  const curveImages = folds
    .map((fold) => `<figure><img src="${link(join(foldDirectory(paths.weights!, fold), CHECKPOINT_FILES.curves))}" alt="fold ${fold} curves"><figcaption>fold ${fold}</figcaption></figure>`)
    .join('\n');
  const rawByName = new Map(raw.rows.map(([name, scores]) => [name, scores]));
  const diceRows = postprocessed.rows
    .map(([name, scores]) => {
      const before = rawByName.get(name);
      return `<tr><td>${escapeHtml(name)}</td><td>${before ? before.dice.toFixed(4) : '-'}</td><td>${scores.dice.toFixed(4)}</td><td>${scores.iou.toFixed(4)}</td><td>${scores.truth}</td><td>${scores.predicted}</td></tr>`;
    })
    .join('\n');
  const thumbnails = postprocessed.rows
    .map(([name, scores]) => `<figure><a href="${link(join(paths.overlays!, name))}"><img src="${link(join(paths.overlays!, name))}" alt="${escapeHtml(name)}"></a><figcaption>${escapeHtml(name)}: Dice ${scores.dice.toFixed(3)}</figcaption></figure>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ulseg demo report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222 }
table { border-collapse: collapse; margin: 0.5em 0 1.5em } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left }
th { background: #f3f3f3 } figure { display: inline-block; margin: 4px; vertical-align: top } figure img { max-width: 340px; border: 1px solid #ddd }
.grid figure img { width: 240px } .big { font-size: 1.3em }
</style></head><body>
<h1>ulseg demo</h1>
<p class="big">Mean Dice on ${postprocessed.rows.length} held-out phantom scans: <b>${postprocessed.meanDice.toFixed(4)}</b> after post-processing
(${raw.meanDice.toFixed(4)} before); mean IoU ${postprocessed.meanIou.toFixed(4)}.</p>
<h2>Settings</h2>
<table>${settings.map(([key, value]) => `<tr><th>${key}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}</table>
<h2>Training, per fold</h2>
<table><tr><th>fold</th><th>epochs</th><th>best epoch</th><th>best val loss</th><th>val Dice there</th><th>last train loss</th><th>images/s</th></tr>
${foldRows}</table>
${curveImages}
<h2>Held-out scans</h2>
<table><tr><th>scan</th><th>Dice raw</th><th>Dice post-processed</th><th>IoU</th><th>true px</th><th>predicted px</th></tr>
${diceRows}
<tr><th>mean</th><th>${raw.meanDice.toFixed(4)}</th><th>${postprocessed.meanDice.toFixed(4)}</th><th>${postprocessed.meanIou.toFixed(4)}</th><th></th><th></th></tr></table>
<p>Overlays: prediction red, truth green, both yellow. Masks in <code>${link(paths.postprocessed!)}</code>, scores in
<code>${link(paths.metrics!)}</code>, weights in <code>${link(paths.weights!)}</code>.</p>
<div class="grid">${thumbnails}</div>
</body></html>
`;
}
