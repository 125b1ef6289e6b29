/** F.groupNorm with PyTorch's argument order and semantics (docs/ORIGINAL.md §9). https://arxiv.org/abs/1803.08494 */
import { formatShape, groupNorm as groupNormKernel, groupNormBackward } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

interface GroupNormAttributes {
  groups: number;
  eps: number;
}

const groupNormOp: Op<[x: Tensor, weight: Tensor, bias: Tensor], GroupNormAttributes, [Tensor, Tensor, Tensor]> = {
  name: 'groupNorm',
  forward: (gpu, [x, weight, bias], { groups, eps }) => {
    const { y, stats } = groupNormKernel(gpu, x.data, groups, weight.data, bias.data, eps);
    return { output: y, saved: [x.detach(), weight.detach(), Tensor.adopt(gpu, stats)] };
  },
  // x̂ = (x − μ_g)·r_g, y = γ·x̂ + β  ⇒  dx = r·(dy·γ − mean_g(dy·γ) − x̂·mean_g(dy·γ·x̂)), dγ = Σ dy·x̂, dβ = Σ dy
  backward: ({ gpu, saved: [x, weight, stats], attributes: { groups } }, dy) => {
    const { dx, dweight, dbias } = groupNormBackward(gpu, dy.data, x.data, groups, weight.data, stats.data);
    return [Tensor.adopt(gpu, dx), Tensor.adopt(gpu, dweight), Tensor.adopt(gpu, dbias)];
  },
};

/**
 * PyTorch `F.group_norm(x, num_groups, weight=None, bias=None, eps=1e-5)` on [N, C, ...]: each sample's channels split
 * into `numGroups` groups, each normalised by its own mean and biased variance, then scaled and shifted per channel.
 */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  if (x.shape.length < 2) throw new Error(`groupNorm: expects [N, C, ...], got ${formatShape(x.shape)}`);
  const channels = x.shape[1]!;
  const ones = weight ? undefined : Tensor.full(x.gpu, [channels], 1);
  const zeros = bias ? undefined : Tensor.zeros(x.gpu, [channels]);
  const y = apply(groupNormOp, [x, weight ?? ones!, bias ?? zeros!], { groups: numGroups, eps });
  ones?.dispose();
  zeros?.dispose();
  return y;
}
