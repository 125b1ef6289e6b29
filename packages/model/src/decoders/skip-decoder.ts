/** The top-down pass Unet and Linknet share: their blocks differ, the walk over the encoder's features does not. */
import type { nn, Tensor } from '@ulseg/autograd';

/** A Unet or Linknet decoder block: forward([x, skip]), with no skip in the last block. */
export type SkipBlock = nn.Module<readonly [Tensor, Tensor | undefined], Tensor>;

/**
 * features f0..f5 → x = f5, then x = block_i([x, s_i]) for s = f4, f3, f2, f1 and then none (f0, the input, is never a
 * skip), block by block.
 */
export function decodeWithSkips(blocks: readonly SkipBlock[], features: readonly Tensor[]): Tensor {
  const [head, ...skips] = features.slice(1).reverse();
  let x = head!;
  blocks.forEach((block, index) => {
    x = block.forward([x, skips[index]]);
  });
  return x;
}
