/**
 * One interface for every encoder (docs/ORIGINAL.md §10): forward gives smp's feature list [f0 … f_depth], f0 the
 * input and f_k at stride 2^k (f5 at 16 where the encoder is dilated); `outChannels` are their channel counts.
 * ENCODER_NAMES and createEncoder are the registry the model, the CLI and the web page read.
 */
import type { nn, Tensor } from '@ulseg/autograd';
import { EfficientNetEncoder } from './efficientnet.js';
import { ENCODERS, encoderSpec, type EncoderName as EfficientNetName } from './efficientnet-params.js';
import { RESNET_NAMES, ResNetEncoder, type ResNetName } from './resnet.js';

/** forward(x) = f0..f_depth (the depth built with, 5 unless a decoder needs fewer). */
export interface Encoder extends nn.Module<Tensor, Tensor[]> {
  /** Channels of f0..f5 (f0 = the input's). */
  readonly outChannels: readonly number[];
  /** Stride of f5: 32, or 16 for a dilated last stage. */
  readonly outputStride: 16 | 32;
}

export interface EncoderBuildOptions {
  inChannels?: number;
  /** 16: the last stage dilated instead of strided (DeepLabV3+, PAN). Default 32. */
  outputStride?: 16 | 32;
  /** EfficientNet's drop-connect base rate (0.2 in the original). */
  dropConnectRate?: number;
  /**
   * The deepest feature the model reads (f0..f_depth, default 5; PSPNet 3). The stages past it are built so that
   * state_dicts match the original but never run: they are marked `stateOnly`.
   */
  depth?: number;
}

export type BackboneName = ResNetName | EfficientNetName;

export const BACKBONES: readonly BackboneName[] = [...RESNET_NAMES, ...(Object.keys(ENCODERS) as EfficientNetName[])];

export function isBackbone(name: string): name is BackboneName {
  return (BACKBONES as readonly string[]).includes(name);
}

export function checkBackbone(name: string): BackboneName {
  if (!isBackbone(name)) throw new Error(`unknown backbone '${name}'; available: ${BACKBONES.join(', ')}`);
  return name;
}

/** The encoder `name`, built at `ctx` (the model's `encoder`). */
export function createEncoder(ctx: nn.InitContext, name: BackboneName, options: EncoderBuildOptions = {}): Encoder {
  if ((RESNET_NAMES as readonly string[]).includes(name)) return new ResNetEncoder(ctx, name as ResNetName, options);
  return new EfficientNetEncoder(ctx, encoderSpec(name), options);
}
