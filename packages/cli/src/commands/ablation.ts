/**
 * The original's results table on any set of checkpoints: what each stage of the pipeline adds, as mean Dice over
 * the same scans. Rows, each built on the one above:
 *   baseline    Otsu threshold + largest component (no model; see otsuBaseline)
 *   one model   the first checkpoint, identity view only:     mask = σ(f₁(x)) ≥ t
 *   + flips     the same model, V flip views (ORIGINAL.md §6: 4):  mask = σ((1/V) Σ_v T_v f₁(T_v x)) ≥ t
 *   + ensemble  all K checkpoints × V views:                    mask = (1/K) Σ_k p_k ≥ t   (what `ulseg infer` writes)
 *   + RSIP      regions of ≤ threshold px removed               (what `ulseg postprocess` does first)
 *   + EMF       k × k median over the edge band                 (what `ulseg postprocess` writes)
 * The ensemble rows use the same code as `ulseg infer` (predictBatch, summed in model order), so the last two rows
 * equal `ulseg evaluate` on the outputs of `ulseg infer` and `ulseg postprocess` with the same settings.
 */
import { MaskTally, type DecodedImage, type GrayImage } from '@ulseg/data';
import { TTA_PRESETS, predictBatch, readNamed, weightsMember, type InputResize, type TtaView } from '@ulseg/infer';
import type { Gpu } from '@ulseg/kernels';
import { edgeMedian, labelComponents, removeSmallRegions } from '@ulseg/postprocess';
import { scoreMasks, type MaskScores } from './scores.js';
import { files, fitMask, pngFolder, readMask, readPng, warn } from './mask-folders.js';

export interface AblationOptions {
  /** Checkpoints (.safetensors or .pth); the first is "one model". */
  weights: readonly string[];
  /** Folder of scans (PNG). */
  images: string;
  /** Folder of true masks with the same names. */
  truth: string;
  resolution: number;
  /** Probability threshold (default 0.5). */
  threshold: number;
  /** RSIP: largest removed region in px. */
  rsipThreshold: number;
  /** EMF window (odd). */
  kernel: number;
  inputResize: InputResize;
  /** Test-time views of the TTA rows (default the original's 4); they should be symmetries the models were trained with. */
  views?: readonly TtaView[];
  /** Called after each model's pass over the scans. */
  onProgress?: (done: number, total: number) => void;
}

export interface AblationRow {
  readonly stage: string;
  /** What the stage does, for the report. */
  readonly what: string;
  readonly meanDice: number;
  readonly minDice: number;
  readonly meanIou: number;
  /** Per scan, in the folder's order. */
  readonly dice: readonly number[];
}

export interface AblationTable {
  readonly scans: readonly string[];
  readonly models: readonly string[];
  readonly rows: readonly AblationRow[];
}

/** Otsu's threshold of a 256-bin histogram: the t maximising the between-class variance ω₀ω₁(μ₀ − μ₁)² (class 0: v < t). */
export function otsuThreshold(histogram: ArrayLike<number>): number {
  let total = 0;
  let sum = 0;
  for (let value = 0; value < 256; value++) {
    total += histogram[value]!;
    sum += value * histogram[value]!;
  }
  let below = 0;
  let belowSum = 0;
  let best = 0;
  let bestVariance = -1;
  for (let t = 1; t < 256; t++) {
    below += histogram[t - 1]!;
    belowSum += (t - 1) * histogram[t - 1]!;
    const above = total - below;
    if (below === 0 || above === 0) continue;
    const difference = belowSum / below - (sum - belowSum) / above;
    const variance = below * above * difference * difference;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

/**
 * The trivial baseline: the scan smoothed by a (2r+1)² box (r = 2% of the width, to average out speckle), Otsu's
 * threshold over the pixels that are not black margin (value > 0), the dark class (most lesions are hypoechoic), and
 * of its 8-connected regions the largest that touches no side of the tissue (the dark deep field and the gel do), or
 * the largest of all when every region touches one. {0, 255}, row-major H × W.
 */
export function otsuBaseline(scan: GrayImage): Uint8Array {
  const { width, height, data } = scan;
  const radius = Math.max(1, Math.round(width / 50));
  const rows = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dx = -radius; dx <= radius; dx++) sum += data[y * width + Math.min(width - 1, Math.max(0, x + dx))]!;
      rows[y * width + x] = sum / (2 * radius + 1);
    }
  }
  const smooth = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = -radius; dy <= radius; dy++) sum += rows[Math.min(height - 1, Math.max(0, y + dy)) * width + x]!;
      smooth[y * width + x] = Math.round(sum / (2 * radius + 1));
    }
  }
  const histogram = new Float64Array(256);
  for (let index = 0; index < data.length; index++) if (data[index]! > 0) histogram[smooth[index]!]!++;
  const threshold = otsuThreshold(histogram);
  const dark = Uint8Array.from(smooth, (value, index) => (data[index]! > 0 && value < threshold ? 255 : 0));
  const components = labelComponents(dark, width, height, 8, (value) => value === 255);
  // A region touches a side when one of its pixels has a black-margin pixel or the image's edge as a 4-neighbour.
  const touches = new Uint8Array(components.count + 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const id = components.labels[y * width + x]!;
      if (id === 0 || touches[id]) continue;
      const outside = (nx: number, ny: number): boolean => nx < 0 || ny < 0 || nx >= width || ny >= height || data[ny * width + nx] === 0;
      if (outside(x - 1, y) || outside(x + 1, y) || outside(x, y - 1) || outside(x, y + 1)) touches[id] = 1;
    }
  }
  let inner = 0;
  let any = 0;
  for (let id = 1; id <= components.count; id++) {
    if (components.areas[id]! > (components.areas[any] ?? 0)) any = id;
    if (!touches[id] && components.areas[id]! > (components.areas[inner] ?? 0)) inner = id;
  }
  const chosen = inner !== 0 ? inner : any;
  return Uint8Array.from(components.labels, (id) => (chosen !== 0 && id === chosen ? 255 : 0));
}

function threshold(probability: Float32Array, t: number): Uint8Array {
  return Uint8Array.from(probability, (p) => (p >= t ? 255 : 0));
}

function row(stage: string, what: string, scores: readonly MaskScores[]): AblationRow {
  const dice = scores.map((score) => score.dice);
  return {
    stage,
    what,
    meanDice: dice.reduce((a, b) => a + b, 0) / dice.length,
    minDice: Math.min(...dice),
    meanIou: scores.reduce((sum, score) => sum + score.iou, 0) / scores.length,
    dice,
  };
}

/** Runs the table (see the file comment). Every scan needs a true mask of its size; every checkpoint is read before any runs. */
export async function runAblation(gpu: Gpu, options: AblationOptions): Promise<AblationTable> {
  if (options.weights.length === 0) throw new Error('--ablation needs at least one checkpoint: pass --weights FILE [FILE …]');
  const names = await pngFolder(options.images, 'scans', warn);
  const truthNames = new Set(await pngFolder(options.truth, 'true masks', warn));
  const missing = names.filter((name) => !truthNames.has(name));
  if (missing.length > 0) throw new Error(`${options.truth}: no true mask for ${missing.length} scan(s) of ${options.images}: ${missing.slice(0, 10).join(', ')}`);
  const scans: DecodedImage[] = [];
  const truths: GrayImage[] = [];
  const tally = new MaskTally(options.truth);
  for (const name of names) {
    const scan = await readPng(`${options.images}/${name}`, 'scan');
    scans.push(scan);
    const truth = await readMask(options.truth, name, 'true mask', tally);
    truths.push(fitMask(truth, scan.width, scan.height, { mask: `${options.truth}/${name}`, reference: `${options.images}/${name}` }, false));
  }
  for (const message of tally.warnings()) warn(message);
  const members = options.weights.map((path) => weightsMember(path, () => readNamed(files, path, 'weights')));
  for (const path of options.weights) await readNamed(files, path, 'weights');
  const settings = { resolution: options.resolution, inputResize: options.inputResize };
  const views = [...(options.views ?? TTA_PRESETS.flips)];
  const single: Float32Array[] = [];
  const flips: Float32Array[] = [];
  const sums: Float32Array[] = [];
  const total = options.weights.length;
  for (const [index, member] of members.entries()) {
    const loaded = await member.load(gpu);
    try {
      for (const [scanIndex, scan] of scans.entries()) {
        if (index === 0) single.push((await predictBatch(gpu, loaded.network, [scan], { ...settings, views: [...TTA_PRESETS.none] }))[0]!);
        const [probability] = await predictBatch(gpu, loaded.network, [scan], { ...settings, views });
        if (index === 0) {
          flips.push(probability!);
          sums.push(Float32Array.from(probability!));
        } else {
          const sum = sums[scanIndex]!;
          for (let pixel = 0; pixel < sum.length; pixel++) sum[pixel]! += probability![pixel]!;
        }
      }
    } finally {
      loaded.dispose();
    }
    options.onProgress?.(index + 1, total);
  }
  const score = (masks: readonly Uint8Array[]): MaskScores[] =>
    masks.map((data, index) => scoreMasks({ width: scans[index]!.width, height: scans[index]!.height, data }, truths[index]!));
  const t = options.threshold;
  const ensemble = sums.map((sum) => threshold(Float32Array.from(sum, (value) => value / total), t));
  const rsip = ensemble.map((mask, index) => removeSmallRegions(mask, scans[index]!.width, scans[index]!.height, { threshold: options.rsipThreshold }).mask);
  const emf: Uint8Array[] = [];
  for (const [index, mask] of rsip.entries()) {
    emf.push(options.kernel > 1 ? await edgeMedian(gpu, mask, scans[index]!.width, scans[index]!.height, options.kernel) : mask);
  }
  const models = [...options.weights];
  const rows: AblationRow[] = [
    row('Otsu + largest component', 'no model: smoothed scan, Otsu threshold, dark class, largest region', score(scans.map((scan) => otsuBaseline(scan)))),
    row('one model', `${options.weights[0]}, one view, threshold ${t}`, score(single.map((p) => threshold(p, t)))),
    row('+ flip TTA', `the same model, mean logit of ${views.length} views (${views.join(', ')})`, score(flips.map((p) => threshold(p, t)))),
    row(`+ ${total}-model ensemble`, `mean probability of ${total} checkpoints x ${views.length} views`, score(ensemble)),
    row('+ RSIP', `regions of <= ${options.rsipThreshold} px removed`, score(rsip)),
    row('+ EMF', `${options.kernel}x${options.kernel} median over the edge band`, score(emf)),
  ];
  return { scans: names, models, rows };
}

/** The table as CSV: stage, mean_dice, min_dice, mean_iou, then one column of Dice per scan. */
export function formatAblationCsv(table: AblationTable): string {
  const header = ['stage', 'mean_dice', 'min_dice', 'mean_iou', ...table.scans.map((name) => `dice_${name}`)];
  const lines = [header.join(',')];
  for (const r of table.rows) lines.push([`"${r.stage}"`, r.meanDice, r.minDice, r.meanIou, ...r.dice].join(','));
  return `${lines.join('\n')}\n`;
}

/** The table as aligned text for the terminal. */
export function formatAblationText(table: AblationTable): string {
  const width = Math.max(...table.rows.map((r) => r.stage.length));
  const lines = [`${'stage'.padEnd(width)}  mean Dice  min Dice  mean IoU`];
  for (const r of table.rows) lines.push(`${r.stage.padEnd(width)}  ${r.meanDice.toFixed(4).padStart(9)}  ${r.minDice.toFixed(4).padStart(8)}  ${r.meanIou.toFixed(4).padStart(8)}`);
  return `${lines.join('\n')}\n`;
}
