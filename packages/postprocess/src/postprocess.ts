/** The original's post-processing as its README intends: RSIP, then EMF. */
import type { Gpu } from '@ulseg/kernels';
import { edgeMedian } from './emf.js';
import { removeSmallRegions } from './rsip.js';

export interface PostprocessOptions {
  /** RSIP: largest removed region, pixels (default 50). 0 disables the removal. */
  threshold?: number;
  fillHoles?: boolean;
  /** EMF window (odd, default 19); 1 disables the filter. */
  kernel?: number;
}

export interface PostprocessResult {
  mask: Uint8Array;
  removedRegions: number;
  filledHoles: number;
}

export async function postprocessMask(gpu: Gpu, mask: Uint8Array, width: number, height: number, options: PostprocessOptions = {}): Promise<PostprocessResult> {
  const rsip = removeSmallRegions(mask, width, height, { threshold: options.threshold ?? 50, fillHoles: options.fillHoles ?? false });
  const kernel = options.kernel ?? 19;
  const filtered = kernel > 1 ? await edgeMedian(gpu, rsip.mask, width, height, kernel) : rsip.mask;
  return { mask: filtered, removedRegions: rsip.removedRegions, filledHoles: rsip.filledHoles };
}
