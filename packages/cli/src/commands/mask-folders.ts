/** Folder handling shared by infer, postprocess, visualize and evaluate: PNG listings, option parsing, plain errors. */
import { InvalidArgumentError } from 'commander';
import { DataError, decodePng, type DecodedImage, interpretMask, listPngFiles, MAX_MASK_SIZE_DIFFERENCE, type MaskTally, readPngSize, resizeNearest, type GrayImage } from '@ulseg/data';
import { NodeFiles } from '@ulseg/data/node';
import { readInput, samePath } from '../files.js';

export const files = new NodeFiles();

/** Runs a command body; a DataError becomes a plain Error, so the message reads `ulseg: <file>: <problem>`. */
export async function plainErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof DataError) throw new Error(error.message);
    throw error;
  }
}

export const sameFolder = samePath;

/** The `.png` files in `dir` (natural order); warns about other files, which are skipped; an empty folder is an error. */
export async function pngFolder(dir: string, what: string, warn: (message: string) => void): Promise<string[]> {
  const names = await listPngFiles(files, dir);
  const others: string[] = [];
  for (const name of await files.list(dir)) {
    if (name.startsWith('.') || names.includes(name)) continue;
    try {
      await files.list(`${dir}/${name}`);
    } catch {
      others.push(name);
    }
  }
  if (others.length > 0) warn(`${dir}: skipping ${others.length} file(s) that are not .png: ${others.slice(0, 10).join(', ')}${others.length > 10 ? ', …' : ''}`);
  if (names.length === 0) throw new Error(`${dir}: no PNG files (${what})`);
  return names;
}

export async function readPng(path: string, what: string): Promise<DecodedImage> {
  return decodePng(await readInput(path, what), path);
}

/** A mask file read by the one mask rule (@ulseg/data's interpretMask: {0, 1} as 0/1, else binarised at 128; scans refused), counted in `tally`. */
export async function readMask(dir: string, name: string, what: string, tally: MaskTally): Promise<GrayImage> {
  const path = `${dir}/${name}`;
  const read = interpretMask(await readPng(path, what), path);
  tally.add(name, read);
  return read.mask;
}

/**
 * Every PNG header of `names` in `dir`, read before any work: a file that is not a PNG, or larger than
 * `maxPixels` (what the GPU can hold; `limit` says why), fails the run before anything is written.
 */
export async function checkPngHeaders(dir: string, names: readonly string[], what: string | ((name: string) => string), maxPixels = Infinity, limit = ''): Promise<void> {
  for (const name of names) {
    const path = `${dir}/${name}`;
    const { width, height } = readPngSize(await readInput(path, typeof what === 'string' ? what : what(name)), path);
    if (width * height > maxPixels) {
      const side = Math.floor(Math.sqrt(maxPixels));
      throw new Error(`${path}: ${typeof what === 'string' ? what : 'image'} of ${width}x${height} px is too large for ${limit}: at most ${maxPixels.toLocaleString('en')} pixels (e.g. ${side}x${side}); shrink it`);
    }
  }
}

/**
 * `mask` at width × height: unchanged when it has that size; resized (Pillow nearest) when `resize` is allowed and it
 * is within {@link MAX_MASK_SIZE_DIFFERENCE} of it in both axes (the real BDCI labels are 1–7 px off their images);
 * otherwise an error naming both files and sizes.
 */
export function fitMask(mask: GrayImage, width: number, height: number, paths: { mask: string; reference: string }, resize: boolean, hint = ''): GrayImage {
  if (mask.width === width && mask.height === height) return mask;
  const close = Math.abs(mask.width - width) <= MAX_MASK_SIZE_DIFFERENCE * width && Math.abs(mask.height - height) <= MAX_MASK_SIZE_DIFFERENCE * height;
  if (resize && close) return resizeNearest(mask, width, height);
  throw new Error(
    `${paths.mask} is ${mask.width}x${mask.height} but ${paths.reference} is ${width}x${height}` +
      (close ? hint : ` (more than ${MAX_MASK_SIZE_DIFFERENCE * 100}% apart: not the same image?)`),
  );
}

/** Commander parsers that reject bad numbers with the option's name. */
export function integerOption(minimum: number, maximum = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || number < minimum || number > maximum) {
      throw new InvalidArgumentError(`expected an integer${maximum < Number.MAX_SAFE_INTEGER ? ` from ${minimum} to ${maximum}` : ` >= ${minimum}`}.`);
    }
    return number;
  };
}

export function probabilityOption(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !(number >= 0 && number <= 1)) throw new InvalidArgumentError('expected a probability from 0 to 1.');
  return number;
}

export function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

export function warn(message: string): void {
  process.stderr.write(`ulseg: warning: ${message}\n`);
}
