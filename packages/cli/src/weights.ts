/** Model weights for the commands that run or convert one model: read, checked finite, and recognised as one of the six networks. */
import { describeNetwork, modelSpecFromWeights, NETWORK_TITLES, readWeights, type BackboneName, type DecoderAttention, type NetworkName, type WeightMap } from '@ulseg/model';
import { readInput } from './files.js';

export interface ModelWeights {
  readonly weights: WeightMap;
  readonly metadata: Record<string, string>;
  readonly network: NetworkName;
  /** The backbone (smp's encoder_name). */
  readonly encoder: BackboneName;
  readonly decoderAttention: DecoderAttention;
  readonly inChannels: number;
  readonly classes: number;
  /** e.g. "Unet on resnet34". */
  readonly description: string;
}

/**
 * The weights in `path` (safetensors or .pth): an empty dict, one that is no state_dict of a known network, or one with
 * NaN/Infinity values is an error naming the file. `flag` names where the path came from; `encoder` replaces the
 * backbone read from the weights (`hasEncoderFlag`: the command has --backbone, so the error may suggest it);
 * `network` (the --network flag) refuses weights of another network, naming both.
 */
export async function readModelWeights(
  path: string,
  flag: string,
  options: { encoder?: BackboneName; hasEncoderFlag?: boolean; network?: NetworkName } = {},
): Promise<ModelWeights> {
  const { weights, metadata } = await readWeights(await readInput(path, flag), path);
  let spec;
  try {
    spec = modelSpecFromWeights(weights, path, options.encoder ? { backbone: options.encoder } : {});
  } catch (error) {
    throw new Error(`${(error as Error).message}${options.hasEncoderFlag && /match no .*encoder/.test((error as Error).message) ? '; pass --backbone if it is one of them' : ''}`);
  }
  if (options.network && options.network !== spec.network) {
    throw new Error(`${path}: the weights are a ${NETWORK_TITLES[spec.network]} (${spec.network}), but --network is ${options.network}: pass --network ${spec.network} or other weights`);
  }
  const description = describeNetwork(spec.network, spec.backbone, spec.decoderAttention);
  return { weights, metadata, network: spec.network, encoder: spec.backbone, decoderAttention: spec.decoderAttention, inChannels: spec.inChannels, classes: spec.classes, description };
}

/** The input size a model was last trained at, as its checkpoint records it (`image_resolution`); null when absent. */
export function recordedResolution(model: Pick<ModelWeights, 'metadata'>): number | null {
  const recorded = Number(model.metadata['image_resolution']);
  return Number.isInteger(recorded) && recorded > 0 ? recorded : null;
}

/**
 * The resolution to run models at: `flagged` (the command's --image-resolution) when given, else the one size every
 * checkpoint records (`trainedAt`: path → recorded size; models that record none are left out), else 256 (the
 * original's). Checkpoints recording different sizes without a flag are an error naming each.
 */
export function resolutionFromCheckpoints(trainedAt: ReadonlyMap<string, number>, flagged: number | undefined): { resolution: number; recorded: boolean } {
  if (flagged !== undefined) return { resolution: flagged, recorded: false };
  const sizes = [...new Set(trainedAt.values())];
  if (sizes.length > 1) {
    throw new Error(`the models were trained at different resolutions (${[...trainedAt].map(([path, size]) => `${path}: ${size} px`).join(', ')}): pass --image-resolution`);
  }
  return sizes.length === 1 ? { resolution: sizes[0]!, recorded: true } : { resolution: 256, recorded: false };
}
