/** Model weights for the commands that run or convert one model: read, checked finite, and recognised as Linknet-EfficientNet. */
import { inferEncoder, readWeights, type EncoderName, type WeightMap } from '@ulseg/model';
import { readInput } from './files.js';

export interface ModelWeights {
  readonly weights: WeightMap;
  readonly metadata: Record<string, string>;
  readonly encoder: EncoderName;
  readonly inChannels: number;
  readonly classes: number;
}

/**
 * The weights in `path` (safetensors or .pth): an empty dict, one without the Linknet-EfficientNet stem, or one with
 * NaN/Infinity values is an error naming the file. `flag` names where the path came from; `encoder` overrides the
 * variant read from the weights (`hasEncoderFlag`: the command has --encoder, so the error may suggest it).
 */
export async function readModelWeights(path: string, flag: string, options: { encoder?: EncoderName; hasEncoderFlag?: boolean } = {}): Promise<ModelWeights> {
  const { weights, metadata } = await readWeights(await readInput(path, flag), path);
  if (weights.size === 0) throw new Error(`${path}: holds no tensors: not a model checkpoint`);
  const stem = weights.get('encoder._conv_stem.weight');
  if (!stem) {
    const some = [...weights.keys()].slice(0, 3).join(', ');
    throw new Error(`${path}: no 'encoder._conv_stem.weight' among its ${weights.size} tensors (${some}, …): not a Linknet-EfficientNet state_dict`);
  }
  let variant: EncoderName;
  try {
    variant = options.encoder ?? inferEncoder(weights.keys(), stem.shape);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}${options.hasEncoderFlag ? '; pass --encoder if it is one of them' : ''}`);
  }
  return { weights, metadata, encoder: variant, inChannels: stem.shape[1]!, classes: weights.get('segmentation_head.0.weight')?.shape[0] ?? 1 };
}
