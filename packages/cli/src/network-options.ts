/**
 * --network, --backbone (alias --encoder) and --decoder-attention: one spelling and one check for every command that
 * names a model (train, infer, forward, export-onnx, convert). Unknown networks are refused with what is available.
 */
import { InvalidArgumentError, Option } from 'commander';
import { BACKBONES, checkBackbone, checkNetwork, DECODER_ATTENTIONS, NETWORKS, type BackboneName, type DecoderAttention, type NetworkName } from '@ulseg/model';

export const NETWORK_HELP = NETWORKS.join(', ');
export const BACKBONE_HELP = BACKBONES.join(', ');

/** commander parser: a network name, either spelling (unet, Unet), or an InvalidArgumentError naming what exists. */
export function networkArgument(value: string): NetworkName {
  try {
    return checkNetwork(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

/** commander parser: a comma-separated list of networks (each as networkArgument), no repeats. */
export function networkListArgument(value: string): NetworkName[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError('name at least one network.');
  const networks = names.map(networkArgument);
  const repeated = networks.find((network, index) => networks.indexOf(network) !== index);
  if (repeated) throw new InvalidArgumentError(`${repeated} is listed twice.`);
  return networks;
}

export function backboneArgument(value: string): BackboneName {
  try {
    return checkBackbone(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

export function decoderAttentionArgument(value: string): DecoderAttention {
  if ((DECODER_ATTENTIONS as readonly string[]).includes(value)) return value as DecoderAttention;
  throw new InvalidArgumentError(`unknown decoder attention '${value}'; available: ${DECODER_ATTENTIONS.join(', ')}.`);
}

/** --network for a command that reads weights: a check against what the weights hold (default: whatever they hold). */
export const networkCheckOption = (): Option =>
  new Option('--network <name>', `refuse weights of another network: ${NETWORK_HELP} (default: the network the weights hold)`).argParser(networkArgument);

/** --backbone for a command that reads weights (inferred from them when omitted). */
export const backboneCheckOption = (): Option => new Option('--backbone <name>', `backbone: ${BACKBONE_HELP} (inferred from the weights when omitted)`).argParser(backboneArgument);

/** The older spelling of --backbone, kept working. */
export const encoderAliasOption = (): Option => new Option('--encoder <name>', 'alias of --backbone').argParser(backboneArgument);

export interface NetworkFlags {
  network?: NetworkName;
  backbone?: BackboneName;
  encoder?: BackboneName;
}

/** --backbone, or its alias --encoder; both given and different is an error. */
export function backboneFlag(options: NetworkFlags): BackboneName | undefined {
  if (options.backbone && options.encoder && options.backbone !== options.encoder) {
    throw new Error(`--backbone ${options.backbone} and --encoder ${options.encoder} disagree (--encoder is an alias of --backbone): give one`);
  }
  return options.backbone ?? options.encoder;
}
