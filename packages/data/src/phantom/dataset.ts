import { BDCI_LAYOUT } from '../bdci.js';
import { type DataFiles, joinPath } from '../files.js';
import { encodeGrayPng } from '../png.js';
import { Random } from '@ulseg/base';
import { REAL_IMAGE_SIZE, REAL_TUMOUR_AREAS } from '../real-areas.js';
import { resizeNearest } from '../resize.js';
import { buildTrainTable, type SplitOptions, writeTrainCsv } from '../train-csv.js';
import { type PhantomInfo, type PhantomScan, type PhantomSpec, renderPhantom } from './scan.js';

export interface PhantomSizeOptions {
  /** Inclusive range of image widths, default [440, 490] like the real scans. */
  width?: readonly [number, number];
  /** Inclusive range of image heights, default [230, 320]. */
  height?: readonly [number, number];
  /** Relative jitter of the lesion area drawn from the real areas: uniform in ±this (default 0.1). */
  areaJitter?: number;
}

export interface PhantomSetOptions extends PhantomSizeOptions {
  /** Default 1. */
  seed?: number;
  /** Training images, default 32. */
  trainCount?: number;
  /** Test images (with ground truth in test_data/label), default 8. */
  testCount?: number;
  /** Folder under which the BDCI layout is written, default the files' root. */
  root?: string;
  /** Mask files differ in size from their images by up to this many pixels per axis, as in the real data (default 0). */
  maskSizeJitter?: number;
  /** Grades and folds of the train.csv written beside the images; its fold seed defaults to `seed`. */
  split?: SplitOptions;
}

export interface PhantomSetSummary {
  readonly train: (PhantomInfo & { readonly id: string })[];
  readonly test: (PhantomInfo & { readonly id: string })[];
}

/**
 * Draws one scan's size and lesion area: size uniform in the ranges, area from the real challenge's areas, jittered,
 * and scaled by the ratio of the ranges' middle to the real images' middle size (1 with the defaults).
 */
export function samplePhantomSpec(random: Random, options: PhantomSizeOptions = {}): PhantomSpec {
  const [minWidth, maxWidth] = options.width ?? [440, 490];
  const [minHeight, maxHeight] = options.height ?? [230, 320];
  if (!(minWidth >= 16 && maxWidth >= minWidth && minHeight >= 16 && maxHeight >= minHeight)) {
    throw new RangeError(`phantom size ranges must be at least 16 px and ordered, got ${minWidth}..${maxWidth} x ${minHeight}..${maxHeight}`);
  }
  const jitter = options.areaJitter ?? 0.1;
  const width = random.integer(Math.round(minWidth), Math.round(maxWidth));
  const height = random.integer(Math.round(minHeight), Math.round(maxHeight));
  const scale = ((minWidth + maxWidth) * (minHeight + maxHeight)) / (4 * REAL_IMAGE_SIZE.width * REAL_IMAGE_SIZE.height);
  const targetArea = Math.max(1, Math.round(random.pick(REAL_TUMOUR_AREAS) * scale * (1 + random.uniform(-jitter, jitter))));
  return { width, height, targetArea };
}

/** One scan of a seeded set: `split` and `index` name its own random stream, so it does not depend on the set's other counts. */
export function renderPhantomSample(seed: number, split: 'train' | 'test', index: number, options: PhantomSizeOptions = {}): PhantomScan {
  const random = Random.derive(seed, `${split}/${index}`);
  return renderPhantom(random, samplePhantomSpec(random, options));
}

/**
 * Writes a phantom data set in the BDCI layout: train_data/img, train_data/label, train_data/train.csv,
 * test_data/img and test_data/label (ground truth for evaluation). IDs are `1.png`, `2.png`, ...
 */
export async function generatePhantomSet(files: DataFiles, options: PhantomSetOptions = {}): Promise<PhantomSetSummary> {
  const seed = options.seed ?? 1;
  const root = options.root ?? '';
  const counts = { train: options.trainCount ?? 32, test: options.testCount ?? 8 };
  for (const [name, count] of Object.entries(counts)) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`phantom ${name} count must be a non-negative integer, got ${count}`);
  }
  const summary: PhantomSetSummary = { train: [], test: [] };
  for (const split of ['train', 'test'] as const) {
    const imageDir = split === 'train' ? BDCI_LAYOUT.trainImages : BDCI_LAYOUT.testImages;
    const labelDir = split === 'train' ? BDCI_LAYOUT.trainLabels : BDCI_LAYOUT.testLabels;
    for (let index = 1; index <= counts[split]; index++) {
      const scan = renderPhantomSample(seed, split, index, options);
      const id = `${index}.png`;
      let mask = scan.mask;
      const jitter = Math.floor(options.maskSizeJitter ?? 0);
      if (jitter > 0) {
        const random = Random.derive(seed, `${split}/${index}/mask-size`);
        mask = resizeNearest(mask, mask.width + random.integer(-jitter, jitter), mask.height + random.integer(-jitter, jitter));
      }
      await files.write(joinPath(root, imageDir, id), encodeGrayPng(scan.image));
      await files.write(joinPath(root, labelDir, id), encodeGrayPng(mask));
      summary[split].push({ ...scan.info, id });
    }
  }
  if (summary.train.length > 0) {
    const table = buildTrainTable(
      summary.train.map((entry) => ({ id: entry.id, size: entry.area })),
      { seed, ...options.split },
    );
    await writeTrainCsv(files, joinPath(root, BDCI_LAYOUT.trainCsv), table.rows);
  }
  return summary;
}
