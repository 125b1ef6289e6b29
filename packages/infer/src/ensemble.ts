/**
 * Ensemble inference (ORIGINAL.md §6, the original's rule on a true ensemble): for each image and each of K models,
 *   p_k = resize_{H×W}( σ( (1/V) Σ_v T_v(f_k(T_v(x))) ) )     (bilinear, align_corners = False)
 *   p   = (1/K) Σ_k p_k,   mask = 255 where p ≥ threshold, else 0
 * with x the preprocessed image [1, 1, R, R] and T_v the test-time views. Views and images share one forward batch
 * ([V·B, 1, R, R], view-major). The sum over models runs in model order in float32 on the CPU, so loading the models
 * one at a time (models outer, images inner: one model's weights on the GPU at once) and all at once (images outer)
 * give bit-identical results.
 */
import { noGrad, scope, Tensor } from '@ulseg/autograd';
import { resizeBilinear, type Gpu, type GpuTensor } from '@ulseg/kernels';
import type { DecodedImage } from '@ulseg/data';
import type { EnsembleMember, LoadedMember, SegmentationNetwork } from './members.js';
import { checkResolution, INPUT_RESIZES, preprocessImage, type InputResize } from './preprocess.js';
import { augmentViews, batchItems, bindableItems, mergeViews, resolveViews, TTA_PRESETS, type TtaView } from './views.js';

export const LOAD_MODES = ['one-at-a-time', 'all'] as const;
export type LoadMode = (typeof LOAD_MODES)[number];

export interface InferOptions {
  /** Model input size R (a multiple of 32); default 256, as the original. */
  resolution?: number;
  /** Test-time views; default the original's four ({@link TTA_PRESETS}.flips). */
  views?: readonly TtaView[];
  /** Foreground where the mean probability is ≥ this; default 0.5. */
  threshold?: number;
  /** Images per forward pass (the batch is V × this); default 1. */
  batchSize?: number;
  /** `one-at-a-time` (default): one model on the GPU at once; `all`: every model loaded first. */
  loadModels?: LoadMode;
  /** Resampling of the input to R × R; default `pillow` (see preprocess.ts). */
  inputResize?: InputResize;
  /** Called once the inputs are checked, before the first model loads: how many forward passes there will be. */
  onStart?: (plan: { passes: number; images: number; models: number }) => void;
  /** Called after each forward pass. */
  onProgress?: (progress: InferProgress) => void;
  /** Called once per model as it is loaded. */
  onModelLoaded?: (model: { index: number; name: string; description: string }) => void;
}

export interface InferProgress {
  /** Forward passes done and to do: one per model and batch of images. */
  readonly done: number;
  readonly total: number;
  readonly model: number;
  readonly models: number;
  /** Images whose prediction is complete. */
  readonly imagesDone: number;
  readonly images: number;
}

export interface InferenceImage {
  /** The file name, e.g. `12.png`: the prediction keeps it. */
  readonly id: string;
  load(): Promise<DecodedImage>;
}

export interface Prediction {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** {0, 255}, row-major H × W. */
  readonly mask: Uint8Array;
  /** The mean probability over models, row-major H × W. */
  readonly probability: Float32Array;
}

interface Resolved {
  resolution: number;
  views: TtaView[];
  threshold: number;
  batchSize: number;
  loadModels: LoadMode;
  inputResize: InputResize;
}

function resolveOptions(options: InferOptions): Resolved {
  const resolution = options.resolution ?? 256;
  checkResolution(resolution);
  const views = resolveViews(options.views ?? TTA_PRESETS.flips);
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`threshold must be a probability in [0, 1], got ${threshold}`);
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  const loadModels = options.loadModels ?? 'one-at-a-time';
  if (!LOAD_MODES.includes(loadModels)) throw new Error(`load mode must be one of ${LOAD_MODES.join(', ')}, got '${loadModels}'`);
  const inputResize = options.inputResize ?? 'pillow';
  if (!INPUT_RESIZES.includes(inputResize)) throw new Error(`input resize must be one of ${INPUT_RESIZES.join(', ')}, got '${inputResize}'`);
  return { resolution, views, threshold, batchSize, loadModels, inputResize };
}

/**
 * One model on a batch of images: p_k at each image's own size (read back). Everything the pass allocates on the GPU
 * is released before it returns.
 */
export async function predictBatch(
  gpu: Gpu,
  network: SegmentationNetwork,
  images: readonly DecodedImage[],
  options: Pick<Resolved, 'resolution' | 'views' | 'inputResize'>,
): Promise<Float32Array[]> {
  const { resolution: r, views, inputResize } = options;
  // Kernel-level buffers of the pass; tensors of the network are the scope's. All go back to the pool on any exit.
  const temporaries: GpuTensor[] = [];
  const keep = (tensor: GpuTensor): GpuTensor => (temporaries.push(tensor), tensor);
  const resized: GpuTensor[] = [];
  try {
    noGrad(() =>
      scope(() => {
        const batch = keep(gpu.empty([images.length, 1, r, r], 'infer.batch'));
        images.forEach((image, index) => {
          const x = keep(preprocessImage(gpu, image, r, inputResize));
          gpu.copy(x, batchItems(batch, index, 1));
        });
        const logits = network.forward(Tensor.adopt(gpu, augmentViews(gpu, batch, views)));
        const expected = [views.length * images.length, 1, r, r];
        if (logits.shape.length !== 4 || logits.shape.some((size, axis) => size !== expected[axis])) {
          throw new Error(`the network returned logits of shape [${logits.shape.join(', ')}] for an input of [${expected.join(', ')}]`);
        }
        const probability = keep(mergeViews(gpu, logits.data, views));
        images.forEach((image, index) => {
          const { tensor, owned } = bindableItems(gpu, probability, index, 1);
          if (owned) keep(tensor);
          resized.push(resizeBilinear(gpu, tensor, [image.height, image.width]));
        });
      }),
    );
  } catch (error) {
    for (const tensor of resized) gpu.release(tensor);
    throw error;
  } finally {
    for (const tensor of temporaries) gpu.release(tensor);
  }
  const maps: Float32Array[] = [];
  try {
    for (const tensor of resized) maps.push(await gpu.read(tensor));
  } finally {
    for (const tensor of resized) gpu.release(tensor);
  }
  return maps;
}

/** The running sum Σ_k p_k of one image (float32, model order). */
interface Accumulator {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly sum: Float32Array;
}

function accumulate(accumulators: Map<string, Accumulator>, id: string, image: DecodedImage, probability: Float32Array): void {
  const existing = accumulators.get(id);
  if (!existing) {
    accumulators.set(id, { id, width: image.width, height: image.height, sum: Float32Array.from(probability) });
    return;
  }
  if (existing.width !== image.width || existing.height !== image.height) {
    throw new Error(`${id}: the image changed size between models (${existing.width}x${existing.height}, then ${image.width}x${image.height})`);
  }
  for (let index = 0; index < probability.length; index++) existing.sum[index]! += probability[index]!;
}

function finish(accumulator: Accumulator, models: number, threshold: number): Prediction {
  const probability = new Float32Array(accumulator.sum.length);
  const mask = new Uint8Array(accumulator.sum.length);
  for (let index = 0; index < probability.length; index++) {
    probability[index] = accumulator.sum[index]! / models;
    mask[index] = probability[index]! >= threshold ? 255 : 0;
  }
  return { id: accumulator.id, width: accumulator.width, height: accumulator.height, mask, probability };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

async function loadAll(batch: readonly InferenceImage[]): Promise<DecodedImage[]> {
  const decoded: DecodedImage[] = [];
  for (const item of batch) decoded.push(await item.load());
  return decoded;
}

/**
 * Predicts every image with the ensemble, yielding each image's prediction as soon as it is complete (with
 * `one-at-a-time`, during the last model's pass). Models are disposed when the generator finishes or is abandoned.
 */
export async function* predictEnsemble(
  gpu: Gpu,
  members: readonly EnsembleMember[],
  images: readonly InferenceImage[],
  options: InferOptions = {},
): AsyncGenerator<Prediction, void, undefined> {
  const resolved = resolveOptions(options);
  if (members.length === 0) throw new Error('an ensemble needs at least one model');
  if (images.length === 0) throw new Error('no images to predict');
  const ids = new Set(images.map((image) => image.id));
  if (ids.size !== images.length) throw new Error('two images have the same name; predictions are named after their images');
  const batches = chunks(images, resolved.batchSize);
  const total = members.length * batches.length;
  options.onStart?.({ passes: total, images: images.length, models: members.length });
  let done = 0;
  let imagesDone = 0;
  const report = (model: number): void => {
    done++;
    options.onProgress?.({ done, total, model, models: members.length, imagesDone, images: images.length });
  };
  const load = async (index: number): Promise<LoadedMember> => {
    const member = members[index]!;
    const loaded = await member.load(gpu);
    options.onModelLoaded?.({ index, name: member.name, description: loaded.description });
    return loaded;
  };
  const accumulators = new Map<string, Accumulator>();

  if (resolved.loadModels === 'one-at-a-time') {
    for (let model = 0; model < members.length; model++) {
      const loaded = await load(model);
      try {
        for (const batch of batches) {
          const decoded = await loadAll(batch);
          const maps = await predictBatch(gpu, loaded.network, decoded, resolved);
          batch.forEach((item, index) => accumulate(accumulators, item.id, decoded[index]!, maps[index]!));
          if (model === members.length - 1) imagesDone += batch.length;
          report(model);
          if (model === members.length - 1) {
            for (const item of batch) {
              const prediction = finish(accumulators.get(item.id)!, members.length, resolved.threshold);
              accumulators.delete(item.id);
              yield prediction;
            }
          }
        }
      } finally {
        loaded.dispose();
      }
    }
    return;
  }

  const loaded: LoadedMember[] = [];
  try {
    for (let model = 0; model < members.length; model++) loaded.push(await load(model));
    for (const batch of batches) {
      const decoded = await loadAll(batch);
      for (let model = 0; model < loaded.length; model++) {
        const maps = await predictBatch(gpu, loaded[model]!.network, decoded, resolved);
        batch.forEach((item, index) => accumulate(accumulators, item.id, decoded[index]!, maps[index]!));
        if (model === loaded.length - 1) imagesDone += batch.length;
        report(model);
      }
      for (const item of batch) {
        const prediction = finish(accumulators.get(item.id)!, members.length, resolved.threshold);
        accumulators.delete(item.id);
        yield prediction;
      }
    }
  } finally {
    for (const member of loaded) member.dispose();
  }
}
