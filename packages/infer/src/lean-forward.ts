/**
 * SegmentationModel's eval forward with each activation freed as soon as nothing downstream needs it:
 *   f1 = encoder.stem(x) = silu(bn0(conv_stem(x))), f2..f5 = outputs of the blocks ending each stage, then the
 *   Linknet decoder d5 = f5, d_i = block_i(d_{i+1}) + f_i, logits = head(d1)
 * Each block runs in its own scope that keeps only its output; a block's input is disposed once the next block has
 * been recorded, and an encoder feature once its decoder block has. It calls the same module forwards as
 * model.forward (conv + BN + activation fused by nn.convBatchNorm alike), so the same kernels run in the same order
 * and the logits are bit-identical; peak memory is one block's intermediates plus the skips, not every
 * activation of the pass (B6, 4 × 256²: 2.3 GB under one scope).
 */
import { scope, type Tensor } from '@ulseg/autograd';
import { checkInput, EfficientNetEncoder, LinknetDecoder, type SegmentationModel } from '@ulseg/model';

interface Layer {
  forward(x: Tensor): Tensor;
}

function layer(modules: Map<string, unknown>, name: string): Layer {
  const module = modules.get(name) as Partial<Layer> | undefined;
  if (typeof module?.forward !== 'function') throw new Error(`leanForward: the model has no module '${name}' (its layout changed; update lean-forward.ts)`);
  return module as Layer;
}

export function leanForward(model: SegmentationModel, x: Tensor): Tensor {
  if (model.training) throw new Error('leanForward: for inference only; call model.eval() first');
  checkInput(x, model.config.inChannels);
  const { encoder, decoder } = model;
  if (!(encoder instanceof EfficientNetEncoder) || !(decoder instanceof LinknetDecoder)) {
    throw new Error('leanForward: Linknet on EfficientNet only; run model.forward for other networks');
  }
  const modules = new Map<string, unknown>(model.namedModules());
  const head = layer(modules, 'segmentation_head.0');
  const taps = new Set(encoder.spec.stageIndexes.map((index) => index - 1));
  const features: Tensor[] = [scope(() => encoder.stem(x))];
  let y = features[0]!;
  for (const block of encoder.blocks) {
    const next = scope(() => block.forward(y, 0, undefined));
    if (!features.includes(y)) y.dispose();
    y = next;
    if (taps.has(block.spec.index)) features.push(y);
  }
  if (!features.includes(y)) y.dispose();
  const [deepest, ...skips] = features.reverse();
  let d = deepest!;
  decoder.blocks.forEach((block, index) => {
    const skip = skips[index];
    const next = scope(() => block.forward(d, skip));
    d.dispose();
    skip?.dispose();
    d = next;
  });
  const logits = scope(() => head.forward(d));
  d.dispose();
  return logits;
}
