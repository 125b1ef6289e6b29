import { readWeights, writeSafetensors } from '@ulseg/model';
import { readInput, writeAtomic } from '../files.js';

/** ulseg convert IN.pth OUT.safetensors: the original's weights into our checkpoint format (float32). */
export async function runConvert(input: string, output: string): Promise<void> {
  const { weights, metadata } = await readWeights(await readInput(input, 'weights'), input);
  const bytes = writeSafetensors(weights, { ...metadata, format: 'pt', converted_from: input.split('/').at(-1) ?? input });
  await writeAtomic(output, bytes);
  let parameters = 0;
  for (const entry of weights.values()) parameters += entry.data.length;
  process.stdout.write(`wrote ${output}: ${weights.size} tensors, ${parameters.toLocaleString('en')} values\n`);
}
