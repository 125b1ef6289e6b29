import { DataError } from './errors.js';
import { type DataFiles, joinPath } from './files.js';
import { maskArea } from './grades.js';
import { interpretMask, MaskTally, type ReadMask } from './mask.js';
import { compareNatural } from './natural-sort.js';
import { type DecodedImage, decodePng, encodeGrayPng, type GrayImage } from './png.js';
import { resizeNearest } from './resize.js';

/** The challenge's folder layout (ORIGINAL.md §1), relative to a data root. `test_data/label` is ours: ground truth for evaluation. */
export const BDCI_LAYOUT = {
  trainImages: 'train_data/img',
  trainLabels: 'train_data/label',
  trainCsv: 'train_data/train.csv',
  testImages: 'test_data/img',
  testLabels: 'test_data/label',
  testPredictions: 'test_data/predict',
} as const;

/** A mask may differ from its image by a few pixels (resized, with one warning per set); more than this fraction of either side is an error. */
export const MAX_MASK_SIZE_DIFFERENCE = 0.1;

export interface LabelledSample {
  /** The file name, e.g. `12.png` (the same for image and mask). */
  readonly id: string;
  readonly image: DecodedImage;
  /** {0, 255}, at the image's size. */
  readonly mask: GrayImage;
  /** The mask file's own size (differs from the image's by a few pixels in some real files). */
  readonly maskFileSize: { readonly width: number; readonly height: number };
  /** Foreground pixels at the mask file's resolution: the `size` column of train.csv. */
  readonly area: number;
}

export interface ImageSample {
  readonly id: string;
  readonly image: DecodedImage;
}

export interface LoadOptions {
  /** Keep each image's RGB (the infer path converts from RGB); default false for labelled sets, true for test images. */
  keepRgb?: boolean;
  /** Called with each warning as it is raised (they are also returned). */
  onWarning?: (message: string) => void;
}

export interface Loaded<T> {
  readonly samples: T[];
  readonly warnings: string[];
}

/** The `.png` files directly in `dir`, sorted naturally; other files are ignored. */
export async function listPngFiles(files: DataFiles, dir: string): Promise<string[]> {
  if (!(await files.exists(dir))) throw new DataError(`${dir}: folder not found`, { file: dir });
  return (await files.list(dir)).filter((name) => /\.png$/i.test(name) && !name.startsWith('.')).sort(compareNatural);
}

/** `train_data/img` paired with `train_data/label` under `root`. */
export function loadTrainSet(files: DataFiles, root = '', options: LoadOptions = {}): Promise<Loaded<LabelledSample>> {
  return loadLabelledSet(files, joinPath(root, BDCI_LAYOUT.trainImages), joinPath(root, BDCI_LAYOUT.trainLabels), options);
}

/** `test_data/img`, RGB kept by default. */
export async function loadTestSet(files: DataFiles, root = '', options: LoadOptions = {}): Promise<Loaded<ImageSample>> {
  const dir = joinPath(root, BDCI_LAYOUT.testImages);
  const names = await listPngFiles(files, dir);
  if (names.length === 0) throw new DataError(`${dir}: no PNG images`, { file: dir });
  const samples: ImageSample[] = [];
  for (const id of names) samples.push({ id, image: withoutRgb(await readImage(files, joinPath(dir, id)), options.keepRgb ?? true) });
  return { samples, warnings: [] };
}

/**
 * Pairs every image in `imageDir` with the mask of the same name in `labelDir` and validates them: a missing partner
 * is an error naming the file; a mask is read by the one mask rule ({@link interpretMask}: 0/1 masks as 0/1, other values binarised at 128, scans refused); a mask a few pixels off its image's
 * size is resized to it (nearest). Each kind of warning is raised once per set, with the count.
 */
export async function loadLabelledSet(files: DataFiles, imageDir: string, labelDir: string, options: LoadOptions = {}): Promise<Loaded<LabelledSample>> {
  const images = await listPngFiles(files, imageDir);
  const labels = await listPngFiles(files, labelDir);
  if (images.length === 0) throw new DataError(`${imageDir}: no PNG images`, { file: imageDir });
  const labelSet = new Set(labels);
  const imageSet = new Set(images);
  for (const id of images) {
    if (!labelSet.has(id)) throw new DataError(`missing mask ${joinPath(labelDir, id)} for image ${joinPath(imageDir, id)}`, { file: joinPath(labelDir, id) });
  }
  for (const id of labels) {
    if (!imageSet.has(id)) throw new DataError(`missing image ${joinPath(imageDir, id)} for mask ${joinPath(labelDir, id)}`, { file: joinPath(imageDir, id) });
  }
  const samples: LabelledSample[] = [];
  const resized: string[] = [];
  const tally = new MaskTally(labelDir);
  for (const id of images) {
    const loaded = await loadPair(files, joinPath(imageDir, id), joinPath(labelDir, id), options.keepRgb ?? false);
    if (loaded.resized) resized.push(id);
    tally.add(id, loaded.read);
    samples.push(loaded.sample);
  }
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  if (resized.length > 0) {
    warn(`${labelDir}: ${resized.length} of ${images.length} masks differ in size from their images and were resized to them (nearest): ${listSome(resized)}`);
  }
  for (const message of tally.warnings()) warn(message);
  return { samples, warnings };
}

/** One image and its mask, validated (see {@link loadLabelledSet}); says whether the mask was resized and how it was read. */
export async function loadPair(
  files: DataFiles,
  imagePath: string,
  labelPath: string,
  keepRgb = false,
): Promise<{ sample: LabelledSample; resized: boolean; read: ReadMask }> {
  const image = withoutRgb(await readImage(files, imagePath), keepRgb);
  const decodedMask = await readImage(files, labelPath);
  const read = interpretMask(decodedMask, labelPath);
  let mask: GrayImage = read.mask;
  const area = maskArea(mask);
  const resized = mask.width !== image.width || mask.height !== image.height;
  if (resized) {
    const tooFar =
      Math.abs(mask.width - image.width) > MAX_MASK_SIZE_DIFFERENCE * image.width ||
      Math.abs(mask.height - image.height) > MAX_MASK_SIZE_DIFFERENCE * image.height;
    if (tooFar) {
      throw new DataError(
        `mask ${labelPath} is ${mask.width}x${mask.height} but image ${imagePath} is ${image.width}x${image.height}: ` +
          `more than ${MAX_MASK_SIZE_DIFFERENCE * 100}% apart in an axis, so they are probably not a pair`,
        { file: labelPath },
      );
    }
    mask = resizeNearest(mask, image.width, image.height);
  }
  const id = imagePath.slice(imagePath.lastIndexOf('/') + 1);
  return { sample: { id, image, mask, maskFileSize: { width: decodedMask.width, height: decodedMask.height }, area }, resized, read };
}

export async function readImage(files: DataFiles, path: string): Promise<DecodedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await files.read(path);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${path}: cannot read (${(error as Error).message})`, { file: path, cause: error });
  }
  return decodePng(bytes, path);
}

/** Writes `test_data/predict/<id>` under `root` as an 8-bit gray PNG. */
export async function writePrediction(files: DataFiles, root: string, id: string, mask: GrayImage): Promise<void> {
  await files.write(joinPath(root, BDCI_LAYOUT.testPredictions, id), encodeGrayPng(mask));
}

function withoutRgb(image: DecodedImage, keepRgb: boolean): DecodedImage {
  return keepRgb || image.rgb === null ? image : { ...image, rgb: null };
}

function listSome(ids: readonly string[]): string {
  return ids.length <= 10 ? ids.join(', ') : `${ids.slice(0, 10).join(', ')}, …`;
}
