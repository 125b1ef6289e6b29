/** interpolate (nearest; bilinear with align_corners False or True) and flips, differentiable. */
import {
  flip as flipKernel,
  formatShape,
  resizeBilinear,
  resizeBilinearBackward,
  upsampleNearest,
  upsampleNearestBackward,
  type Flip,
  type ScaleFactors,
} from '@ulseg/kernels';
import { apply, type Op } from '../op.js';
import { Tensor } from '../tensor.js';

export type InterpolateMode = 'nearest' | 'bilinear';

interface InterpolateAttributes {
  mode: InterpolateMode;
  alignCorners: boolean;
  size: [number, number];
  scaleFactor: ScaleFactors | undefined;
  inputShape: readonly number[];
}

const interpolateOp: Op<[Tensor], InterpolateAttributes> = {
  name: 'interpolate',
  forward: (gpu, [x], { mode, alignCorners, size, scaleFactor }) => ({
    output: mode === 'nearest' ? upsampleNearest(gpu, x.data, size, scaleFactor) : resizeBilinear(gpu, x.data, size, undefined, { alignCorners }),
  }),
  // y = R x for the fixed resampling matrix R  ⇒  dx = Rᵀ dy
  backward: ({ gpu, attributes: { mode, alignCorners, scaleFactor, inputShape } }, dy) => [
    Tensor.adopt(
      gpu,
      mode === 'nearest'
        ? upsampleNearestBackward(gpu, dy.data, inputShape, scaleFactor)
        : resizeBilinearBackward(gpu, dy.data, inputShape, undefined, { alignCorners }),
    ),
  ],
};

export interface InterpolateOptions {
  /** Output [height, width]; give this or scaleFactor. */
  size?: readonly [number, number];
  /** Output = ⌊input·scale⌋ per axis; nearest then takes its source index from 1/scale, as PyTorch does. */
  scaleFactor?: number | readonly [number, number];
  /** Default 'nearest', as in PyTorch. */
  mode?: InterpolateMode;
  /** bilinear only: PyTorch's align_corners (default false). */
  alignCorners?: boolean;
}

/**
 * PyTorch `F.interpolate(x, size=None, scale_factor=None, mode='nearest', align_corners=None)` on [N, C, H, W]
 * (docs/ORIGINAL.md §9): nearest picks x[⌊o·in/out⌋] (o >> 1 for ×2); bilinear with align_corners False maps pixel
 * centres (to within 1 ulp of torch's float32), with True maps the corner pixels onto each other.
 */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new Error(`interpolate: mode must be 'nearest' or 'bilinear', got '${String(mode)}'`);
  if (mode === 'nearest' && options.alignCorners !== undefined) {
    throw new Error(`interpolate: alignCorners can only be set with mode 'bilinear', not 'nearest'`);
  }
  if (x.shape.length !== 4) throw new Error(`interpolate: expects [N, C, H, W], got ${formatShape(x.shape)}`);
  if ((options.size === undefined) === (options.scaleFactor === undefined)) {
    throw new Error(`interpolate: give exactly one of size and scaleFactor`);
  }
  const [h, w] = [x.shape[2]!, x.shape[3]!];
  let scaleFactor: ScaleFactors | undefined;
  let size: [number, number];
  if (options.scaleFactor !== undefined) {
    const factors = typeof options.scaleFactor === 'number' ? [options.scaleFactor, options.scaleFactor] : options.scaleFactor;
    if (factors.length !== 2 || factors.some((factor) => !(factor > 0) || !Number.isFinite(factor))) {
      throw new Error(`interpolate: scaleFactor must be positive, got ${JSON.stringify(options.scaleFactor)}`);
    }
    scaleFactor = [factors[0]!, factors[1]!];
    size = [Math.floor(h * scaleFactor[0]), Math.floor(w * scaleFactor[1])];
    if (mode === 'bilinear' && !options.alignCorners && (size[0] !== h * scaleFactor[0] || size[1] !== w * scaleFactor[1])) {
      // PyTorch would map with 1/scale rather than in/out here; only whole output sizes are implemented.
      throw new Error(`interpolate: bilinear without alignCorners needs scaleFactor·size whole (got ${h}x${w} · ${JSON.stringify(options.scaleFactor)}); give size instead`);
    }
  } else {
    size = [options.size![0], options.size![1]];
  }
  const alignCorners = options.alignCorners ?? false;
  return apply(interpolateOp, [x], { mode, alignCorners, size, scaleFactor: mode === 'nearest' ? scaleFactor : undefined, inputShape: x.shape });
}

const flipOps = new Map<Flip, Op<[Tensor]>>();

function flipOp(kind: Flip): Op<[Tensor]> {
  let op = flipOps.get(kind);
  if (!op) {
    op = {
      name: `flip.${kind}`,
      forward: (gpu, [x]) => ({ output: flipKernel(gpu, kind, x.data) }),
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
