/**
 * The page of `--runtime chromium`: runs `ulseg train`, `ulseg infer` or `ulseg info` with the same @ulseg/train and
 * @ulseg/infer code as Node, on `navigator.gpu`, with files through the CLI's file service (HttpFiles). Progress,
 * messages and the result go back through `__ulsegEmit` (protocol.ts). Bundled for the browser by build.mjs.
 */
import { encodeRgbPng, joinPath } from '@ulseg/data';
import { inferFolder, readNamed } from '@ulseg/infer';
import { createGpu, describeGpu, type Gpu } from '@ulseg/kernels';
import { readWeights } from '@ulseg/model';
import { augmentPreview, splitFold, trainFolds } from '@ulseg/train';
import { loadSamples } from '../commands/train-core.js';
import { HttpFiles } from './http-files.js';
import type { InferJob, NodeApi, PageApi, PageEvent, PageGpuRequest, PageJob, PageResult, TrainJob } from './protocol.js';

declare global {
  interface Window extends PageApi, NodeApi {}
}

let controller = new AbortController();

const emit = (event: PageEvent): Promise<void> => window.__ulsegEmit(event);

async function openGpu(request: PageGpuRequest): Promise<Gpu> {
  const gpu = await createGpu({ adapter: request.kind, featureLevel: request.featureLevel });
  const adapter = await navigator.gpu.requestAdapter({ featureLevel: request.featureLevel } as GPURequestAdapterOptions);
  await emit({ type: 'gpu', info: gpu.info, description: describeGpu(gpu), adapterFeatures: adapter ? [...adapter.features].sort() : [] });
  return gpu;
}

async function train(job: TrainJob, gpu: Gpu): Promise<PageResult> {
  const files = new HttpFiles(job.files);
  const print = (stream: 'stdout' | 'stderr', text: string): void => void emit({ type: 'print', stream, text });
  const { samples } = await loadSamples({ ...job, folds: job.config.folds }, files, print);
  if (job.augmentPreview !== undefined) {
    const fold = job.kThFold ?? 1;
    const { train } = splitFold(samples, fold);
    const { config } = job;
    const preview = await augmentPreview(gpu, train, { count: job.augmentPreview, resolution: config.imageResolution, seed: config.seed, fold, augment: config.augment });
    const path = joinPath(job.weightsPath, 'augment-preview.png');
    await files.write(path, encodeRgbPng(preview));
    return { command: 'augment-preview', path, width: preview.width, height: preview.height, fold };
  }
  const initWeights = job.initWeights ? { weights: (await readWeights(await readNamed(files, job.initWeights, '--init-weights'), job.initWeights, { keepOptimizerState: true })).weights, source: job.initWeights } : undefined;
  const folds = await trainFolds({
    gpu,
    config: job.config,
    samples,
    ...(job.kThFold !== undefined ? { folds: [job.kThFold] } : {}),
    files,
    weightsPath: job.weightsPath,
    renderCurves: (rows, fold) => window.__ulsegCurves(rows, fold),
    resume: job.resume,
    ...(initWeights ? { initWeights } : {}),
    onEvent: (event) => void emit({ type: 'train', event }),
    signal: controller.signal,
  });
  return { command: 'train', folds };
}

async function infer(job: InferJob, gpu: Gpu): Promise<PageResult> {
  const summary = await inferFolder(gpu, new HttpFiles(job.files), {
    weights: job.weights,
    input: job.input,
    output: job.output,
    ...(job.probabilities !== undefined ? { probabilities: job.probabilities } : {}),
    resolution: job.resolution,
    views: job.views,
    threshold: job.threshold,
    batchSize: job.batchSize,
    loadModels: job.loadModels,
    inputResize: job.inputResize,
    ...(job.shard ? { shard: job.shard } : {}),
    onWarning: (text) => void emit({ type: 'print', stream: 'stderr', text: `warning: ${text}\n` }),
    onStart: ({ passes }) => void emit({ type: 'infer-start', passes }),
    onModelLoaded: ({ index, description }) => void emit({ type: 'infer-model', index, description }),
    onProgress: ({ done, imagesDone, images }) => void emit({ type: 'infer-progress', done, imagesDone, images }),
  });
  return { command: 'infer', summary };
}

async function run(job: PageJob): Promise<void> {
  controller = new AbortController();
  let gpu: Gpu | undefined;
  try {
    gpu = await openGpu(job.gpu);
    const result: PageResult =
      job.command === 'train' ? await train(job, gpu) : job.command === 'infer' ? await infer(job, gpu) : { command: 'info', description: describeGpu(gpu) };
    await emit({ type: 'done', result });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    await emit({ type: 'error', name: failure.name, message: failure.message, ...(failure.stack ? { stack: failure.stack } : {}) });
  } finally {
    await gpu?.close();
  }
}

window.__ulsegRun = run;
window.__ulsegAbort = () => controller.abort();
