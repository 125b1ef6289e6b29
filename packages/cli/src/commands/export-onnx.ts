import { Command, InvalidArgumentError, Option } from 'commander';
import { createGpu, type AdapterKind } from '@ulseg/kernels';
import { exportOnnx, inspectOnnx, NETWORK_TITLES, ONNX_OPSET, SegmentationModel, type OnnxSummary } from '@ulseg/model';
import { backboneCheckOption, backboneFlag, encoderAliasOption, networkCheckOption, type NetworkFlags } from '../network-options.js';
import { checkWritableFile, refuseOutputOverInput, writeAtomic } from '../files.js';
import { readModelWeights } from '../weights.js';
import { MAX_RESOLUTION, resolutionArgument } from '../limits.js';
import { progressBar, type ProgressBar } from '../progress.js';

export interface ExportOnnxOptions extends NetworkFlags {
  weights: string;
  out: string;
  imageResolution: number;
  batch: number | 'dynamic';
  adapter?: AdapterKind;
}

const parseResolution = resolutionArgument();

/** --batch: a positive integer or `dynamic`. */
export function parseBatch(value: string): number | 'dynamic' {
  if (value === 'dynamic') return 'dynamic';
  const batch = Number(value);
  if (!/^\d+$/.test(value.trim()) || batch < 1) throw new InvalidArgumentError("expected a positive integer or 'dynamic'.");
  return batch;
}

const megabytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function describe(path: string, bytes: number, model: string, summary: OnnxSummary): string {
  const shape = (dims: readonly (number | string)[]): string => `[${dims.join(', ')}]`;
  const input = summary.inputs[0]!;
  const output = summary.outputs[0]!;
  const ops = Object.entries(summary.opCounts)
    .sort(([, a], [, b]) => b - a)
    .map(([op, count]) => `${count} ${op}`)
    .join(', ');
  return (
    `wrote ${path} (${megabytes(bytes)}): ${model}, ONNX opset ${summary.opset}\n` +
    `  input '${input.name}' ${shape(input.shape)} float32 -> '${output.name}' ${shape(output.shape)} (logits; sigmoid gives the probability)\n` +
    `  ${summary.nodes.length} nodes: ${ops}\n` +
    `  ${summary.initializers.length} initializers under their state_dict names, ${summary.parameterCount.toLocaleString('en')} values\n`
  );
}

/**
 * ulseg export-onnx: the model of a checkpoint (any network and backbone) as a standard ONNX graph (eval mode), traced
 * from its forward and written atomically.
 */
export async function runExportOnnx(options: ExportOnnxOptions): Promise<void> {
  refuseOutputOverInput({ flag: '--out', path: options.out }, [{ flag: '--weights', path: options.weights }]);
  await checkWritableFile(options.out, '--out');
  const backbone = backboneFlag(options);
  const { weights, network, encoder, decoderAttention, inChannels, classes } = await readModelWeights(options.weights, '--weights', {
    ...(backbone ? { encoder: backbone } : {}),
    ...(options.network ? { network: options.network } : {}),
    hasEncoderFlag: true,
  });
  const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
  let bar: ProgressBar | undefined;
  try {
    const model = new SegmentationModel(gpu, { network, encoder, decoderAttention, inChannels, classes });
    model.load(weights, { source: options.weights });
    const bytes = await exportOnnx(model, {
      height: options.imageResolution,
      width: options.imageResolution,
      batch: options.batch,
      metadata: { weights: options.weights.split('/').at(-1) ?? options.weights },
      onProgress: (done, total) => {
        bar ??= progressBar('reading weights', total);
        bar.update(done);
      },
    });
    bar?.stop();
    bar = undefined;
    model.dispose();
    const summary = inspectOnnx(bytes, options.out);
    await writeAtomic(options.out, bytes);
    const title = `${NETWORK_TITLES[network]}${decoderAttention === 'scse' ? ' (scSE)' : ''} ${encoder}`;
    process.stdout.write(describe(options.out, bytes.length, title, summary));
  } finally {
    bar?.stop();
    await gpu.close();
  }
}

export function exportOnnxCommand(adapterOption: () => Option): Command {
  return new Command('export-onnx')
    .description(
      `write the model of a checkpoint as a standard ONNX graph (opset ${ONNX_OPSET}), eval mode: BatchNorm from the running ` +
        'statistics, any network and backbone the weights hold. Traced from the model\'s own forward, one ONNX mapping per ' +
        'op: Conv with explicit pads (the EfficientNet "static same" pads, asymmetric where they are), BatchNormalization, ' +
        'Sigmoid + Mul for swish, pooling (adaptive pooling with uneven windows, as PSPNet\'s, as two MatMuls with ' +
        'pooling matrices), ConvTranspose, Resize, Concat, Add, Relu; initializers keep the state_dict ' +
        'names. Input `input` [N, 1, R, R] float32 (gray / 255), output `logits` ' +
        '(sigmoid gives the lesion probability). Runs in ONNX Runtime (web: WebGPU or wasm; native) and other ONNX runtimes.',
    )
    .requiredOption('--weights <file>', 'model weights: our .safetensors checkpoint or the original .pth')
    .requiredOption('--out <file>', 'the .onnx file to write (written atomically)')
    .option('--image-resolution <pixels>', `input height and width, a multiple of 32 up to ${MAX_RESOLUTION}`, parseResolution, 256)
    .option('--batch <n|dynamic>', "batch size baked into the graph, or 'dynamic' for a symbolic batch dimension", parseBatch, 1)
    .addOption(networkCheckOption())
    .addOption(backboneCheckOption())
    .addOption(encoderAliasOption())
    .addOption(adapterOption())
    .action(async (options: ExportOnnxOptions) => runExportOnnx(options));
}
