import { Command } from 'commander';
import { encodeRgbPng, MaskTally, type GrayImage } from '@ulseg/data';
import { withStagedFolders, writeAtomic } from '../files.js';
import { progressBar } from '../progress.js';
import { checkPngHeaders, fitMask, integerOption, plainErrors, pngFolder, readMask, readPng, sameFolder, seconds, warn } from './mask-folders.js';

/** Overlay colours (RGB): the prediction's contour, the truth's, and pixels on both. */
export const OVERLAY_COLOURS = { prediction: [255, 0, 0], truth: [0, 255, 0], both: [255, 255, 0] } as const;

/**
 * The contour of a {0, 255} mask, `lineWidth` px thick, inside the region: foreground pixels with a background pixel
 * (or the image's outside) within Chebyshev distance `lineWidth`, i.e. mask minus its (2·lineWidth + 1)² erosion
 * (separable: a row minimum, then a column minimum).
 */
export function contour(mask: GrayImage, lineWidth: number): Uint8Array {
  const { width, height, data } = mask;
  const r = lineWidth;
  const rows = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let all = x - r >= 0 && x + r < width ? 1 : 0;
      for (let dx = -r; all && dx <= r; dx++) if (data[y * width + x + dx] === 0) all = 0;
      rows[y * width + x] = all;
    }
  }
  const edge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] === 0) continue;
      let all = y - r >= 0 && y + r < height ? 1 : 0;
      for (let dy = -r; all && dy <= r; dy++) if (rows[(y + dy) * width + x] === 0) all = 0;
      edge[y * width + x] = all ? 0 : 1;
    }
  }
  return edge;
}

/** The gray scan as RGB with the contours drawn over it. */
export function overlay(scan: GrayImage, prediction: Uint8Array, truth: Uint8Array | undefined): Uint8Array {
  const rgb = new Uint8Array(scan.width * scan.height * 3);
  for (let pixel = 0; pixel < scan.data.length; pixel++) {
    const onPrediction = prediction[pixel] === 1;
    const onTruth = truth?.[pixel] === 1;
    const colour = onPrediction && onTruth ? OVERLAY_COLOURS.both : onPrediction ? OVERLAY_COLOURS.prediction : onTruth ? OVERLAY_COLOURS.truth : undefined;
    const gray = scan.data[pixel]!;
    rgb[3 * pixel] = colour ? colour[0] : gray;
    rgb[3 * pixel + 1] = colour ? colour[1] : gray;
    rgb[3 * pixel + 2] = colour ? colour[2] : gray;
  }
  return rgb;
}

export interface VisualizeCommandOptions {
  images: string;
  masks: string;
  truth?: string;
  out: string;
  lineWidth: number;
}

/** ulseg visualize: contour overlays of predicted (and true) masks on their scans, one RGB PNG per mask. */
export async function runVisualize(options: VisualizeCommandOptions): Promise<void> {
  return plainErrors(async () => {
    for (const [name, folder] of [['--images', options.images], ['--masks', options.masks], ['--truth', options.truth]] as const) {
      if (folder !== undefined && sameFolder(folder, options.out)) throw new Error(`--out '${options.out}' is the ${name} folder: the overlays would replace its files`);
    }
    const names = await pngFolder(options.masks, 'masks to draw', warn);
    await checkPngHeaders(options.masks, names, 'mask');
    await checkPngHeaders(options.images, names, (name) => `image for mask ${options.masks}/${name}`);
    if (options.truth !== undefined) await checkPngHeaders(options.truth, names, (name) => `true mask for ${options.masks}/${name}`);
    const start = performance.now();
    const masks = new MaskTally(options.masks);
    const truths = new MaskTally(options.truth ?? '');
    await withStagedFolders([{ path: options.out, flag: '--out' }], async ([staged]) => {
      const bar = progressBar('visualize', names.length);
      try {
        for (const [index, name] of names.entries()) {
          const imagePath = `${options.images}/${name}`;
          const maskPath = `${options.masks}/${name}`;
          const scan = await readPng(imagePath, `image for mask ${maskPath}`);
          const fit = (path: string, mask: GrayImage): GrayImage => fitMask(mask, scan.width, scan.height, { mask: path, reference: imagePath }, true);
          const prediction = fit(maskPath, await readMask(options.masks, name, 'mask', masks));
          let truth: GrayImage | undefined;
          if (options.truth !== undefined) truth = fit(`${options.truth}/${name}`, await readMask(options.truth, name, `true mask for ${maskPath}`, truths));
          const rgb = overlay(scan, contour(prediction, options.lineWidth), truth && contour(truth, options.lineWidth));
          await writeAtomic(`${staged}/${name}`, encodeRgbPng({ width: scan.width, height: scan.height, data: rgb }));
          bar.update(index + 1, name);
        }
      } finally {
        bar.stop();
      }
    });
    for (const message of [...masks.warnings(), ...truths.warnings()]) warn(message);
    const legend = options.truth !== undefined ? 'prediction red, truth green, both yellow' : 'prediction red';
    process.stdout.write(`wrote ${names.length} overlays to ${options.out} in ${seconds(start)} (${legend})\n`);
  });
}

export function visualizeCommand(): Command {
  return new Command('visualize')
    .summary('draw predicted (and true) mask contours over their scans as RGB PNGs')
    .description(
      'draw mask contours over their scans: one RGB PNG per mask, named as the mask, at the scan’s size. The ' +
        'prediction’s contour is red, the truth’s green, pixels on both yellow; the scan is shown in gray. A mask a few ' +
        'pixels off its scan’s size (as some real labels are) is resized to it (nearest).',
    )
    .requiredOption('--images <dir>', 'folder of the scans (PNG), with the same file names as the masks')
    .requiredOption('--masks <dir>', 'folder of predicted masks (PNG: 0/255, or 0/1; other values are binarised at 128): one overlay per mask')
    .option('--truth <dir>', 'folder of true masks with the same names, drawn in green')
    .requiredOption('--out <dir>', 'folder for the overlays (created if missing; must differ from the input folders; written when every overlay is done, so a failed run changes nothing)')
    .option('--line-width <pixels>', 'contour thickness, inside the region', integerOption(1, 20), 2)
    .action(async (options: VisualizeCommandOptions) => runVisualize(options));
}
