import { F, noGrad, serializeNpy, Tensor } from '@ulseg/autograd';
import { createGpu, type AdapterKind } from '@ulseg/kernels';
import { SegmentationModel, writeSafetensors } from '@ulseg/model';
import { backboneFlag, type NetworkFlags } from '../network-options.js';
import { checkWritableFile, readInput, refuseOutputOverInput, writeAtomic } from '../files.js';
import { readModelWeights } from '../weights.js';

export interface ForwardOptions extends NetworkFlags {
  weights: string;
  input: string;
  output: string;
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
  const inputs = [
    { flag: '--weights', path: options.weights },
    { flag: '--input', path: options.input },
    { flag: '--target', path: options.target },
  ];
  refuseOutputOverInput({ flag: '--output', path: options.output }, inputs);
  refuseOutputOverInput({ flag: '--grads', path: options.grads }, [...inputs, { flag: '--output', path: options.output }]);
  await checkWritableFile(options.output, '--output');
  if (options.grads !== undefined) await checkWritableFile(options.grads, '--grads');
  const backbone = backboneFlag(options);
  const { weights, network, encoder, decoderAttention, inChannels, classes, description } = await readModelWeights(options.weights, '--weights', {
    ...(backbone ? { encoder: backbone } : {}),
    ...(options.network ? { network: options.network } : {}),
    hasEncoderFlag: true,
  });
  // Every input is read and checked before anything is written.
  const inputBytes = await readInput(options.input, '--input');
  const targetBytes = options.target !== undefined ? await readInput(options.target, '--target') : undefined;
  const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
  try {
    const model = new SegmentationModel(gpu, { network, encoder, decoderAttention, inChannels, classes, dropConnectRate: options.dropConnectRate });
    model.load(weights, { source: options.weights });
    const input = Tensor.fromNpy(gpu, inputBytes, { name: options.input });
    const train = options.mode === 'train' || options.target !== undefined;
    model.train(train);
    const logits = train ? model.forward(input) : noGrad(() => model.forward(input));
    const target = targetBytes && Tensor.fromNpy(gpu, targetBytes, { name: options.target! });
    if (target && JSON.stringify(target.shape) !== JSON.stringify(logits.shape)) {
      throw new Error(`--target '${options.target}' has shape ${JSON.stringify(target.shape)}, but the logits have ${JSON.stringify(logits.shape)}: they must match`);
    }
    const logitBytes = serializeNpy(await logits.toArray(), logits.shape);
    let gradBytes: Uint8Array | undefined;
    let loss = 0;
    if (target && options.grads) {
      const dice = F.diceLoss(logits, target);
      dice.backward();
      const entries: [string, { shape: readonly number[]; data: Float32Array }][] = [];
      for (const [name, parameter] of model.namedParameters()) {
        if (parameter.grad) entries.push([name, { shape: parameter.shape, data: await parameter.grad.toArray() }]);
      }
      loss = await dice.item();
      gradBytes = writeSafetensors(entries, { loss: String(loss), network, encoder, decoder_attention: decoderAttention });
    }
    await writeAtomic(options.output, logitBytes);
    process.stdout.write(`wrote ${options.output}: logits ${JSON.stringify(logits.shape)} (${description}, ${train ? 'train' : 'eval'} mode)\n`);
    if (gradBytes && options.grads) {
      await writeAtomic(options.grads, gradBytes);
      process.stdout.write(`wrote ${options.grads}: ${[...model.namedParameters()].filter(([, p]) => p.grad).length} parameter gradients of the Dice loss ${loss}\n`);
    }
    model.dispose();
  } finally {
    await gpu.close();
  }
}
