/**
 * The training augmentation policy of ORIGINAL.md §3 (the original's imgaug 0.4.0 pipeline), drawn on the CPU from a
 * seeded generator; no GPU here. Per sample:
 *   1. geometric children in random order: h-flip p 0.3, v-flip p 0.3, p 0.5 crop each side U[0, 5%] and resize
 *      back, p 0.5 affine (scale x, y U[0.8, 1.2], translate U[−20%, 20%], rotate U[−10°, 10°], shear U[−5°, 5°] the
 *      same for x and y, image nearest or bilinear, border constant/edge/symmetric/reflect/wrap with fill U[0, 255]);
 *   2. then SomeOf((0, 5)) of seven children, random order, no repeats: sharpen; p 0.5 piecewise affine; linear
 *      contrast; one of Gaussian / mean / median blur; additive Gaussian noise; one of pixel / coarse dropout; p 0.5
 *      elastic. (A "p 0.5" child that is picked but loses its coin flip does nothing, as imgaug's Sometimes.)
 * Every range, probability and choice list is an option (`AugmentPolicyInput`, merged over the defaults).
 * `order: 'batch'` draws one child order per batch, as imgaug 0.4.0's Sequential / SomeOf(random_order=True) do;
 * the default `'sample'` draws one per sample, as ORIGINAL.md §3 states.
 *
 * Where the GPU version differs from imgaug 0.4.0 (checked against OpenCV 4.14 where OpenCV does the work):
 * - Images stay float32 between ops (imgaug rounds to uint8 after each); values are clipped to 0..255 where imgaug's
 *   uint8 arithmetic saturates (sharpen, contrast, noise, bicubic). Blurs, median, sharpen, dropout cells: same as
 *   OpenCV to float precision.
 * - Warps sample at Q10 fixed-point positions (1/1024 px, each product rounded on its own, so the CPU reference is
 *   bit-exact); OpenCV's warpAffine/remap interpolate at 1/32 px. On a smooth image the two differ by ≤ 0.5 grey
 *   levels, more across a fill or wrap step (≤ 2.3); nearest picks the same pixel except at near-ties (~1 in 1000).
 * - Crop-and-resize moves the mask with centre-aligned nearest sampling, like the image; cv2 INTER_NEAREST
 *   (floor(x·W'/W)) can put imgaug's mask half a pixel off its image.
 * - Piecewise affine interpolates the control displacements bilinearly per grid cell (skimage triangulates).
 * - Elastic: noise from a counter hash, Gaussian smoothing with Q14 integer weights (same σ, ksize rule, padding).
 * - Random numbers come from the given generator, not numpy: the same distributions, other streams. The affine fill
 *   is continuous U[0, 255]. Folding flips into warps (default) changes only round-half ties of nearest sampling.
 */
import { BORDER_MODES, roundHalfEven, type BatchShape, type BorderMode, type Interpolation } from '@ulseg/kernels';
import { compileAugmentPlan, stepKey, stepOf, type AugmentPlan, type SampleOp } from './augment-plan.js';

/** What the policy needs of a generator (the testing `Random` fits). */
export interface AugmentRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform u32. */
  nextUint32(): number;
}

export type AugmentRange = readonly [low: number, high: number];

export const ENHANCED_CHILDREN = ['sharpen', 'piecewiseAffine', 'linearContrast', 'blur', 'gaussianNoise', 'dropout', 'elastic'] as const;
export type EnhancedChild = (typeof ENHANCED_CHILDREN)[number];
export const GEOMETRIC_CHILDREN = ['horizontalFlip', 'verticalFlip', 'crop', 'affine'] as const;
export type GeometricChild = (typeof GEOMETRIC_CHILDREN)[number];

export interface AugmentPolicy {
  readonly order: 'sample' | 'batch';
  /** Fold flips into a neighbouring warp (exact; fewer dispatches). */
  readonly foldFlips: boolean;
  readonly horizontalFlip: { readonly p: number };
  readonly verticalFlip: { readonly p: number };
  readonly crop: { readonly p: number; readonly percent: AugmentRange; readonly interpolation: Interpolation };
  readonly affine: {
    readonly p: number;
    readonly scale: AugmentRange;
    readonly translatePercent: AugmentRange;
    readonly rotate: AugmentRange;
    readonly shear: AugmentRange;
    /** 'same': shear_y = shear_x (ORIGINAL.md §3); 'independent': its own draw; 'none': 0. */
    readonly shearY: 'same' | 'independent' | 'none';
    readonly interpolations: readonly Interpolation[];
    readonly borders: readonly BorderMode[];
    readonly fill: AugmentRange;
  };
  /** How many enhanced children a sample gets: uniform integer in the range (capped at the children listed). */
  readonly enhancedCount: AugmentRange;
  readonly enhanced: readonly EnhancedChild[];
  readonly sharpen: { readonly alpha: AugmentRange; readonly lightness: AugmentRange };
  readonly piecewiseAffine: { readonly p: number; readonly scale: AugmentRange; readonly rows: AugmentRange; readonly cols: AugmentRange; readonly interpolation: Interpolation };
  readonly linearContrast: { readonly alpha: AugmentRange };
  readonly blur: { readonly gaussianSigma: AugmentRange; readonly gaussianTruncate: 'imgaug' | number; readonly meanK: AugmentRange; readonly medianK: readonly number[] };
  readonly gaussianNoise: { readonly sigma: AugmentRange };
  readonly dropout: { readonly pixelP: AugmentRange; readonly coarseP: AugmentRange; readonly coarseSizePercent: AugmentRange; readonly coarseMinSize: number };
  readonly elastic: { readonly p: number; readonly alpha: AugmentRange; readonly sigma: AugmentRange; readonly interpolation: Interpolation };
}

/** ORIGINAL.md §3. */
export const DEFAULT_AUGMENT_POLICY: AugmentPolicy = {
  order: 'sample',
  foldFlips: true,
  horizontalFlip: { p: 0.3 },
  verticalFlip: { p: 0.3 },
  crop: { p: 0.5, percent: [0, 0.05], interpolation: 'bicubic' },
  affine: {
    p: 0.5,
    scale: [0.8, 1.2],
    translatePercent: [-0.2, 0.2],
    rotate: [-10, 10],
    shear: [-5, 5],
    shearY: 'same',
    interpolations: ['nearest', 'bilinear'],
    borders: BORDER_MODES,
    fill: [0, 255],
  },
  enhancedCount: [0, 5],
  enhanced: ENHANCED_CHILDREN,
  sharpen: { alpha: [0, 1], lightness: [0.75, 1.25] },
  piecewiseAffine: { p: 0.5, scale: [0.01, 0.05], rows: [2, 4], cols: [2, 4], interpolation: 'bilinear' },
  linearContrast: { alpha: [0.75, 1.25] },
  blur: { gaussianSigma: [0, 3], gaussianTruncate: 'imgaug', meanK: [2, 7], medianK: [3, 5, 7, 9, 11] },
  gaussianNoise: { sigma: [0, 0.05 * 255] },
  dropout: { pixelP: [0.01, 0.1], coarseP: [0.03, 0.15], coarseSizePercent: [0.02, 0.05], coarseMinSize: 3 },
  elastic: { p: 0.5, alpha: [0.5, 3.5], sigma: [0.25, 0.25], interpolation: 'bicubic' },
};

/** Options: any group may be given in part; it is merged over the default group. */
export type AugmentPolicyInput = { readonly [K in keyof AugmentPolicy]?: AugmentPolicy[K] extends readonly unknown[] | string | number | boolean ? AugmentPolicy[K] : Partial<AugmentPolicy[K]> };

export function resolveAugmentPolicy(input: AugmentPolicyInput = {}): AugmentPolicy {
  const merged: AugmentPolicy = { ...DEFAULT_AUGMENT_POLICY };
  for (const key of Object.keys(input) as (keyof AugmentPolicy)[]) {
    const value = input[key];
    if (value === undefined) continue;
    const base = DEFAULT_AUGMENT_POLICY[key];
    // A group (an object) is merged over the default group; a list or a scalar replaces the default.
    Object.assign(merged, { [key]: base && typeof base === 'object' && !Array.isArray(base) ? { ...base, ...(value as object) } : value });
  }
  return merged;
}

const uniform = (random: AugmentRandom, [low, high]: AugmentRange): number => low + (high - low) * random.next();
const integer = (random: AugmentRandom, [low, high]: AugmentRange): number => low + Math.floor(random.next() * (high - low + 1));
const choice = <T>(random: AugmentRandom, items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
const coin = (random: AugmentRandom, p: number): boolean => random.next() < p;
const normal = (random: AugmentRandom): number => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());

function shuffled<T>(random: AugmentRandom, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function drawGeometric(random: AugmentRandom, child: GeometricChild, shape: BatchShape, policy: AugmentPolicy): SampleOp | undefined {
  const { height, width } = shape;
  switch (child) {
    case 'horizontalFlip':
      return coin(random, policy.horizontalFlip.p) ? { kind: 'horizontalFlip' } : undefined;
    case 'verticalFlip':
      return coin(random, policy.verticalFlip.p) ? { kind: 'verticalFlip' } : undefined;
    case 'crop': {
      if (!coin(random, policy.crop.p)) return undefined;
      // imgaug CropAndPad(percent): np.round(fraction·size) pixels per side, keeping at least one pixel.
      const side = (size: number): number => roundHalfEven(uniform(random, policy.crop.percent) * size);
      let [top, right, bottom, left] = [side(height), side(width), side(height), side(width)];
      while (top + bottom >= height) top > bottom ? top-- : bottom--;
      while (left + right >= width) left > right ? left-- : right--;
      return { kind: 'crop', crop: { top, right, bottom, left }, interpolation: policy.crop.interpolation };
    }
    case 'affine': {
      const a = policy.affine;
      if (!coin(random, a.p)) return undefined;
      const shearX = uniform(random, a.shear);
      const parameters = {
        scaleX: uniform(random, a.scale),
        scaleY: uniform(random, a.scale),
        translateX: uniform(random, a.translatePercent) * width,
        translateY: uniform(random, a.translatePercent) * height,
        rotate: uniform(random, a.rotate),
        shearX,
        shearY: a.shearY === 'same' ? shearX : a.shearY === 'independent' ? uniform(random, a.shear) : 0,
      };
      return { kind: 'affine', parameters, interpolation: choice(random, a.interpolations), border: choice(random, a.borders), fill: uniform(random, a.fill) };
    }
  }
}

function drawEnhanced(random: AugmentRandom, child: EnhancedChild, shape: BatchShape, policy: AugmentPolicy): SampleOp | undefined {
  switch (child) {
    case 'sharpen':
      return { kind: 'sharpen', alpha: uniform(random, policy.sharpen.alpha), lightness: uniform(random, policy.sharpen.lightness) };
    case 'piecewiseAffine': {
      const pa = policy.piecewiseAffine;
      if (!coin(random, pa.p)) return undefined;
      const rows = integer(random, pa.rows);
      const cols = integer(random, pa.cols);
      const scale = uniform(random, pa.scale);
      const displacements: number[] = [];
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          // Control point (np.linspace(0, H, rows)), moved by N(0, s·H), N(0, s·W), clipped to the image.
          const x = (j * shape.width) / (cols - 1);
          const y = (i * shape.height) / (rows - 1);
          const movedY = Math.min(Math.max(y + normal(random) * scale * shape.height, 0), shape.height - 1);
          const movedX = Math.min(Math.max(x + normal(random) * scale * shape.width, 0), shape.width - 1);
          displacements.push(movedX - x, movedY - y);
        }
      }
      return { kind: 'piecewiseAffine', rows, cols, scale, displacements, interpolation: pa.interpolation };
    }
    case 'linearContrast':
      return { kind: 'linearContrast', alpha: uniform(random, policy.linearContrast.alpha) };
    case 'blur': {
      const b = policy.blur;
      const which = Math.floor(random.next() * 3);
      if (which === 0) return { kind: 'gaussianBlur', sigma: uniform(random, b.gaussianSigma), truncate: b.gaussianTruncate };
      if (which === 1) return { kind: 'meanBlur', k: integer(random, b.meanK) };
      return { kind: 'medianBlur', k: choice(random, b.medianK) };
    }
    case 'gaussianNoise':
      return { kind: 'gaussianNoise', sigma: uniform(random, policy.gaussianNoise.sigma), seed: random.nextUint32() };
    case 'dropout': {
      const d = policy.dropout;
      if (random.next() < 0.5) return { kind: 'pixelDropout', p: uniform(random, d.pixelP), seed: random.nextUint32() };
      const p = uniform(random, d.coarseP);
      return { kind: 'coarseDropout', p, sizePercentY: uniform(random, d.coarseSizePercent), sizePercentX: uniform(random, d.coarseSizePercent), minSize: d.coarseMinSize, seed: random.nextUint32() };
    }
    case 'elastic': {
      const e = policy.elastic;
      if (!coin(random, e.p)) return undefined;
      return { kind: 'elastic', alpha: uniform(random, e.alpha), sigma: uniform(random, e.sigma), seed: random.nextUint32(), interpolation: e.interpolation };
    }
  }
}

/** One sample's ops, in application order; `orders` fixes the child orders (order 'batch'). */
export function drawSampleOps(random: AugmentRandom, shape: BatchShape, policy: AugmentPolicy, orders?: { geometric: readonly GeometricChild[]; enhanced: readonly EnhancedChild[] }): SampleOp[] {
  const ops: SampleOp[] = [];
  for (const child of orders?.geometric ?? shuffled(random, GEOMETRIC_CHILDREN)) {
    const op = drawGeometric(random, child, shape, policy);
    if (op) ops.push(op);
  }
  const count = Math.min(integer(random, policy.enhancedCount), policy.enhanced.length);
  const picked = new Set(shuffled(random, policy.enhanced).slice(0, count));
  const order = orders?.enhanced ?? shuffled(random, policy.enhanced);
  for (const child of order.filter((c) => picked.has(c))) {
    const op = drawEnhanced(random, child, shape, policy);
    if (op) ops.push(op);
  }
  return ops;
}

/** Kernel keys of each enhanced child, in a child order: the schedule of order 'batch'. */
function keyOrderOf(children: readonly EnhancedChild[], shape: BatchShape): string[] {
  const examples: Record<EnhancedChild, SampleOp[]> = {
    sharpen: [{ kind: 'sharpen', alpha: 0, lightness: 1 }],
    piecewiseAffine: [{ kind: 'piecewiseAffine', rows: 2, cols: 2, scale: 0, displacements: [0, 0, 0, 0, 0, 0, 0, 0], interpolation: 'nearest' }],
    linearContrast: [{ kind: 'linearContrast', alpha: 1 }],
    blur: [{ kind: 'meanBlur', k: 1 }, { kind: 'medianBlur', k: 1 }],
    gaussianNoise: [{ kind: 'gaussianNoise', sigma: 0, seed: 0 }],
    dropout: [{ kind: 'pixelDropout', p: 0, seed: 0 }],
    elastic: [{ kind: 'elastic', alpha: 0, sigma: 0.25, seed: 0, interpolation: 'nearest' }],
  };
  return children.flatMap((child) => examples[child].map((op) => stepKey(stepOf(op, shape).kernel)));
}

/** Draws the ops of every sample of a batch and compiles them into a plan (the tables augmentBatch uploads). */
export function planAugmentation(random: AugmentRandom, shape: BatchShape, options: AugmentPolicyInput = {}): AugmentPlan {
  const policy = resolveAugmentPolicy(options);
  const orders = policy.order === 'batch' ? { geometric: shuffled(random, GEOMETRIC_CHILDREN), enhanced: shuffled(random, policy.enhanced) } : undefined;
  const samples = Array.from({ length: shape.batch }, () => drawSampleOps(random, shape, policy, orders));
  return compileAugmentPlan(samples, shape, { foldFlips: policy.foldFlips, ...(orders ? { keyOrder: keyOrderOf(orders.enhanced, shape) } : {}) });
}
