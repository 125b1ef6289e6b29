/**
 * Ensemble members: anything that maps a batch [N, 1, R, R] to logits [N, 1, R, R]. The usual member is a Linknet or
 * Unet read from our safetensors or the original's `.pth` (network and backbone inferred from the weights).
 */
import type { Tensor } from '@ulseg/autograd';
import type { Gpu } from '@ulseg/kernels';
import { describeNetwork, modelSpecFromWeights, readWeights, SegmentationModel, type BackboneName } from '@ulseg/model';
import { leanForward } from './lean-forward.js';

/** x [N, 1, R, R] in [0, 1] → logits [N, 1, R, R]. Called under noGrad, in a scope that disposes what it creates. */
export interface SegmentationNetwork {
  forward(x: Tensor): Tensor;
}

export interface LoadedMember {
  readonly network: SegmentationNetwork;
  /** e.g. `Linknet on efficientnet-b6`. */
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
 * A member of any of the six networks (run with {@link leanForward}) from weight bytes (safetensors or `.pth`, told apart by content). `read` is called at load time, so
 * an ensemble loaded one model at a time holds one model's weights in memory at once.
 */
export function weightsMember(name: string, read: () => Promise<Uint8Array>, options: { encoder?: BackboneName } = {}): EnsembleMember {
  return {
    name,
    async load(gpu: Gpu): Promise<LoadedMember> {
      const { weights } = await readWeights(await read(), name);
      const { network, backbone, decoderAttention, inChannels, classes } = modelSpecFromWeights(weights, name, options.encoder ? { backbone: options.encoder } : {});
      if (inChannels !== 1) throw new Error(`${name}: the model takes ${inChannels} input channels; inference feeds it 1 (gray), as the original`);
      if (!weights.has('segmentation_head.0.weight')) throw new Error(`${name}: no 'segmentation_head.0.weight': the model's number of classes is unknown; inference needs 1 (lesion vs background)`);
      if (classes !== 1) throw new Error(`${name}: the model predicts ${classes} classes; inference needs 1 (lesion vs background)`);
      const model = new SegmentationModel(gpu, { network, encoder: backbone, decoderAttention, inChannels: 1, classes: 1 });
      try {
        model.load(weights, { source: name });
      } catch (error) {
        model.dispose();
        throw error;
      }
      model.eval();
      return {
        network: { forward: (x) => leanForward(model, x) },
        description: network === 'linknet' && backbone.startsWith('efficientnet-') ? backbone : describeNetwork(network, backbone, decoderAttention),
        dispose: () => model.dispose(),
      };
    },
  };
}
