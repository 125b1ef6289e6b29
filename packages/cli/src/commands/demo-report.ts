/**
 * report.html of `ulseg demo`: one self-contained page whose links are relative to the output folder (it moves with
 * it). Sections, in order: the overlay grid of the held-out scans (prediction and truth), the ablation table, the
 * per-fold curves, the time of each step, the machine and adapter, the phantom data, the settings, the per-scan scores.
 */
import { join, relative } from 'node:path';
import { CHECKPOINT_FILES, foldDirectory, type EpochRow } from '@ulseg/train';
import type { AblationTable } from './ablation.js';
import { renderNetworkSection, type NetworkComparisonRow } from './demo-networks.js';
import type { DemoOptions, DemoPreset } from './demo.js';
import type { EvaluationSummary } from './evaluate.js';

export interface DemoStep {
  readonly name: string;
  readonly what: string;
  readonly why: string;
  readonly seconds: number;
}

export interface Machine {
  readonly cpu: string;
  readonly memory: string;
  readonly os: string;
  readonly node: string;
  /** WebGPU adapter, as `ulseg info` names it. */
  readonly adapter: string;
  /** os.loadavg() (1, 5, 15 min) when the demo started and ended: the time figures depend on it, Dice does not. */
  readonly loadAtStart: readonly number[];
  readonly loadAtEnd: readonly number[];
}

export interface ReportInput {
  readonly options: DemoOptions;
  readonly preset: DemoPreset;
  readonly out: string;
  readonly paths: Record<string, string>;
  readonly folds: readonly number[];
  readonly curves: readonly EpochRow[][];
  readonly raw: EvaluationSummary;
  readonly postprocessed: EvaluationSummary;
  readonly ablation: AblationTable;
  readonly steps: readonly DemoStep[];
  readonly seconds: number;
  readonly machine: Machine;
  /** `--networks`: each listed network's scores (the networks section; absent without the option). */
  readonly networks?: readonly NetworkComparisonRow[];
}

/** The original's post-processing settings (README: threshold 50, kernel 20 → the odd 19). */
export const DEMO_POSTPROCESS = { threshold: 50, kernel: 19 } as const;

/** The sections every report has, by element id (the demo test checks each). */
export const REPORT_SECTIONS = ['overlays', 'ablation', 'curves', 'timing', 'machine', 'phantoms', 'settings', 'scans'] as const;

export function formatSeconds(seconds: number): string {
  return seconds < 90 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** The resolution inference runs at: the final resolution of progressive resizing when the preset uses it, else R. */
export function inferenceResolution(preset: Pick<DemoPreset, 'resolution' | 'finalResolution' | 'finalEpochs'>): number {
  return preset.finalResolution !== null && preset.finalEpochs > 0 ? preset.finalResolution : preset.resolution;
}

/** "64 px", or "64 px, the last 4 epochs at 96 px" with progressive resizing. */
export function resolutionText(preset: Pick<DemoPreset, 'resolution' | 'finalResolution' | 'finalEpochs'>): string {
  if (inferenceResolution(preset) === preset.resolution) return `${preset.resolution} px`;
  return `${preset.resolution} px, the last ${preset.finalEpochs === 1 ? 'epoch' : `${preset.finalEpochs} epochs`} at ${preset.finalResolution} px`;
}

/** "2 folds", or "fold 1 of a 6-fold split" when fewer folds are trained than the split has. */
export function trainedFoldsText(preset: Pick<DemoPreset, 'folds' | 'trainedFolds'>): string {
  if (preset.trainedFolds === preset.folds) return `${preset.folds} folds`;
  const trained = preset.trainedFolds === 1 ? 'fold 1' : `folds 1-${preset.trainedFolds}`;
  return `${trained} of a ${preset.folds}-fold split`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Why each row of the ablation table is there, in the order runAblation returns them. */
const STAGE_WHY = [
  'a segmentation without learning: what the model has to beat',
  'one fold model, as trained',
  'averaging the logits of mirrored views cancels errors that depend on orientation',
  'models trained on different folds make different mistakes; their mean probability is steadier',
  'removes isolated specks of foreground',
  'smooths the outline where the ensemble is unsure',
];

/** Why row `index` is there; with one trained model the ensemble row repeats the row above it. */
function stageWhy(index: number, models: number): string | undefined {
  if (index === 3 && models === 1) return 'this preset trains one model (its time went to training that model longer), so there is no ensemble: the same as the row above';
  return STAGE_WHY[index];
}

export function renderReport(input: ReportInput): string {
  const { preset, out, paths, folds, curves, raw, postprocessed, ablation, steps, machine } = input;
  const link = (path: string): string => escapeHtml(relative(out, path).split('\\').join('/'));
  const lowest = Math.min(...postprocessed.rows.map(([, scores]) => scores.dice));
  const settings: [string, string][] = [
    ['preset', `${input.options.preset}: ${preset.summary}`],
    ['data', `${preset.scans} training + ${preset.testScans} test phantom scans (seed ${input.options.seed})`],
    ['model', `Linknet on ${preset.encoder}, 1 input channel, 1 class, trained from scratch`],
    [
      'training',
      `${trainedFoldsText(preset)}, ${preset.epochs} epochs, batch ${preset.batchSize}, ${resolutionText(preset)}, Adam lr ${preset.learningRate}, ` +
        `cosine T_max ${preset.tMax}, ${preset.bceWeight > 0 ? `${preset.bceWeight}·BCE + ${1 - preset.bceWeight}·Dice loss` : 'Dice loss'}` +
        `${preset.diceReduction === 'image' ? ' (Dice per image, averaged)' : ''}, ${preset.augmentation === 'light' ? 'light augmentation (h-flip, small affine)' : "the original's full augmentation (DA + EDA)"}` +
        (preset.hyperechoicRepeats > 1 ? `, hyperechoic training scans drawn ${preset.hyperechoicRepeats}x per epoch` : ''),
    ],
    ['inference', `ensemble of ${folds.length} best checkpoint${folds.length === 1 ? '' : 's'} x test-time views ${preset.tta}, ${inferenceResolution(preset)} px, threshold 0.5`],
    ['post-processing', `RSIP <= ${DEMO_POSTPROCESS.threshold} px, EMF ${DEMO_POSTPROCESS.kernel}x${DEMO_POSTPROCESS.kernel}`],
  ];
  const thumbnails = postprocessed.rows
    .map(([name, scores]) => `<figure><a href="${link(join(paths.overlays!, name))}"><img src="${link(join(paths.overlays!, name))}" alt="${escapeHtml(name)}"></a><figcaption>${escapeHtml(name)}: Dice ${scores.dice.toFixed(3)}</figcaption></figure>`)
    .join('\n');
  const ablationRows = ablation.rows
    .map((row, index) => `<tr><td>${escapeHtml(row.stage)}</td><td><b>${row.meanDice.toFixed(4)}</b></td><td>${row.minDice.toFixed(4)}</td><td>${row.meanIou.toFixed(4)}</td><td>${escapeHtml(stageWhy(index, folds.length) ?? row.what)}</td></tr>`)
    .join('\n');
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
  const stepRows = steps
    .map((step) => `<tr><td>${escapeHtml(step.name)}</td><td>${formatSeconds(step.seconds)}</td><td>${escapeHtml(step.what)}</td><td>${escapeHtml(step.why)}</td></tr>`)
    .join('\n');
  const load = (values: readonly number[]): string => values.map((value) => value.toFixed(2)).join(', ');
  const machineRows: [string, string][] = [
    ['adapter', `${machine.adapter} (--adapter ${input.options.adapter ?? 'auto'})`],
    ['CPU', machine.cpu],
    ['memory', machine.memory],
    ['load average (1, 5, 15 min)', `${load(machine.loadAtStart)} at the start, ${load(machine.loadAtEnd)} at the end`],
    ['system', `${machine.os}, Node ${machine.node}`],
  ];
  const rawByName = new Map(raw.rows.map(([name, scores]) => [name, scores]));
  const diceRows = postprocessed.rows
    .map(([name, scores]) => {
      const before = rawByName.get(name);
      return `<tr><td>${escapeHtml(name)}</td><td>${before ? before.dice.toFixed(4) : '-'}</td><td>${scores.dice.toFixed(4)}</td><td>${scores.iou.toFixed(4)}</td><td>${scores.truth}</td><td>${scores.predicted}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ulseg demo report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222 }
table { border-collapse: collapse; margin: 0.5em 0 1.5em } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top }
th { background: #f3f3f3 } figure { display: inline-block; margin: 4px; vertical-align: top } figure img { max-width: 340px; border: 1px solid #ddd }
.grid figure img { width: 250px } .big { font-size: 1.3em } .wide { max-width: 100% }
</style></head><body>
<h1>ulseg demo</h1>
<p class="big">Mean Dice on ${postprocessed.rows.length} held-out phantom scans: <b>${postprocessed.meanDice.toFixed(4)}</b> after post-processing
(${raw.meanDice.toFixed(4)} before; lowest ${lowest.toFixed(4)}); mean IoU ${postprocessed.meanIou.toFixed(4)}; in ${formatSeconds(input.seconds)} on ${escapeHtml(machine.adapter)}.</p>
<section id="overlays"><h2>Held-out scans: prediction and truth</h2>
<p>Contours on each scan: prediction red, truth green, both yellow. None of these scans was trained or validated on.</p>
<div class="grid">${thumbnails}</div></section>
<section id="ablation"><h2>What each stage adds</h2>
<p>Mean Dice over the same ${ablation.scans.length} held-out scans, each row built on the one above (the original's results table;
<code>ulseg evaluate --ablation</code> makes it for any checkpoints; per-scan values in <code>${link(paths.ablation!)}</code>).</p>
<table><tr><th>stage</th><th>mean Dice</th><th>lowest Dice</th><th>mean IoU</th><th>why it is there</th></tr>
${ablationRows}</table></section>
${input.networks ? renderNetworkSection(input.networks, escapeHtml) : ''}<section id="curves"><h2>Training, per fold</h2>
<table><tr><th>fold</th><th>epochs</th><th>best epoch</th><th>best val loss</th><th>val Dice there</th><th>last train loss</th><th>images/s</th></tr>
${foldRows}</table>
${curveImages}</section>
<section id="timing"><h2>Time of each step</h2>
<table><tr><th>step</th><th>time</th><th>what</th><th>why</th></tr>
${stepRows}
<tr><th>all</th><th>${formatSeconds(input.seconds)}</th><th colspan="2">the build before it (pnpm demo) is not included</th></tr></table></section>
<section id="machine"><h2>Machine and adapter</h2>
<table>${machineRows.map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}</table></section>
<section id="phantoms"><h2>The data: phantom scans</h2>
<p>The first training scans with their masks' outlines (green): speckle, depth attenuation with time-gain compensation,
tissue layers, hypo- or hyperechoic lesions with irregular borders and posterior shadowing or enhancement, lesion areas
drawn from the challenge's train.csv. Made by <code>ulseg synth</code>; the same seed gives the same bytes.</p>
<img class="wide" src="${link(paths.phantoms!)}" alt="phantom scans with their masks"></section>
<section id="settings"><h2>Settings</h2>
<table>${settings.map(([key, value]) => `<tr><th>${key}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}</table></section>
<section id="scans"><h2>Per scan</h2>
<table><tr><th>scan</th><th>Dice raw</th><th>Dice post-processed</th><th>IoU</th><th>true px</th><th>predicted px</th></tr>
${diceRows}
<tr><th>mean</th><th>${raw.meanDice.toFixed(4)}</th><th>${postprocessed.meanDice.toFixed(4)}</th><th>${postprocessed.meanIou.toFixed(4)}</th><th></th><th></th></tr></table>
<p>Masks in <code>${link(paths.postprocessed!)}</code>, scores in <code>${link(paths.metrics!)}</code>, weights in <code>${link(paths.weights!)}</code>.</p></section>
</body></html>
`;
}
