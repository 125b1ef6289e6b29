/**
 * The one rule for reading a mask file, used by every command that reads masks (preprocess, train, evaluate,
 * postprocess, visualize):
 * - values all in {0, 255}: as they are;
 * - values all in {0, 1}: a 0/1 mask, 1 = lesion, read as {0, 255};
 * - any other values: binarised at {@link MASK_THRESHOLD} (foreground: value >= 128);
 * - more than {@link MAX_MASK_LEVELS} distinct grey levels with over a quarter of the pixels mid-grey (16..239): not a
 *   mask but a scan, refused (an antialiased or resized mask has its grey levels only along its edges).
 * {@link MaskTally} gathers what happened over a folder and words the warnings.
 */
import { DataError } from './errors.js';
import { MASK_THRESHOLD } from './grades.js';
import type { GrayImage } from './png.js';

/** A label has two levels, a few more where it was drawn antialiased or saved lossy; a B-mode scan has hundreds. */
export const MAX_MASK_LEVELS = 32;
/** The share of mid-grey pixels above which an image of many levels is a scan: a mask's grey lies on its edges only. */
export const MAX_MASK_MID_GREY = 0.25;

export type MaskEncoding = 'binary' | 'zero-one' | 'binarised';

export interface ReadMask {
  /** {0, 255}, foreground 255. */
  readonly mask: GrayImage;
  readonly encoding: MaskEncoding;
  /** The file had foreground values (> 0) but none survived binarisation at 128. */
  readonly becameEmpty: boolean;
}

/** `image` (a decoded mask file at `path`) as a {0, 255} mask by the rule above; a scan-like image is a DataError. */
export function interpretMask(image: GrayImage, path: string): ReadMask {
  const seen = new Uint8Array(256);
  let midGrey = 0;
  for (let index = 0; index < image.data.length; index++) {
    const value = image.data[index]!;
    seen[value] = 1;
    if (value >= 16 && value <= 239) midGrey++;
  }
  let levels = 0;
  for (const flag of seen) levels += flag;
  if (levels > MAX_MASK_LEVELS && midGrey > MAX_MASK_MID_GREY * image.data.length) {
    throw new DataError(
      `${path}: ${levels} grey levels, ${Math.round((100 * midGrey) / image.data.length)}% of the pixels mid-grey, so it looks like a scan, not a mask (a mask holds 0 and 255, or 0 and 1): is this the image folder given as the mask folder?`,
      { file: path },
    );
  }
  const others = levels - seen[0]!;
  if (others === 0 || (others === 1 && seen[255])) return { mask: image, encoding: 'binary', becameEmpty: false };
  if (others === 1 && seen[1]) {
    return { mask: { width: image.width, height: image.height, data: image.data.map((value) => (value === 1 ? 255 : 0)) }, encoding: 'zero-one', becameEmpty: false };
  }
  let foreground = 0;
  const data = image.data.map((value) => (value >= MASK_THRESHOLD ? (foreground++, 255) : 0));
  return { mask: { width: image.width, height: image.height, data }, encoding: 'binarised', becameEmpty: foreground === 0 };
}

/** What {@link interpretMask} did over one folder, as warnings naming the files. */
export class MaskTally {
  private readonly zeroOne: string[] = [];
  private readonly binarised: string[] = [];
  private readonly emptied: string[] = [];
  private total = 0;

  constructor(private readonly folder: string) {}

  add(name: string, read: ReadMask): void {
    this.total++;
    if (read.encoding === 'zero-one') this.zeroOne.push(name);
    if (read.encoding === 'binarised') this.binarised.push(name);
    if (read.becameEmpty) this.emptied.push(name);
  }

  warnings(): string[] {
    const warnings: string[] = [];
    if (this.zeroOne.length > 0) {
      warnings.push(`${this.folder}: ${this.zeroOne.length} of ${this.total} mask(s) hold only 0 and 1 and were read as 0/1 masks (1 = lesion): ${listSome(this.zeroOne)}`);
    }
    if (this.binarised.length > 0) {
      warnings.push(
        `${this.folder}: ${this.binarised.length} of ${this.total} mask(s) had values other than 0 and 255 and were binarised at ${MASK_THRESHOLD}` +
          `${this.emptied.length > 0 ? `; ${this.emptied.length} of them became empty (${listSome(this.emptied)})` : ''}: ${listSome(this.binarised)}`,
      );
    }
    return warnings;
  }
}

function listSome(names: readonly string[]): string {
  return names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, … (${names.length} in all)`;
}
