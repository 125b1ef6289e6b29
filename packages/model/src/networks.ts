/**
 * The networks of the original's `--network` (docs/ORIGINAL.md §10), by ulseg's lower-case names: which are built,
 * which are not yet, and how the original spells them (smp class names).
 */
import type { DecoderAttention } from './decoders/unet.js';

export const NETWORKS = ['linknet', 'unet'] as const;
export type NetworkName = (typeof NETWORKS)[number];

/** The original's other networks, refused by name until they are built. */
export const PLANNED_NETWORKS = ['deeplabv3plus', 'fpn', 'pan', 'pspnet'] as const;

/** The original's spelling (train.py's `--network` takes smp's class names). */
export const NETWORK_TITLES: Record<NetworkName | (typeof PLANNED_NETWORKS)[number], string> = {
  linknet: 'Linknet',
  unet: 'Unet',
  deeplabv3plus: 'DeepLabV3Plus',
  fpn: 'FPN',
  pan: 'PAN',
  pspnet: 'PSPNet',
};

export function isNetwork(name: string): name is NetworkName {
  return (NETWORKS as readonly string[]).includes(name);
}

/** A network name as given (either spelling, any case) → ours, or an error naming what is available. */
export function checkNetwork(name: string): NetworkName {
  const lower = name.toLowerCase();
  if (isNetwork(lower)) return lower;
  const available = `available: ${NETWORKS.join(', ')}`;
  if ((PLANNED_NETWORKS as readonly string[]).includes(lower)) throw new Error(`network '${name}' is not built in ulseg yet; ${available}`);
  throw new Error(`unknown network '${name}'; ${available}`);
}

export function checkDecoderAttention(attention: string, network: NetworkName): DecoderAttention {
  if (attention !== 'none' && attention !== 'scse') throw new Error(`unknown decoder attention '${attention}'; available: none, scse`);
  if (attention === 'scse' && network !== 'unet') throw new Error(`decoder attention 'scse' exists for unet only, not ${network}`);
  return attention;
}

/** "Unet (scSE) on resnet34": how reports and logs name a model. */
export function describeNetwork(network: NetworkName, backbone: string, attention: DecoderAttention = 'none'): string {
  return `${NETWORK_TITLES[network]}${attention === 'scse' ? ' (scSE)' : ''} on ${backbone}`;
}
