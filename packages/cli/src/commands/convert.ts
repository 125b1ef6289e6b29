import { createGpu, type AdapterKind } from '@ulseg/kernels';
import { SegmentationModel, writeSafetensors, type BackboneName, type NetworkName } from '@ulseg/model';
import { checkWritableFile, refuseOutputOverInput, writeAtomic } from '../files.js';
import { backboneFlag } from '../network-options.js';
import { readModelWeights } from '../weights.js';

export interface ConvertOptions {
  network?: NetworkName;
  backbone?: BackboneName;
  encoder?: BackboneName;
  adapter?: AdapterKind;
}

/**
 * ulseg convert IN.pth OUT.safetensors: the original's weights of any built network into our checkpoint format
 * (float32). The state_dict must match the network it is recognised as (or --network/--backbone) key for key and
 * shape for shape: the model is built and loaded strictly, so a missing, unexpected or misshapen key is refused
 * naming the file and the keys, and nothing is written.
 */
export async function runConvert(input: string, output: string, options: ConvertOptions = {}): Promise<void> {
  refuseOutputOverInput({ flag: 'the output', path: output }, [{ flag: 'input', path: input }]);
  await checkWritableFile(output, 'the output');
  const backbone = backboneFlag(options);
  const { weights, metadata, network, encoder, decoderAttention, inChannels, classes, description } = await readModelWeights(input, 'weights', {
    ...(backbone ? { encoder: backbone } : {}),
    ...(options.network ? { network: options.network } : {}),
    hasEncoderFlag: true,
  });
  const gpu = await createGpu(options.adapter ? { adapter: options.adapter } : {});
  try {
    const model = new SegmentationModel(gpu, { network, encoder, decoderAttention, inChannels, classes });
    try {
      model.load(weights, { source: `${input} (${description})` });
    } finally {
      model.dispose();
    }
  } finally {
    gpu.destroy();
  }
  const bytes = writeSafetensors(weights, {
    ...metadata,
    format: 'pt',
    network,
    encoder,
    decoder_attention: decoderAttention,
    converted_from: input.split('/').at(-1) ?? input,
  });
  await writeAtomic(output, bytes);
  let parameters = 0;
  for (const entry of weights.values()) parameters += entry.data.length;
  process.stdout.write(`wrote ${output}: ${weights.size} tensors, ${parameters.toLocaleString('en')} values (${description})\n`);
}
