import { F, noGrad, serializeNpy, Tensor } from '@ulseg/autograd';
import { createGpu, type AdapterKind } from '@ulseg/kernels';
import { inferEncoder, readWeights, SegmentationModel, writeSafetensors, type EncoderName } from '@ulseg/model';
import { readInput, writeAtomic } from '../files.js';

export interface ForwardOptions {
  weights: string;
  input: string;
  output: string;
  encoder?: EncoderName;
  mode: 'eval' | 'train';
  dropConnectRate: number;
  target?: string;
  grads?: string;
  adapter?: AdapterKind;
}

/**
 * ulseg forward: the model on an NCHW float32 .npy, logits to .npy; with --target, the Dice loss's gradient of every
 * parameter (train mode) to a safetensors file. A parity tool for comparing with PyTorch.
 */
export async function runForward(options: ForwardOptions): Promise<void> {
  if ((options.target === undefined) !== (options.grads === undefined)) throw new Error('--target and --grads go together');
  const { weights } = await readWeights(await readInput(options.weights, 'weights'), options.weights);
  const stem = weights.get('encoder._conv_stem.weight');
  if (!stem) throw new Error(`${options.weights}: no 'encoder._conv_stem.weight'; not a Linknet-EfficientNet state_dict`);
  const encoder = options.encoder ?? inferEncoder(weights.keys(), stem.shape);
  const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
  try {
    const model = new SegmentationModel(gpu, { encoder, inChannels: stem.shape[1]!, classes: weights.get('segmentation_head.0.weight')?.shape[0] ?? 1, dropConnectRate: options.dropConnectRate });
    model.load(weights, { source: options.weights });
    const input = Tensor.fromNpy(gpu, await readInput(options.input, 'input'), { name: options.input });
    const train = options.mode === 'train' || options.target !== undefined;
    model.train(train);
    const logits = train ? model.forward(input) : noGrad(() => model.forward(input));
    await writeAtomic(options.output, serializeNpy(await logits.toArray(), logits.shape));
    process.stdout.write(`wrote ${options.output}: logits ${JSON.stringify(logits.shape)} (${encoder}, ${train ? 'train' : 'eval'} mode)\n`);
    if (options.target && options.grads) {
      const target = Tensor.fromNpy(gpu, await readInput(options.target, 'target'), { name: options.target });
      const loss = F.diceLoss(logits, target);
      loss.backward();
      const entries: [string, { shape: readonly number[]; data: Float32Array }][] = [];
      for (const [name, parameter] of model.namedParameters()) {
        if (parameter.grad) entries.push([name, { shape: parameter.shape, data: await parameter.grad.toArray() }]);
      }
      await writeAtomic(options.grads, writeSafetensors(entries, { loss: String(await loss.item()), encoder }));
      process.stdout.write(`wrote ${options.grads}: ${entries.length} parameter gradients of the Dice loss ${await loss.item()}\n`);
    }
    model.dispose();
  } finally {
    await gpu.close();
  }
}
