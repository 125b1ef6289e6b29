/** interpolate (bilinear, align_corners=False) and flips, differentiable. */
import { flip as flipKernel, resizeBilinear, resizeBilinearBackward, type Flip } from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

interface InterpolateAttributes {
  size: [number, number];
  inputShape: readonly number[];
}

const interpolateOp: Op<InterpolateAttributes> = {
  name: 'interpolate',
  forward: (gpu, [x], { size }) => ({ output: resizeBilinear(gpu, x!.data, size) }),
  // y = R x for the fixed bilinear matrix R  ⇒  dx = Rᵀ dy
  backward: ({ gpu, attributes: { inputShape } }, dy) => [Tensor.adopt(gpu, resizeBilinearBackward(gpu, dy.data, inputShape))],
};

/**
 * PyTorch `F.interpolate(x, size, mode='bilinear', align_corners=False)` on [N, C, H, W] (to within 1 ulp of
 * torch's float32 result).
 */
export function interpolate(x: Tensor, size: readonly [number, number], options: { mode?: 'bilinear'; alignCorners?: false } = {}): Tensor {
  if ((options.mode ?? 'bilinear') !== 'bilinear' || options.alignCorners) {
    throw new Error(`interpolate: only mode 'bilinear' with alignCorners false is supported`);
  }
  return apply(interpolateOp, [x], { size: [size[0], size[1]], inputShape: x.shape });
}

const flipOps = new Map<Flip, Op>();

function flipOp(kind: Flip): Op {
  let op = flipOps.get(kind);
  if (!op) {
    op = {
      name: `flip.${kind}`,
      forward: (gpu, [x]) => ({ output: flipKernel(gpu, kind, x!.data) }),
      // A flip is a permutation that is its own inverse: dx = flip(dy)
      backward: ({ gpu }, dy) => [Tensor.adopt(gpu, flipKernel(gpu, kind, dy.data))],
    };
    flipOps.set(kind, op);
  }
  return op;
}

/** Flips [N, C, H, W] along W (`hflip`), H (`vflip`) or both (`rot180`), as torch.flip on dims 3, 2, (2, 3). */
export function flip(x: Tensor, kind: Flip): Tensor {
  return apply(flipOp(kind), [x], undefined);
}
