/**
 * K-fold training in one run (ORIGINAL.md §5): train.csv's fold column decides, for fold k, validation = the images of
 * fold k and training = the others. Each fold writes into `<weights path>/fold<k>/`; an existing run there is never
 * overwritten: it is resumed (`resume`) or refused.
 */
import { joinPath } from '@ulseg/data';
import type { Gpu } from '@ulseg/kernels';
import type { WeightMap } from '@ulseg/model';
import type { TrainingSample } from './batches.js';
import { decodeCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { TrainingStoppedError, type TrainEventHandler } from './events.js';
import { CHECKPOINT_FILES, trainFold, type CurveRenderer, type FoldResult, type ModelFactory, type TrainFiles } from './fold.js';

export interface FoldedSample extends TrainingSample {
  /** 1..K. */
  readonly fold: number;
}

/**
 * Joins the loaded samples with train.csv's rows by ID. A row without its image is an error (the CSV describes
 * another data set); an image without a row is left out with a warning.
 */
export function matchTrainTable(
  samples: readonly TrainingSample[],
  rows: readonly { readonly id: string; readonly fold: number }[],
  names: { readonly csv: string; readonly images: string },
): { samples: FoldedSample[]; warnings: string[] } {
  const byId = new Map(samples.map((sample) => [sample.id, sample]));
  const missing = rows.filter((row) => !byId.has(row.id)).map((row) => row.id);
  if (missing.length > 0) {
    throw new Error(
      `${names.csv} lists ${rows.length} images; ${missing.length} of them are not in ${names.images} (${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}). ` +
        'Run `ulseg preprocess` on this data set to write its own train.csv.',
    );
  }
  const listed = new Set(rows.map((row) => row.id));
  const extra = samples.filter((sample) => !listed.has(sample.id)).map((sample) => sample.id);
  const warnings = extra.length
    ? [`${names.images}: ${extra.length} images are not in ${names.csv} and are left out (${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ', …' : ''})`]
    : [];
  return { samples: rows.map((row) => ({ ...byId.get(row.id)!, fold: row.fold })), warnings };
}

/** Validation = fold `fold`, training = the rest. */
export function splitFold(samples: readonly FoldedSample[], fold: number): { train: FoldedSample[]; validation: FoldedSample[] } {
  return { train: samples.filter((sample) => sample.fold !== fold), validation: samples.filter((sample) => sample.fold === fold) };
}

export function foldDirectory(weightsPath: string, fold: number): string {
  return joinPath(weightsPath, `fold${fold}`);
}

export interface TrainRunOptions {
  readonly gpu: Gpu;
  readonly config: TrainConfig;
  readonly samples: readonly FoldedSample[];
  /** Which folds to train (1-based); default all 1..K. */
  readonly folds?: readonly number[];
  readonly files: TrainFiles;
  readonly weightsPath: string;
  readonly renderCurves?: CurveRenderer;
  /** Continue each fold from its last.safetensors (folds without one start fresh; finished folds are skipped). */
  readonly resume?: boolean;
  readonly initWeights?: { readonly weights: WeightMap; readonly source: string };
  readonly createModel?: ModelFactory;
  readonly onEvent?: TrainEventHandler;
  readonly signal?: AbortSignal;
}

/** Trains the requested folds one after another; checks every fold's data and folder before the first step. */
export async function trainFolds(options: TrainRunOptions): Promise<FoldResult[]> {
  const { config, files, weightsPath } = options;
  const folds = options.folds ?? Array.from({ length: config.folds }, (_, index) => index + 1);
  for (const fold of folds) {
    if (!Number.isInteger(fold) || fold < 1 || fold > config.folds) throw new Error(`fold ${fold} is outside 1..${config.folds}`);
  }
  const outside = options.samples.filter((sample) => !(Number.isInteger(sample.fold) && sample.fold >= 1 && sample.fold <= config.folds));
  if (outside.length > 0) throw new Error(`${outside[0]!.id} is in fold ${outside[0]!.fold}, outside 1..${config.folds} (the CSV was split into another number of folds)`);
  for (const fold of folds) {
    const { train, validation } = splitFold(options.samples, fold);
    if (validation.length === 0) throw new Error(`fold ${fold} has no images (${options.samples.length} images in ${config.folds} folds): ${config.folds > 2 ? 'use fewer folds, or ' : ''}re-split the CSV so that every fold holds images`);
    if (train.length === 0) throw new Error(`fold ${fold} leaves no images to train on`);
    const directory = foldDirectory(weightsPath, fold);
    if (!options.resume) {
      for (const name of Object.values(CHECKPOINT_FILES)) {
        if (await files.exists(joinPath(directory, name))) {
          throw new Error(`${joinPath(directory, name)} exists: ${directory} holds an earlier run. Resume it (--resume) or choose another weights path; ulseg never deletes a run.`);
        }
      }
    }
  }
  const results: FoldResult[] = [];
  for (const fold of folds) {
    if (options.signal?.aborted) throw new TrainingStoppedError(fold, 0);
    const { train, validation } = splitFold(options.samples, fold);
    const directory = foldDirectory(weightsPath, fold);
    const lastPath = joinPath(directory, CHECKPOINT_FILES.last);
    const resumeFrom = options.resume && (await files.exists(lastPath)) ? decodeCheckpoint(await files.read(lastPath), lastPath) : undefined;
    if (options.resume) {
      options.onEvent?.({
        type: 'message',
        level: 'info',
        fold,
        text: resumeFrom ? `fold ${fold}: resuming ${lastPath} after epoch ${resumeFrom.state.epochsDone}` : `fold ${fold}: no ${lastPath}, starting it`,
      });
    }
    results.push(
      await trainFold({
        gpu: options.gpu,
        config,
        fold,
        train,
        validation,
        output: { files, directory, ...(options.renderCurves ? { renderCurves: options.renderCurves } : {}) },
        ...(resumeFrom ? { resumeFrom } : {}),
        ...(options.initWeights ? { initWeights: options.initWeights } : {}),
        ...(options.createModel ? { createModel: options.createModel } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }
  return results;
}
