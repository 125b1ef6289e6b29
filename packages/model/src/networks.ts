/**
 * The networks of the original's `--network` (docs/ORIGINAL.md §10), by ulseg's lower-case names, and how the
 * original spells them (smp class names). All six are built.
 */
import type { DecoderAttention } from './decoders/unet.js';

export const NETWORKS = ['linknet', 'unet', 'fpn', 'pspnet', 'pan', 'deeplabv3plus'] as const;
export type NetworkName = (typeof NETWORKS)[number];

/** The original's spelling (train.py's `--network` takes smp's class names). */
export const NETWORK_TITLES: Record<NetworkName, string> = {
  linknet: 'Linknet',
  unet: 'Unet',
  deeplabv3plus: 'DeepLabV3Plus',
  fpn: 'FPN',
  pan: 'PAN',
  pspnet: 'PSPNet',
};

/**
 * The smallest input side each network runs at (32 unless stated): PAN's FPA block max-pools the 1/16 map three
 * times by 2, so that map must be at least 8 pixels a side.
 */
export const NETWORK_MIN_INPUT: Partial<Record<NetworkName, number>> = { pan: 128 };

/** An error message when an H×W input is too small for the network, else undefined. */
export function inputTooSmall(network: NetworkName, height: number, width: number): string | undefined {
  const minimum = NETWORK_MIN_INPUT[network];
  if (minimum === undefined || (height >= minimum && width >= minimum)) return undefined;
  return `${NETWORK_TITLES[network]} needs inputs of at least ${minimum}x${minimum} (its FPA block halves the 1/16 map three times), got ${height}x${width}`;
}

export function isNetwork(name: string): name is NetworkName {
  return (NETWORKS as readonly string[]).includes(name);
}

/** A network name as given (either spelling, any case) → ours, or an error naming what is available. */
export function checkNetwork(name: string): NetworkName {
  const lower = name.toLowerCase();
  if (isNetwork(lower)) return lower;
  const available = `available: ${NETWORKS.join(', ')}`;
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
