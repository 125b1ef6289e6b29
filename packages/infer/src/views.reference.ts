/** Float64 CPU references of the test-time augmentation (views.ts) and of the ensemble merge (ensemble.ts). */
import { bilinearReference, flipReference } from '@ulseg/kernels/reference';
import type { TtaView } from './views.js';

const FLIP_AXES: Record<TtaView, [horizontal: boolean, vertical: boolean]> = {
  identity: [false, false],
  hflip: [true, false],
  vflip: [false, true],
  rot180: [true, true],
};

/** T_v on [N, C, H, W] planes. */
export function viewReference(x: ArrayLike<number>, shape: readonly number[], view: TtaView): Float64Array {
  const [horizontal, vertical] = FLIP_AXES[view];
  return flipReference(x, shape, horizontal, vertical);
}

/** X[v·B + b] = T_v(x[b]) for x [B, C, H, W]. */
export function augmentViewsReference(x: ArrayLike<number>, shape: readonly number[], views: readonly TtaView[]): Float64Array {
  const size = shape.reduce((product, extent) => product * extent, 1);
  const out = new Float64Array(views.length * size);
  views.forEach((view, v) => out.set(viewReference(x, shape, view), v * size));
  return out;
}

/** p[b] = σ((1/V) Σ_v T_v(L[v·B + b])) for L [V·B, C, H, W]; `shape` is the merged [B, C, H, W]. */
export function mergeViewsReference(logits: ArrayLike<number>, shape: readonly number[], views: readonly TtaView[]): Float64Array {
  const size = shape.reduce((product, extent) => product * extent, 1);
  const mean = new Float64Array(size);
  views.forEach((view, v) => {
    const block = Array.prototype.slice.call(logits, v * size, (v + 1) * size) as number[];
    const restored = viewReference(block, shape, view);
    for (let index = 0; index < size; index++) mean[index]! += restored[index]! / views.length;
  });
  return mean.map((value) => 1 / (1 + Math.exp(-value)));
}

/**
 * The whole per-image merge of an ensemble: for each model k, its logits for the V views of one image
 * ([V, 1, R, R], view order) → σ(mean of de-augmented logits) → bilinear resize (align_corners = False) to
 * height × width; then the mean over models. Returns the probability map [height · width].
 */
export function ensembleReference(
  logitsPerModel: readonly ArrayLike<number>[],
  resolution: number,
  views: readonly TtaView[],
  height: number,
  width: number,
): Float64Array {
  const out = new Float64Array(height * width);
  for (const logits of logitsPerModel) {
    const probability = mergeViewsReference(logits, [1, 1, resolution, resolution], views);
    const resized = bilinearReference(probability, [1, 1, resolution, resolution], height, width);
    for (let index = 0; index < out.length; index++) out[index]! += resized[index]! / logitsPerModel.length;
  }
  return out;
}
