/**
 * `--runtime chromium` of ulseg train, infer and info: the Node side. It names what the page may read and write
 * (the file service's policy), turns the page's events into the same progress bar and lines as the Node runtime,
 * forwards Ctrl-C to the page (stop after the current step and save), and turns a page crash or a lost device into one
 * error that says where training was and what is on disk.
 */
import { joinPath } from '@ulseg/data';
import type { InferFolderSummary } from '@ulseg/infer';
import type { AdapterKind } from '@ulseg/kernels';
import { CHECKPOINT_FILES, describeResolution, foldDirectory, type FoldResult } from '@ulseg/train';
import { renderCurvesSvg } from '../plot.js';
import { TrainProgress } from '../progress.js';
import type { InferJob, TrainFields } from './protocol.js';
import { ChromiumCrashError, PageError, runInChromium, type SessionControl } from './session.js';

export const RUNTIMES = ['node', 'chromium'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** A page crash, a lost device or a tab out of memory: the run cannot go on in this page. */
function isFatal(error: unknown): error is Error {
  return error instanceof ChromiumCrashError || (error instanceof PageError && /DeviceLost|OutOfMemory/i.test(error.pageName));
}

/** Ctrl-C once: the page stops after the current step and saves; twice: Chromium is killed and ulseg exits. */
function interruptHandler(message: string): { install(control: SessionControl): void; remove(): void } {
  let handler: (() => void) | undefined;
  return {
    install(control) {
      let pressed = false;
      handler = () => {
        if (pressed) {
          control.kill();
          process.exit(130);
        }
        pressed = true;
        process.stderr.write(message);
        void control.abort();
      };
      process.on('SIGINT', handler);
    },
    remove: () => {
      if (handler) process.off('SIGINT', handler);
    },
  };
}

export interface ChromiumTrainOptions extends TrainFields {
  readonly adapter?: AdapterKind;
}

export type ChromiumTrainOutcome =
  | { readonly kind: 'trained'; readonly folds: readonly FoldResult[] }
  | { readonly kind: 'preview'; readonly path: string; readonly width: number; readonly height: number; readonly fold: number }
  | { readonly kind: 'stopped'; readonly message: string };

/** `ULSEG_TEST_CRASH_AT=<epoch>:<step>` crashes the page when that training step is reported (tests of crash handling). */
function crashPoint(): { epoch: number; step: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(process.env.ULSEG_TEST_CRASH_AT ?? '');
  return match ? { epoch: Number(match[1]), step: Number(match[2]) } : undefined;
}

export async function trainInChromium(options: ChromiumTrainOptions): Promise<ChromiumTrainOutcome> {
  const { config } = options;
  const progress = new TrainProgress((fold) => joinPath(foldDirectory(options.weightsPath, fold), CHECKPOINT_FILES.best));
  const where = { fold: options.kThFold ?? 1, epoch: 0, step: 0, steps: 0, epochsDone: 0, phase: 'starting' };
  const crashAt = crashPoint();
  const interrupt = interruptHandler('\nulseg: stopping after the current step (Ctrl-C again to quit now); --resume continues from the last completed epoch\n');
  try {
    const run = await runInChromium({
      ...(options.adapter ? { adapter: options.adapter } : {}),
      policy: {
        read: [options.foldFileList, options.trainDatasetPath, options.trainGtDatasetPath, ...(options.initWeights ? [options.initWeights] : [])],
        write: [options.weightsPath],
      },
      job: {
        command: 'train',
        config,
        foldFileList: options.foldFileList,
        trainDatasetPath: options.trainDatasetPath,
        trainGtDatasetPath: options.trainGtDatasetPath,
        weightsPath: options.weightsPath,
        resume: options.resume,
        ...(options.kThFold !== undefined ? { kThFold: options.kThFold } : {}),
        ...(options.initWeights ? { initWeights: options.initWeights } : {}),
        ...(options.augmentPreview !== undefined ? { augmentPreview: options.augmentPreview } : {}),
      },
      curves: (rows, fold) => renderCurvesSvg(rows, { title: `fold ${fold}: ${config.encoder}, ${describeResolution(config)}, lr ${config.learningRate}` }),
      onStarted: (control) => interrupt.install(control),
      onEvent: (event, control) => {
        if (event.type === 'gpu') process.stdout.write(`${event.description.split('\n')[0]} in Chromium\n`);
        else if (event.type === 'print') process[event.stream].write(event.text);
        else if (event.type === 'train') {
          const train = event.event;
          if (train.type === 'fold-start') Object.assign(where, { fold: train.fold, epochsDone: train.startEpoch, epoch: train.startEpoch + 1, step: 0, steps: train.stepsPerEpoch, phase: 'training' });
          else if (train.type === 'step') {
            Object.assign(where, { epoch: train.epoch, step: train.step, phase: 'training' });
            if (crashAt && crashAt.epoch === train.epoch && crashAt.step === train.step) void control.crash();
          } else if (train.type === 'phase') where.phase = train.phase;
          else if (train.type === 'epoch') Object.assign(where, { epochsDone: train.row.epoch, epoch: train.row.epoch + 1, step: 0, phase: 'training' });
          progress.handle(train);
        }
      },
    });
    progress.stop();
    const { result } = run;
    if (result.command === 'augment-preview') return { kind: 'preview', ...result };
    if (result.command !== 'train') throw new Error(`the Chromium page answered a train job with '${result.command}'`);
    return { kind: 'trained', folds: result.folds };
  } catch (error) {
    progress.stop();
    if (error instanceof PageError && error.pageName === 'TrainingStopped') return { kind: 'stopped', message: error.message };
    if (isFatal(error)) {
      const last = joinPath(foldDirectory(options.weightsPath, where.fold), CHECKPOINT_FILES.last);
      const position =
        where.phase === 'starting'
          ? 'before training began'
          : `in fold ${where.fold}, epoch ${where.epoch}/${config.epochs}, ${where.phase === 'training' ? `step ${where.step}/${where.steps}` : where.phase}`;
      const disk =
        where.epochsDone > 0
          ? `${last} (epoch ${where.epochsDone}) is intact: run the same command with --resume to continue from it`
          : `no epoch of fold ${where.fold} had completed, so nothing was saved for it: run the same command again${options.resume ? '' : ' (with --resume if earlier folds finished)'}`;
      throw new Error(`${error.message.split('\n')[0]} ${position}. ${disk}.${error instanceof ChromiumCrashError && error.message.includes('\n') ? `\n${error.message.slice(error.message.indexOf('\n') + 1)}` : ''}`);
    }
    throw error;
  } finally {
    interrupt.remove();
  }
}

export interface ChromiumInferCallbacks {
  readonly onWarning: (message: string) => void;
  readonly onStart: (plan: { passes: number }) => void;
  readonly onModelLoaded: (model: { index: number; description: string }) => void;
  readonly onProgress: (progress: { done: number; imagesDone: number; images: number }) => void;
}

export type ChromiumInferJob = Omit<InferJob, 'gpu' | 'files' | 'command'>;

export async function inferInChromium(
  adapter: AdapterKind | undefined,
  job: ChromiumInferJob,
  callbacks: ChromiumInferCallbacks,
): Promise<InferFolderSummary> {
  let position = 'before the first forward pass';
  try {
    const run = await runInChromium({
      ...(adapter ? { adapter } : {}),
      policy: { read: [...job.weights, job.input], write: [job.output, ...(job.probabilities !== undefined ? [job.probabilities] : [])] },
      job: { command: 'infer', ...job },
      onEvent: (event) => {
        if (event.type === 'gpu') process.stderr.write(`${event.description.split('\n')[0]} in Chromium\n`);
        else if (event.type === 'print') callbacks.onWarning(event.text.replace(/^warning: /, '').trimEnd());
        else if (event.type === 'infer-start') callbacks.onStart({ passes: event.passes });
        else if (event.type === 'infer-model') callbacks.onModelLoaded(event);
        else if (event.type === 'infer-progress') {
          position = `after ${event.imagesDone}/${event.images} images`;
          callbacks.onProgress(event);
        }
      },
    });
    if (run.result.command !== 'infer') throw new Error(`the Chromium page answered an infer job with '${run.result.command}'`);
    return run.result.summary;
  } catch (error) {
    if (isFatal(error)) {
      throw new Error(`${error.message.split('\n')[0]} ${position}. The masks in ${job.output} that were written are whole files; run the same command again.`);
    }
    // A file problem reads `ulseg: <file>: <problem>`, as infer's DataErrors do in Node (plainErrors).
    if (error instanceof PageError && error.pageName === 'DataError') throw new Error(error.message);
    throw error;
  }
}

/** `ulseg info --runtime chromium`: the adapter the page gets, with Chromium's version and flags. */
export async function infoInChromium(adapter: AdapterKind | undefined): Promise<string> {
  const run = await runInChromium({ ...(adapter ? { adapter } : {}), policy: { read: [], write: [] }, job: { command: 'info' } });
  if (run.result.command !== 'info') throw new Error(`the Chromium page answered an info job with '${run.result.command}'`);
  return `runtime: Chromium ${run.browserVersion} (${run.adapter.name}: ${run.adapter.flags().join(' ')})\n${run.result.description}`;
}
