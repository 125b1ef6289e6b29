/** Folder handling shared by infer, postprocess, visualize and evaluate: PNG listings, option parsing, plain errors. */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DataError, decodePng, type DecodedImage, listPngFiles, MAX_MASK_SIZE_DIFFERENCE, resizeNearest, type GrayImage } from '@ulseg/data';
import { NodeFiles } from '@ulseg/data/node';
import { readInput } from '../files.js';

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

export function sameFolder(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}

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

/** A mask as {0, 255} (foreground: value ≥ 128), and whether the file held other values. */
export function binarise(image: GrayImage): { mask: GrayImage; binarised: boolean } {
  let binarised = false;
  const data = Uint8Array.from(image.data, (value) => {
    if (value !== 0 && value !== 255) binarised = true;
    return value >= 128 ? 255 : 0;
  });
  return { mask: { width: image.width, height: image.height, data }, binarised };
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
