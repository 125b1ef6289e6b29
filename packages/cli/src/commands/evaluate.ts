import { Command, Option } from 'commander';
import { INPUT_RESIZES, resolveViews, type InputResize } from '@ulseg/infer';
import { createGpu, type AdapterKind } from '@ulseg/kernels';
import { MaskTally } from '@ulseg/data';
import { checkWritableFile, refuseOutputOverInput, writeAtomic } from '../files.js';
import { progressBar } from '../progress.js';
import { readModelWeights, recordedResolution, resolutionFromCheckpoints } from '../weights.js';
import { formatAblationCsv, formatAblationText, runAblation, type AblationTable } from './ablation.js';
import { scoreMasks, type MaskScores } from './scores.js';
import { fitMask, integerOption, plainErrors, pngFolder, probabilityOption, readMask, warn } from './mask-folders.js';

export { scoreMasks, type MaskScores } from './scores.js';

export interface EvaluateCommandOptions {
  pred: string;
  truth: string;
  out?: string;
  resizeTruth: boolean;
}

function listSome(names: readonly string[]): string {
  return names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, … (${names.length} in all)`;
}

export interface EvaluationSummary {
  /** (file name, scores), in the folder's natural order. */
  readonly rows: readonly (readonly [string, MaskScores])[];
  readonly meanDice: number;
  readonly meanIou: number;
}

/** ulseg evaluate: per-image Dice and IoU of predicted masks against true ones, their means, optionally a CSV. */
export async function runEvaluate(options: EvaluateCommandOptions): Promise<EvaluationSummary> {
  return plainErrors(async () => {
    const out = { flag: '--out', path: options.out };
    refuseOutputOverInput(out, [], [{ flag: '--pred', path: options.pred }, { flag: '--truth', path: options.truth }]);
    if (options.out !== undefined) await checkWritableFile(options.out, '--out');
    const predictions = await pngFolder(options.pred, 'predicted masks', warn);
    const truths = await pngFolder(options.truth, 'true masks', warn);
    const truthSet = new Set(truths);
    const predictionSet = new Set(predictions);
    const missing = predictions.filter((name) => !truthSet.has(name));
    const extra = truths.filter((name) => !predictionSet.has(name));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        missing.length > 0 ? `no true mask in ${options.truth} for ${missing.length} prediction(s): ${listSome(missing)}` : undefined,
        extra.length > 0 ? `no prediction in ${options.pred} for ${extra.length} true mask(s): ${listSome(extra)}` : undefined,
      ];
      throw new Error(`the folders do not pair up: ${parts.filter((part) => part !== undefined).join('; ')}`);
    }
    const rows: [string, MaskScores][] = [];
    const predictionTally = new MaskTally(options.pred);
    const truthTally = new MaskTally(options.truth);
    for (const name of predictions) {
      const predictionPath = `${options.pred}/${name}`;
      const truthPath = `${options.truth}/${name}`;
      const prediction = await readMask(options.pred, name, 'predicted mask', predictionTally);
      const truth = fitMask(
        await readMask(options.truth, name, 'true mask', truthTally),
        prediction.width,
        prediction.height,
        { mask: truthPath, reference: predictionPath },
        options.resizeTruth,
        '; pass --resize-truth to resize the true masks to their predictions (nearest), as training does',
      );
      rows.push([name, scoreMasks(prediction, truth)]);
    }
    for (const message of [...predictionTally.warnings(), ...truthTally.warnings()]) warn(message);
    const meanDice = rows.reduce((sum, [, scores]) => sum + scores.dice, 0) / rows.length;
    const meanIou = rows.reduce((sum, [, scores]) => sum + scores.iou, 0) / rows.length;
    if (options.out !== undefined) {
      const lines = ['id,dice,iou,predicted_pixels,truth_pixels,intersection_pixels'];
      for (const [name, s] of rows) lines.push(`${name},${s.dice},${s.iou},${s.predicted},${s.truth},${s.intersection}`);
      lines.push(`mean,${meanDice},${meanIou},,,`);
      await writeAtomic(options.out, `${lines.join('\n')}\n`);
    }
    const worst = [...rows].sort((a, b) => a[1].dice - b[1].dice).slice(0, 3);
    process.stdout.write(
      `${rows.length} images: mean Dice ${meanDice.toFixed(4)}, mean IoU ${meanIou.toFixed(4)}` +
        `; lowest Dice ${worst.map(([name, s]) => `${name} ${s.dice.toFixed(4)}`).join(', ')}` +
        `${options.out !== undefined ? `; per-image scores in ${options.out}` : ''}\n`,
    );
    return { rows, meanDice, meanIou };
  });
}

export interface AblationCommandOptions {
  weights: string[];
  images: string;
  truth: string;
  out?: string;
  /** Model input size; by default the size the checkpoints record (ulseg infer's rule), else 256. */
  imageResolution?: number;
  threshold: number;
  rsipThreshold: number;
  kernel: number;
  inputResize: InputResize;
  tta: string;
  adapter?: AdapterKind;
}

/** ulseg evaluate --ablation: the stage-by-stage table (ablation.ts) for the given checkpoints, printed and optionally as CSV. */
export async function runAblationCommand(options: AblationCommandOptions): Promise<AblationTable> {
  return plainErrors(async () => {
    if (options.kernel % 2 !== 1) throw new Error(`--kernel must be odd (a centred k x k window), got ${options.kernel}`);
    const views = resolveViews(options.tta);
    const trainedAt = new Map<string, number>();
    if (options.imageResolution === undefined) {
      for (const path of options.weights) {
        const recorded = recordedResolution(await readModelWeights(path, '--weights'));
        if (recorded !== null) trainedAt.set(path, recorded);
      }
    }
    const { resolution, recorded } = resolutionFromCheckpoints(trainedAt, options.imageResolution);
    if (recorded) process.stdout.write(`running at ${resolution} px, the resolution the checkpoint(s) record (--image-resolution overrides it)\n`);
    const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
    const bar = progressBar('ablation', options.weights.length);
    try {
      const table = await runAblation(gpu, {
        weights: options.weights,
        images: options.images,
        truth: options.truth,
        resolution,
        threshold: options.threshold,
        rsipThreshold: options.rsipThreshold,
        kernel: options.kernel,
        inputResize: options.inputResize,
        views,
        onProgress: (done) => bar.update(done),
      });
      bar.stop();
      if (options.out !== undefined) await writeAtomic(options.out, formatAblationCsv(table));
      process.stdout.write(
        `${table.scans.length} scans, ${table.models.length} checkpoint(s) (${table.models.join(', ')}):\n${formatAblationText(table)}` +
          (options.out !== undefined ? `per-scan Dice of each stage in ${options.out}\n` : ''),
      );
      return table;
    } finally {
      bar.stop();
      await gpu.close();
    }
  });
}

type EvaluateActionOptions = Partial<AblationCommandOptions> & Partial<EvaluateCommandOptions> & { ablation?: boolean; truth: string; resizeTruth: boolean };

export function evaluateCommand(adapterOption: () => Option): Command {
  return new Command('evaluate')
    .summary('per-image Dice and IoU of predicted masks against true ones; --ablation: what each stage of the pipeline adds')
    .description(
      'score predicted masks against true ones, paired by file name: per-image Dice 2|A∩B|/(|A|+|B|) and IoU ' +
        '|A∩B|/|A∪B| on masks read as 0/255 or 0/1 (other values binarised at 128; both 1 when prediction and truth are empty), and their means over ' +
        'images (the leaderboard figure is the mean Dice). A file without a partner, or a size mismatch, is an error.\n\n' +
        "--ablation --weights W1 [W2 …] --images DIR --truth DIR: the original's results table for any checkpoints, " +
        'mean and lowest Dice and mean IoU of each stage, each built on the one above: Otsu threshold + largest ' +
        'component (no model); the first checkpoint alone (one view); + flip TTA; + the ensemble of all checkpoints; ' +
        '+ RSIP; + EMF. The last two rows equal `ulseg infer` then `ulseg postprocess` then `ulseg evaluate` ' +
        'with the same settings (--tta included).',
    )
    .option('--pred <dir>', 'folder of predicted masks (PNG); not with --ablation')
    .requiredOption('--truth <dir>', 'folder of true masks (PNG) with the same file names')
    .option('--out <file>', 'CSV to write (atomically; not inside --pred or --truth): id,dice,iou,predicted_pixels,truth_pixels,intersection_pixels, then a mean row; with --ablation: stage,mean_dice,min_dice,mean_iou, then the Dice of each scan')
    .option('--resize-truth', 'resize a true mask to its prediction (nearest) when their sizes differ by at most 10% (the real labels are 1-7 px off their images)', false)
    .option('--ablation', 'score each stage of the pipeline on --images with the checkpoints of --weights (see above)')
    .option('--weights <files...>', 'with --ablation: checkpoints (.safetensors or .pth); the first is the "one model" row')
    .option('--images <dir>', 'with --ablation: folder of scans (PNG) named as their true masks')
    .option('--image-resolution <r>', 'with --ablation: model input size (multiple of 32); default: the size the checkpoints record (as ulseg infer), else 256', integerOption(32))
    .option('--threshold <p>', 'with --ablation: probability threshold of the masks', probabilityOption, 0.5)
    .option('--rsip-threshold <px>', 'with --ablation: RSIP removes regions of at most this many pixels (ulseg postprocess --threshold)', integerOption(0), 50)
    .option('--kernel <k>', 'with --ablation: EMF window, odd (ulseg postprocess --kernel)', integerOption(1), 19)
    .option('--tta <views>', "with --ablation: views of the TTA rows, 'flips' (the original's identity, hflip, vflip, rot180) or a list such as identity,hflip for models trained without vertical flips (ulseg infer --tta)", 'flips')
    .addOption(new Option('--input-resize <how>', 'with --ablation: resampling of the scan to the model input (ulseg infer --input-resize)').choices([...INPUT_RESIZES]).default('pillow'))
    .addOption(adapterOption())
    .action(async (options: EvaluateActionOptions) => {
      if (options.ablation) {
        if (options.pred !== undefined) throw new Error('--pred is not used with --ablation: the table predicts the scans of --images itself');
        if (options.weights === undefined || options.weights.length === 0) throw new Error('--ablation needs --weights FILE [FILE …] (the checkpoints to compare)');
        if (options.images === undefined) throw new Error('--ablation needs --images DIR (the scans whose true masks are in --truth)');
        await runAblationCommand(options as AblationCommandOptions);
        return;
      }
      if (options.pred === undefined) throw new Error('missing --pred DIR: the folder of predicted masks (or --ablation with --weights and --images)');
      const ablationOnly = (['weights', 'images'] as const).filter((name) => options[name] !== undefined);
      if (ablationOnly.length > 0) throw new Error(`${ablationOnly.map((name) => `--${name}`).join(' and ')} only work with --ablation`);
      await runEvaluate(options as EvaluateCommandOptions);
    });
}
