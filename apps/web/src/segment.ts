/**
 * One scan through the original's test pipeline on the GPU: the ensemble of K checkpoints × the test-time views
 * (@ulseg/infer: p = (1/K) Σ_k resize(σ((1/V) Σ_v T_v f_k(T_v x))), mask = 255 where p ≥ threshold), then RSIP and the
 * edge-band median filter (@ulseg/postprocess). Timings of each phase are measured with performance.now() around
 * awaited GPU reads, so they include the device work.
 */
import type { DecodedImage } from '@ulseg/data';
import { predictEnsemble, weightsMember, type EnsembleMember } from '@ulseg/infer';
import type { Gpu } from '@ulseg/kernels';
import { describeNetwork, modelSpecFromWeights, readWeights } from '@ulseg/model';
import { postprocessMask } from '@ulseg/postprocess';
import type { SegmentSettings } from './params.js';

/** A checkpoint the page can read again when the ensemble loads it (a URL, a dropped File, or bytes in memory). */
export interface WeightsSource {
  readonly name: string;
  readonly bytes: number;
  /** The network the weights hold, e.g. "Linknet on efficientnet-b0", "Unet (scSE) on resnet34". */
  readonly encoder: string;
  read(): Promise<Uint8Array>;
}

/**
 * Checks that `bytes` hold a state_dict of a network ulseg builds (safetensors or .pth; the network, backbone and
 * decoder attention are read from its keys, as `ulseg infer` does); returns how it names the model.
 */
export async function checkWeights(bytes: Uint8Array, name: string): Promise<string> {
  const { weights } = await readWeights(bytes, name);
  const { network, backbone, decoderAttention } = modelSpecFromWeights(weights, name);
  return describeNetwork(network, backbone, decoderAttention);
}

/** Fetches `url` as bytes; a missing file or a server error names the URL and the status. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${url}: could not be fetched (${(error as Error).message})`);
  }
  if (!response.ok) throw new Error(`${url}: the server answered ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A source from a URL: fetched and checked now, fetched again when the ensemble loads it (one model in memory at once). */
export async function urlSource(url: string): Promise<WeightsSource> {
  const bytes = await fetchBytes(url);
  return { name: url, bytes: bytes.length, encoder: await checkWeights(bytes, url), read: () => fetchBytes(url) };
}

/** A source from bytes the page holds (a dropped file, a checkpoint trained on the page). */
export async function bytesSource(name: string, bytes: Uint8Array): Promise<WeightsSource> {
  return { name, bytes: bytes.length, encoder: await checkWeights(bytes, name), read: async () => bytes };
}

async function exists(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD' });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The bundled demo weights next to the page: the URLs listed by `weights/index.json` (a JSON array of paths relative
 * to it), else `weights/fold1/best.safetensors` … `fold5` as `ulseg demo` lays them out (those that exist).
 */
export async function bundledWeights(base: string): Promise<string[]> {
  const index = new URL('weights/index.json', base).href;
  if (await exists(index)) {
    const text = new TextDecoder().decode(await fetchBytes(index));
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (error) {
      throw new Error(`${index}: not JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(list) || list.length === 0 || !list.every((entry) => typeof entry === 'string')) {
      throw new Error(`${index}: must be a non-empty JSON array of checkpoint paths, e.g. ["fold1/best.safetensors"]`);
    }
    return list.map((entry) => new URL(entry as string, index).href);
  }
  const found: string[] = [];
  for (let fold = 1; fold <= 5; fold++) {
    const url = new URL(`weights/fold${fold}/best.safetensors`, base).href;
    if (await exists(url)) found.push(url);
  }
  return found;
}

export interface SegmentTimings {
  /** Milliseconds: reading + checking nothing here (weights are read at load), the ensemble with TTA, post-processing, all. */
  readonly ensemble: number;
  readonly postprocess: number;
  readonly total: number;
  /** Per model: load (read + upload) and forward passes. */
  readonly models: readonly { readonly name: string; readonly encoder: string; readonly loadMs: number; readonly passMs: number }[];
}

export interface SegmentResult {
  readonly width: number;
  readonly height: number;
  /** The ensemble's mean probability, row-major H × W. */
  readonly probability: Float32Array;
  /** Thresholded ({0, 255}) before and after RSIP + EMF. */
  readonly rawMask: Uint8Array;
  readonly mask: Uint8Array;
  readonly removedRegions: number;
  readonly filledHoles: number;
  readonly timings: SegmentTimings;
}

/** Runs the ensemble with TTA and the post-processing on `image`; `onStatus` gets one line per step. */
export async function segmentScan(
  gpu: Gpu,
  sources: readonly WeightsSource[],
  image: DecodedImage,
  settings: SegmentSettings,
  onStatus: (line: string) => void = () => {},
): Promise<SegmentResult> {
  if (sources.length === 0) throw new Error('no weights loaded: choose .safetensors or .pth checkpoints first');
  const start = performance.now();
  const members: EnsembleMember[] = sources.map((source) => weightsMember(source.name, () => source.read()));
  const models: { name: string; encoder: string; loadMs: number; passMs: number }[] = [];
  let mark = start;
  let prediction;
  for await (const item of predictEnsemble(gpu, members, [{ id: 'scan', load: async () => image }], {
    resolution: settings.resolution,
    views: settings.tta,
    threshold: settings.threshold,
    onModelLoaded: ({ index, name, description }) => {
      const now = performance.now();
      models[index] = { name, encoder: description, loadMs: now - mark, passMs: 0 };
      mark = now;
      onStatus(`model ${index + 1}/${sources.length} loaded (${description}): running ${settings.tta.length} view${settings.tta.length === 1 ? '' : 's'} at ${settings.resolution}²`);
    },
    onProgress: ({ model }) => {
      const now = performance.now();
      models[model]!.passMs += now - mark;
      mark = now;
    },
  })) {
    prediction = item;
  }
  if (!prediction) throw new Error('the ensemble returned no prediction');
  const ensembleEnd = performance.now();
  onStatus('post-processing (RSIP, edge median filter)');
  const post = await postprocessMask(gpu, prediction.mask, prediction.width, prediction.height, { threshold: settings.rsip, kernel: settings.kernel, fillHoles: settings.fillHoles });
  const end = performance.now();
  return {
    width: prediction.width,
    height: prediction.height,
    probability: prediction.probability,
    rawMask: prediction.mask,
    mask: post.mask,
    removedRegions: post.removedRegions,
    filledHoles: post.filledHoles,
    timings: { ensemble: ensembleEnd - start, postprocess: end - ensembleEnd, total: end - start, models },
  };
}
