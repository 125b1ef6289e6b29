/**
 * RSIP, "remove small isolated regions" (ORIGINAL.md §7, the original README's intent): every 8-connected
 * foreground component with area ≤ threshold is removed; optionally, every 8-connected background component with
 * area ≤ threshold becomes foreground (hole filling, as skimage's remove_small_holes with connectivity 2 — a
 * background region touching the image border counts as a hole too).
 * Masks are row-major H x W bytes, foreground = value ≥ 128; the result is {0, 255}.
 */
import { labelComponents, type Connectivity } from './components.js';

export interface RsipOptions {
  /** Largest area (pixels) removed; default 50. */
  threshold?: number;
  fillHoles?: boolean;
  connectivity?: Connectivity;
}

export interface RsipResult {
  mask: Uint8Array;
  removedRegions: number;
  filledHoles: number;
}

export function removeSmallRegions(mask: Uint8Array, width: number, height: number, options: RsipOptions = {}): RsipResult {
  const threshold = options.threshold ?? 50;
  const connectivity = options.connectivity ?? 8;
  if (mask.length !== width * height) {
    throw new Error(`removeSmallRegions: ${mask.length} pixels for a ${width}x${height} mask`);
  }
  if (!(threshold >= 0)) throw new Error(`removeSmallRegions: threshold must be >= 0, got ${threshold}`);
  const out = new Uint8Array(mask.length);
  const foreground = labelComponents(mask, width, height, connectivity, (value) => value >= 128);
  let removedRegions = 0;
  for (let id = 1; id <= foreground.count; id++) if (foreground.areas[id]! <= threshold) removedRegions++;
  for (let index = 0; index < out.length; index++) {
    const id = foreground.labels[index]!;
    out[index] = id !== 0 && foreground.areas[id]! > threshold ? 255 : 0;
  }
  let filledHoles = 0;
  if (options.fillHoles) {
    const background = labelComponents(out, width, height, connectivity, (value) => value < 128);
    for (let id = 1; id <= background.count; id++) if (background.areas[id]! <= threshold) filledHoles++;
    for (let index = 0; index < out.length; index++) {
      const id = background.labels[index]!;
      if (id !== 0 && background.areas[id]! <= threshold) out[index] = 255;
    }
  }
  return { mask: out, removedRegions, filledHoles };
}
