import { Command, type Option } from 'commander';
import { createGpu, MAX_WINDOW, type AdapterKind, type Gpu } from '@ulseg/kernels';
import { encodeGrayPng, MaskTally } from '@ulseg/data';
import { postprocessMask, removeSmallRegions } from '@ulseg/postprocess';
import { siblingFolder, withStagedFolders, writeAtomic } from '../files.js';
import { progressBar } from '../progress.js';
import { checkPngHeaders, integerOption, plainErrors, pngFolder, readMask, sameFolder, seconds, warn } from './mask-folders.js';

export interface PostprocessCommandOptions {
  imagePath?: string;
  image_path?: string;
  out?: string;
  threshold?: number;
  threshood?: number;
  kernel: number;
  fillHoles: boolean;
  adapter?: AdapterKind;
}

/** The default output folder: beside the input, `<input>-postprocessed` (the input is never overwritten by default). */
export function defaultPostprocessFolder(input: string): string {
  return siblingFolder(input, 'postprocessed');
}

/** ulseg postprocess: RSIP (+ optional hole filling), then EMF, on every mask of a folder. */
export async function runPostprocess(options: PostprocessCommandOptions): Promise<void> {
  return plainErrors(async () => {
    const input = options.imagePath ?? options.image_path;
    if (input === undefined) throw new Error("missing --image-path DIR: the folder of predicted masks (the original's --image_path)");
    const threshold = options.threshold ?? options.threshood ?? 50;
    const kernel = options.kernel;
    if (kernel % 2 !== 1) throw new Error(`--kernel must be odd (a centred k x k window), got ${kernel}; the original's README used 20: use 19 or 21`);
    const out = options.out ?? defaultPostprocessFolder(input);
    const names = await pngFolder(input, 'masks to post-process', warn);
    const gpu: Gpu | undefined = kernel > 1 ? await createGpu(options.adapter ? { adapter: options.adapter } : {}) : undefined;
    const start = performance.now();
    let removed = 0;
    let filled = 0;
    let changed = 0;
    const tally = new MaskTally(input);
    try {
      // The median filter holds one float per pixel in a storage buffer.
      const binding = gpu?.info.limits.maxStorageBufferBindingSize;
      await checkPngHeaders(input, names, 'mask', binding === undefined ? Infinity : Math.floor(binding / 4), `the ${kernel}x${kernel} median filter on this GPU (maxStorageBufferBindingSize ${binding! / 2 ** 20} MiB; --kernel 1 skips it)`);
      await withStagedFolders([{ path: out, flag: '--out' }], async ([staged]) => {
        const bar = progressBar('postprocess', names.length);
        try {
          for (const [index, name] of names.entries()) {
            const { width, height, data } = await readMask(input, name, 'mask', tally);
            const result = gpu
              ? await postprocessMask(gpu, data, width, height, { threshold, fillHoles: options.fillHoles, kernel })
              : removeSmallRegions(data, width, height, { threshold, fillHoles: options.fillHoles });
            removed += result.removedRegions;
            filled += result.filledHoles;
            for (let pixel = 0; pixel < data.length; pixel++) if (data[pixel] !== result.mask[pixel]) changed++;
            await writeAtomic(`${staged}/${name}`, encodeGrayPng({ width, height, data: result.mask }));
            bar.update(index + 1, name);
          }
        } finally {
          bar.stop();
        }
      });
    } finally {
      await gpu?.close();
    }
    for (const message of tally.warnings()) warn(message);
    const steps = [
      threshold > 0 ? `removed ${removed} region(s) of <= ${threshold} px` : 'no region removal',
      options.fillHoles ? `filled ${filled} hole(s) of <= ${threshold} px` : undefined,
      kernel > 1 ? `${kernel}x${kernel} edge median` : 'no median filter',
    ].filter((step) => step !== undefined);
    process.stdout.write(`wrote ${names.length} masks to ${out}${sameFolder(out, input) ? ' (in place)' : ''} in ${seconds(start)}: ${steps.join(', ')}; ${changed} pixel(s) changed\n`);
  });
}

export function postprocessCommand(adapterOption: () => Option): Command {
  return new Command('postprocess')
    .summary('remove small regions (RSIP) and median-filter the edges (EMF) of predicted masks')
    .description(
      'post-process predicted masks as the original README intends: RSIP removes every 8-connected ' +
        'foreground region of <= --threshold px (optionally fills background holes of <= --threshold px), then EMF ' +
        'replaces each pixel of the edge band (where the k x k dilation and erosion differ) by its k x k median. ' +
        'The input folder is left untouched unless --out names it explicitly.',
    )
    .option('--image-path <dir>', 'folder of predicted masks (8-bit PNG: 0/255, or 0/1; other values are binarised at 128)')
    .option('--image_path <dir>', "the original's spelling of --image-path")
    .option('--out <dir>', 'folder for the results (default: <image-path>-postprocessed beside it; the same folder as --image-path rewrites the masks in place; written when every mask is done, so a failed run changes nothing)')
    .option('--threshold <pixels>', 'RSIP: largest region removed, in pixels (default 50); 0 removes nothing', integerOption(0))
    .option('--threshood <pixels>', "the original's spelling of --threshold", integerOption(0))
    .option('--kernel <size>', `EMF window k (odd, 1 to ${MAX_WINDOW}); 1 skips the filter`, integerOption(1, MAX_WINDOW), 19)
    .option('--fill-holes', 'RSIP: also fill 8-connected background regions of <= --threshold px (including ones touching the border, as skimage)', false)
    .addOption(adapterOption())
    .action(async (options: PostprocessCommandOptions) => runPostprocess(options));
}
