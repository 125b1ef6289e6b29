import { Command, InvalidArgumentError, Option } from 'commander';
import { createGpu, type AdapterKind } from '@ulseg/kernels';
import { inferFolder, INPUT_RESIZES, LOAD_MODES, resolveViews, TTA_PRESETS, type InputResize, type LoadMode, shardNames, type Shard, type InferFolderSummary } from '@ulseg/infer';
import { parseShard, shardFromEnvironment } from '../cluster.js';
import { listPngFiles, readPngSize } from '@ulseg/data';
import type { BackboneName, NetworkName } from '@ulseg/model';
import { BACKBONE_HELP, backboneArgument, backboneFlag, encoderAliasOption, networkCheckOption } from '../network-options.js';
import { readInput, siblingFolder, withStagedFolders } from '../files.js';
import { checkResolutionFits, gpuBytesPerPixel, MAX_RESOLUTION, resolutionArgument, type ActivationModel } from '../limits.js';
import { progressBar, type ProgressBar } from '../progress.js';
import { readModelWeights, recordedResolution, resolutionFromCheckpoints } from '../weights.js';
import { inferInChromium, type ChromiumInferCallbacks, type ChromiumInferJob, type Runtime } from '../chromium/commands.js';
import { files, integerOption, plainErrors, probabilityOption, sameFolder, seconds, warn } from './mask-folders.js';

export interface InferCommandOptions {
  weights?: string[];
  weights1?: string;
  weights2?: string;
  weights3?: string;
  weights4?: string;
  weights5?: string;
  testPath?: string;
  test_path?: string;
  out?: string;
  saved_path?: string;
  tta: string;
  imageResolution?: number;
  image_resolution?: number;
  threshold: number;
  saveProbabilities?: string | true;
  batchSize: number;
  loadModels: LoadMode;
  inputResize: InputResize;
  shard?: Shard | 'auto';
  shards?: number;
  network?: NetworkName;
  backbone?: BackboneName;
  encoder?: BackboneName;
  adapter?: AdapterKind;
  runtime?: Runtime;
}

/** The shard this process segments: --shard I/N as given, or --shard auto from the cluster engine's variables. */
function resolveShard(options: InferCommandOptions): Shard | undefined {
  if (options.shard === undefined) {
    if (options.shards !== undefined && !process.env.ULSEG_SHARDS) throw new Error('--shards N needs --shard auto (or give the shard as --shard I/N)');
    return undefined;
  }
  if (options.shard !== 'auto') {
    if (options.shards !== undefined && options.shards !== options.shard.count) {
      throw new Error(`--shard ${options.shard.index}/${options.shard.count} disagrees with --shards ${options.shards}`);
    }
    return options.shard;
  }
  const { value, source } = shardFromEnvironment(process.env, options.shards);
  process.stdout.write(`shard ${value.index}/${value.count} from ${source}\n`);
  return value;
}

/** ulseg infer: the ensemble of every given model × test-time views on a folder of PNGs; masks to --out. */
export async function runInfer(options: InferCommandOptions): Promise<void> {
  return plainErrors(async () => {
    const weights = [...(options.weights ?? []), ...[options.weights1, options.weights2, options.weights3, options.weights4, options.weights5].filter((path): path is string => path !== undefined)];
    if (weights.length === 0) throw new Error("no weights: pass --weights FILE [FILE …] (or the original's --weights1 … --weights5)");
    const input = options.testPath ?? options.test_path;
    if (input === undefined) throw new Error("missing --test-path DIR: the folder of PNG images to segment (the original's --test_path)");
    const out = options.out ?? options.saved_path;
    if (out === undefined) throw new Error("missing --out DIR: the folder for the predicted masks (the original's --saved_path)");
    const probabilities = options.saveProbabilities === true ? siblingFolder(out, 'probabilities') : options.saveProbabilities;
    for (const [name, folder] of [['--out', out], ['--save-probabilities', probabilities]] as const) {
      if (folder !== undefined && sameFolder(folder, input)) throw new Error(`${name} '${folder}' is the input folder: the predictions would replace the images`);
    }
    const shard = resolveShard(options);
    if (probabilities !== undefined && sameFolder(probabilities, out)) throw new Error(`--save-probabilities '${probabilities}' is the --out folder: give the probability maps their own folder`);
    const views = resolveViews(options.tta);
    // Every model is read and checked (finite, one of the networks, the --network/--backbone given, 1 channel in and
    // out) before any image is.
    // One architecture per distinct network, backbone and attention (their activation bound is checked once each).
    const architectures = new Map<string, ActivationModel>();
    const trainedAt = new Map<string, number>();
    const backbone = backboneFlag(options);
    for (const path of weights) {
      const model = await readModelWeights(path, '--weights', options.network ? { network: options.network } : {});
      if (backbone && model.encoder !== backbone) throw new Error(`${path}: the weights are ${model.description}, but --backbone is ${backbone}: pass --backbone ${model.encoder} or other weights`);
      if (model.inChannels !== 1) throw new Error(`${path}: the model takes ${model.inChannels} input channels; inference feeds it 1 (gray), as the original`);
      if (model.classes !== 1) throw new Error(`${path}: the model predicts ${model.classes} classes; inference needs 1 (lesion vs background)`);
      architectures.set(model.description, { network: model.network, encoder: model.encoder, decoderAttention: model.decoderAttention, inChannels: 1 });
      const recorded = recordedResolution(model);
      if (recorded !== null) trainedAt.set(path, recorded);
    }
    const { resolution, recorded } = resolutionFromCheckpoints(trainedAt, options.imageResolution ?? options.image_resolution);
    if (recorded && resolution !== 256) process.stdout.write(`running at ${resolution} px, the resolution the checkpoint(s) record (--image-resolution overrides it)\n`);
    const gpu = options.runtime === 'chromium' ? undefined : await createGpu(options.adapter ? { adapter: options.adapter } : {});
    let bar: ProgressBar | undefined;
    let note = '';
    let done = 0;
    const start = performance.now();
    try {
      // In Chromium the page's own adapter limits apply (inferFolder checks them there).
      if (gpu) for (const architecture of architectures.values()) checkResolutionFits(gpu, architecture, resolution, options.batchSize * views.length, '--image-resolution', `--batch-size ${options.batchSize} x ${views.length} TTA view(s)`);
      // Each image (of this shard) goes to the GPU whole (float32 per channel) before it is resized, and its mask comes back at full size.
      const limit = gpu?.info.limits.maxStorageBufferBindingSize ?? Infinity;
      const names = await listPngFiles(files, input);
      for (const name of gpu ? (shard ? shardNames(names, shard) : names) : []) {
        const path = `${input}/${name}`;
        const bytes = await readInput(path, 'image');
        const { width, height } = readPngSize(bytes, path);
        if (width * height * gpuBytesPerPixel(bytes) > limit) {
          const side = Math.floor(Math.sqrt(limit / gpuBytesPerPixel(bytes)));
          throw new Error(`${path}: a ${width}x${height} image does not fit this GPU (maxStorageBufferBindingSize ${limit / 2 ** 20} MiB holds about ${side}x${side} of this kind): shrink it`);
        }
      }
      for (const [path, size] of trainedAt) if (size !== resolution) warn(`${path} was trained at ${size} px but runs at ${resolution} px (--image-resolution): its masks may be poor`);
      const runFolder = (job: ChromiumInferJob, callbacks: ChromiumInferCallbacks): Promise<InferFolderSummary> =>
        gpu ? inferFolder(gpu, files, { ...job, ...callbacks }) : inferInChromium(options.adapter, job, callbacks);
      const summary = await withStagedFolders([{ path: out, flag: '--out' }, { path: probabilities, flag: '--save-probabilities' }], ([stagedOut, stagedProbabilities]) =>
        runFolder({
          weights,
          input,
          output: stagedOut!,
          ...(stagedProbabilities !== undefined ? { probabilities: stagedProbabilities } : {}),
          resolution,
          views,
          threshold: options.threshold,
          batchSize: options.batchSize,
          loadModels: options.loadModels,
          inputResize: options.inputResize,
          ...(shard ? { shard } : {}),
        }, {
          onWarning: warn,
          onStart: ({ passes }) => (bar = progressBar('infer', passes)),
          onModelLoaded: ({ index, description }) => {
            note = `model ${index + 1}/${weights.length} (${description})`;
            bar?.update(done, note);
          },
          onProgress: (progress) => {
            done = progress.done;
            bar?.update(done, `${note}, ${progress.imagesDone}/${progress.images} images done`);
          },
        }),
      );
      bar?.stop();
      const part = shard ? ` (shard ${shard.index}/${shard.count} of the ${summary.imagesInFolder} images, sorted by name)` : '';
      if (summary.images === 0) {
        process.stdout.write(`nothing to do: shard ${shard!.index}/${shard!.count} of ${summary.imagesInFolder} images is empty (more shards than images)\n`);
        return;
      }
      const models = summary.models.map((model) => `${model.name} (${model.description})`).join(', ');
      const foreground = ((100 * summary.foregroundPixels) / summary.pixels).toFixed(2);
      process.stdout.write(
        `wrote ${summary.images} masks${part} to ${out} in ${seconds(start)}: ${summary.models.length} model(s) [${models}], ` +
          `TTA ${views.join('+')}, ${resolution} px, threshold ${options.threshold}; ${foreground}% foreground\n`,
      );
      if (probabilities !== undefined) process.stdout.write(`wrote the probability maps (float32 .npy, [H, W]) to ${probabilities}\n`);
    } finally {
      bar?.stop();
      await gpu?.close();
    }
  });
}

function shardArgument(value: string): Shard | 'auto' {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function inferCommand(adapterOption: () => Option, runtimeOption: () => Option): Command {
  const command = new Command('infer')
    .summary('segment a folder of PNG scans with an ensemble of models x test-time augmentation')
    .description(
      'segment every PNG in a folder with an ensemble of models and test-time augmentation: ' +
        'for each model, the mean of its de-augmented logits over the views, sigmoid, bilinear resize back to the ' +
        'image size; then the mean over models, and 255 where it is >= --threshold. Masks are 8-bit PNGs {0, 255} ' +
        'with the image’s name and size. Input: Pillow bilinear resize to R x R, /255, gray = 0.2989 R + 0.587 G + 0.114 B.',
    )
    .option('--weights <files...>', 'model weights, one file per ensemble member: .safetensors or the original .pth, in any mix (each network and backbone is read from its weights)')
    .option('--weights1 <file>', "the original's name for a weights file; --weights2 … --weights5 likewise (added after --weights)");
  for (const index of [2, 3, 4, 5]) command.option(`--weights${index} <file>`, `the original's weights file ${index}`);
  return command
    .option('--test-path <dir>', 'folder of PNG images to segment (other files are skipped with a warning)')
    .option('--test_path <dir>', "the original's spelling of --test-path")
    .option('--out <dir>', 'folder for the masks (created if missing; files of the same name are replaced, others are left alone; must not be the input folder). Written when every image is done: a failed run leaves it as it was')
    .option('--saved_path <dir>', "the original's spelling of --out")
    .option('--tta <views>', `test-time views: flips (${TTA_PRESETS.flips.join(', ')}: the original), none, or a comma list of those views`, 'flips')
    .option('--image-resolution <pixels>', `model input size R x R, a multiple of 32 up to ${MAX_RESOLUTION} (default: the resolution the checkpoints record, else 256 as the original)`, resolutionArgument())
    .option('--image_resolution <pixels>', "the original's spelling of --image-resolution", resolutionArgument())
    .option('--threshold <probability>', 'foreground where the mean probability is >= this', probabilityOption, 0.5)
    .option('--save-probabilities [dir]', 'also write each mean probability map as float32 .npy [H, W] named <image>.npy (default folder: <out>-probabilities beside --out)')
    .option('--batch-size <images>', 'images per forward pass; each pass holds batch x views inputs', integerOption(1), 1)
    .addOption(new Option('--load-models <mode>', 'one-at-a-time: one model on the GPU at once (models outer, images inner); all: every model loaded first (images outer). Same result either way').choices([...LOAD_MODES]).default('one-at-a-time'))
    .addOption(new Option('--input-resize <kind>', "resampling of the image to R x R: pillow (Pillow's antialiased BILINEAR, as the original's PIL pipeline) or torch (F.interpolate bilinear)").choices([...INPUT_RESIZES]).default('pillow'))
    .option(
      '--shard <I/N|auto>',
      'segment only shard I of N (I = 0..N-1) of the images sorted by name, as N cluster tasks sharing one --out do; auto: I from JOB_COMPLETION_INDEX ' +
        '(Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN (Slurm array), N from --shards or the Slurm array size',
      shardArgument,
    )
    .addOption(new Option('--shards <n>', 'number of shards for --shard auto (a Kubernetes Job\'s completions; Slurm: default the array size)').argParser(integerOption(1)).env('ULSEG_SHARDS'))
    .addOption(networkCheckOption())
    .addOption(new Option('--backbone <name>', `refuse weights of another backbone: ${BACKBONE_HELP}`).argParser(backboneArgument))
    .addOption(encoderAliasOption())
    .addOption(adapterOption())
    .addOption(runtimeOption())
    .action(async (options: InferCommandOptions) => runInfer(options));
}
