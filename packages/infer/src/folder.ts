/**
 * Folder-to-folder inference through {@link DataFiles} (the CLI passes the file system, a page its own files):
 * every `.png` in `input` → an 8-bit {0, 255} PNG of the same name and size in `output`, and optionally the mean
 * probability map as float32 `.npy` [H, W] (`<name>.npy`) in `probabilities`.
 */
import { serializeNpy } from '@ulseg/autograd';
import type { Gpu } from '@ulseg/kernels';
import { type DataFiles, DataError, decodePng, encodeGrayPng, joinPath, listPngFiles, readPngSize } from '@ulseg/data';
import { predictEnsemble, type InferOptions, type InferenceImage } from './ensemble.js';
import { weightsMember } from './members.js';
import { shardNames, type Shard } from './shard.js';
import { isPthFile, isSafetensors } from '@ulseg/model';

export interface InferFolderOptions extends InferOptions {
  /** Weight files (safetensors or `.pth`), one per ensemble member. */
  weights: readonly string[];
  /** Folder of input PNGs. */
  input: string;
  /** Folder for the predicted masks (created when missing; same-named files are replaced, others left alone). */
  output: string;
  /** Folder for the probability maps; none are written when omitted. */
  probabilities?: string;
  /**
   * Segment only this shard of the sorted images (see shard.ts); other files in `output` are never touched, so the
   * shards of one run can share the folder.
   */
  shard?: Shard;
  /** Called once per file written. */
  onWrite?: (path: string) => void;
  /** Called with warnings (e.g. files in `input` that are not PNGs and are skipped). */
  onWarning?: (message: string) => void;
}

export interface InferFolderSummary {
  /** Images segmented (this shard's when sharded). */
  readonly images: number;
  /** PNG images in the input folder. */
  readonly imagesInFolder: number;
  readonly models: readonly { name: string; description: string }[];
  readonly foregroundPixels: number;
  readonly pixels: number;
}

/** Reads a file, naming it and what it is for on failure. */
export async function readNamed(files: DataFiles, path: string, what: string): Promise<Uint8Array> {
  try {
    return await files.read(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (error as Error).message;
    throw new DataError(`${what} '${path}': ${reason}`, { file: path, cause: error });
  }
}

function stem(name: string): string {
  return name.replace(/\.png$/i, '');
}

export async function inferFolder(gpu: Gpu, files: DataFiles, options: InferFolderOptions): Promise<InferFolderSummary> {
  if (options.weights.length === 0) throw new Error('no weights given: an ensemble needs at least one model');
  const input = joinPath(options.input);
  for (const [name, folder] of [['output', options.output], ['probabilities', options.probabilities]] as const) {
    if (folder !== undefined && joinPath(folder) === input) {
      throw new DataError(`the ${name} folder '${folder}' is the input folder: predictions would replace the images`, { file: folder });
    }
  }
  const all = await listPngFiles(files, input);
  const others = (await files.list(input)).filter((name) => !all.includes(name) && !name.startsWith('.'));
  const skipped: string[] = [];
  for (const name of others) if (!(await isFolder(files, joinPath(input, name)))) skipped.push(name);
  if (skipped.length > 0) {
    options.onWarning?.(`${input}: skipping ${skipped.length} file(s) that are not .png: ${skipped.slice(0, 10).join(', ')}${skipped.length > 10 ? ', …' : ''}`);
  }
  if (all.length === 0) throw new DataError(`${input}: no PNG images`, { file: input });
  const names = options.shard ? shardNames(all, options.shard) : all;
  // Every image header (of this shard) and weights format is checked before any model runs: a bad file fails the run at once.
  for (const name of names) readPngSize(await readNamed(files, joinPath(input, name), 'image'), joinPath(input, name));
  for (const path of options.weights) {
    const bytes = await readNamed(files, path, 'weights');
    if (!isSafetensors(bytes) && !isPthFile(bytes)) throw new DataError(`${path}: neither a safetensors file nor a PyTorch .pth (zip) file`, { file: path });
  }
  if (names.length === 0) return { images: 0, imagesInFolder: all.length, models: [], foregroundPixels: 0, pixels: 0 };

  const images: InferenceImage[] = names.map((name) => ({
    id: name,
    load: async () => decodePng(await readNamed(files, joinPath(input, name), 'image'), joinPath(input, name)),
  }));
  const members = options.weights.map((path) => weightsMember(path, () => readNamed(files, path, 'weights')));
  const models: { name: string; description: string }[] = [];
  let foregroundPixels = 0;
  let pixels = 0;
  for await (const prediction of predictEnsemble(gpu, members, images, {
    ...options,
    onModelLoaded: (model) => {
      models.push({ name: model.name, description: model.description });
      options.onModelLoaded?.(model);
    },
  })) {
    const target = joinPath(options.output, prediction.id);
    await files.write(target, encodeGrayPng({ width: prediction.width, height: prediction.height, data: prediction.mask }));
    options.onWrite?.(target);
    if (options.probabilities !== undefined) {
      const path = joinPath(options.probabilities, `${stem(prediction.id)}.npy`);
      await files.write(path, serializeNpy(prediction.probability, [prediction.height, prediction.width]));
      options.onWrite?.(path);
    }
    for (const value of prediction.mask) if (value !== 0) foregroundPixels++;
    pixels += prediction.mask.length;
  }
  return { images: names.length, imagesInFolder: all.length, models, foregroundPixels, pixels };
}

async function isFolder(files: DataFiles, path: string): Promise<boolean> {
  try {
    await files.list(path);
    return true;
  } catch {
    return false;
  }
}
