import { writeSafetensors } from '@ulseg/model';
import { checkWritableFile, refuseOutputOverInput, writeAtomic } from '../files.js';
import { readModelWeights } from '../weights.js';

/** ulseg convert IN.pth OUT.safetensors: the original's weights into our checkpoint format (float32). */
export async function runConvert(input: string, output: string): Promise<void> {
  refuseOutputOverInput({ flag: 'the output', path: output }, [{ flag: 'input', path: input }]);
  await checkWritableFile(output, 'the output');
  const { weights, metadata, network, encoder, decoderAttention, description } = await readModelWeights(input, 'weights');
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
