/**
 * Ensemble members: anything that maps a batch [N, 1, R, R] to logits [N, 1, R, R]. The usual member is a
 * Linknet-EfficientNet read from our safetensors or the original's `.pth` (variant inferred from the weights).
 */
import type { Tensor } from '@ulseg/autograd';
import type { Gpu } from '@ulseg/kernels';
import { inferEncoder, readWeights, SegmentationModel, type EncoderName } from '@ulseg/model';
import { leanForward } from './lean-forward.js';

/** x [N, 1, R, R] in [0, 1] → logits [N, 1, R, R]. Called under noGrad, in a scope that disposes what it creates. */
export interface SegmentationNetwork {
  forward(x: Tensor): Tensor;
}

export interface LoadedMember {
  readonly network: SegmentationNetwork;
  /** e.g. `efficientnet-b6`. */
  readonly description: string;
  /** Frees the member's GPU memory. */
  dispose(): void;
}

export interface EnsembleMember {
  /** Shown in progress and errors, e.g. the weights' file name. */
  readonly name: string;
  load(gpu: Gpu): Promise<LoadedMember>;
}

/**
 * A Linknet member (run with {@link leanForward}) from weight bytes (safetensors or `.pth`, told apart by content). `read` is called at load time, so
 * an ensemble loaded one model at a time holds one model's weights in memory at once.
 */
export function weightsMember(name: string, read: () => Promise<Uint8Array>, options: { encoder?: EncoderName } = {}): EnsembleMember {
  return {
    name,
    async load(gpu: Gpu): Promise<LoadedMember> {
      const { weights } = await readWeights(await read(), name);
      const stem = weights.get('encoder._conv_stem.weight');
      if (!stem) throw new Error(`${name}: no 'encoder._conv_stem.weight'; not a Linknet-EfficientNet state_dict`);
      let encoder: EncoderName;
      try {
        encoder = options.encoder ?? inferEncoder(weights.keys(), stem.shape);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
      const inChannels = stem.shape[1];
      if (inChannels !== 1) throw new Error(`${name}: the model takes ${inChannels} input channels; inference feeds it 1 (gray), as the original`);
      const classes = weights.get('segmentation_head.0.weight')?.shape[0];
      if (classes !== 1) throw new Error(`${name}: the model predicts ${classes ?? 'an unknown number of'} classes; inference needs 1 (lesion vs background)`);
      const model = new SegmentationModel(gpu, { encoder, inChannels: 1, classes: 1 });
      try {
        model.load(weights, { source: name });
      } catch (error) {
        model.dispose();
        throw error;
      }
      model.eval();
      return { network: { forward: (x) => leanForward(model, x) }, description: encoder, dispose: () => model.dispose() };
    },
  };
}
