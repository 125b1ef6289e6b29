/**
 * An augmentation plan: what each sample of a batch gets (plain data, `SampleOp` lists in application order) and
 * the dispatch schedule that realises it (@ulseg/kernels' `AugmentLayout`: steps, each one kernel over the whole
 * batch with a parameter row per sample it changes and the others copied). No GPU code: `augmentBatch` runs it.
 */
import {
  affineRow,
  coarseDropoutRow,
  cropResizeStage,
  elasticRow,
  flipStage,
  foldFlips,
  fullWindow,
  gaussianBlurRow,
  gaussianNoiseRow,
  imgaugAffineMatrix,
  INTENSITY_STRIDES,
  KernelArgumentError,
  linearContrastRow,
  meanBlurRow,
  medianBlurRow,
  piecewiseAffineRow,
  pixelDropoutRow,
  sharpenRow,
  tableFromRows,
  WARP_STRIDES,
  type AffineParameters,
  type AugmentLayout,
  type AugmentStep,
  type BatchShape,
  type BorderMode,
  type CropPixels,
  type Interpolation,
  type IntensityOp,
  type StepKernel,
  type WarpField,
  type WarpStage,
} from '@ulseg/kernels';

/** One augmentation of one sample, with its drawn parameters. */
export type SampleOp =
  | { readonly kind: 'horizontalFlip' }
  | { readonly kind: 'verticalFlip' }
  | { readonly kind: 'crop'; readonly crop: CropPixels; readonly interpolation: Interpolation }
  | { readonly kind: 'affine'; readonly parameters: AffineParameters; readonly interpolation: Interpolation; readonly border: BorderMode; readonly fill: number }
  | { readonly kind: 'sharpen'; readonly alpha: number; readonly lightness: number }
  | { readonly kind: 'piecewiseAffine'; readonly rows: number; readonly cols: number; readonly scale: number; readonly displacements: readonly number[]; readonly interpolation: Interpolation }
  | { readonly kind: 'linearContrast'; readonly alpha: number }
  | { readonly kind: 'gaussianBlur'; readonly sigma: number; readonly truncate: 'imgaug' | number }
  | { readonly kind: 'meanBlur'; readonly k: number }
  | { readonly kind: 'medianBlur'; readonly k: number }
  | { readonly kind: 'gaussianNoise'; readonly sigma: number; readonly seed: number }
  | { readonly kind: 'pixelDropout'; readonly p: number; readonly seed: number }
  | { readonly kind: 'coarseDropout'; readonly p: number; readonly sizePercentY: number; readonly sizePercentX: number; readonly minSize: number; readonly seed: number }
  | { readonly kind: 'elastic'; readonly alpha: number; readonly sigma: number; readonly seed: number; readonly interpolation: Interpolation };

export type SampleOpKind = SampleOp['kind'];

/** The geometric ops (imgaug's first block), warped with the affine field. */
export const GEOMETRIC_KINDS: readonly SampleOpKind[] = ['horizontalFlip', 'verticalFlip', 'crop', 'affine'];

export interface AugmentPlan extends AugmentLayout {
  /** Per sample, its ops in application order. */
  readonly samples: readonly (readonly SampleOp[])[];
}

export interface CompileOptions {
  /** Fold flips into a neighbouring warp of the same sample (exact, see foldFlips). Default true. */
  readonly foldFlips?: boolean;
  /**
   * When every sample's non-geometric ops follow one order (imgaug's per-batch random_order), that order of kernel
   * keys: the schedule is then one step per key. Otherwise samples are merged greedily.
   */
  readonly keyOrder?: readonly string[];
}

function warpStage(op: SampleOp, shape: BatchShape): WarpStage {
  const { height, width } = shape;
  switch (op.kind) {
    case 'horizontalFlip':
      return flipStage(height, width, true, false);
    case 'verticalFlip':
      return flipStage(height, width, false, true);
    case 'crop':
      return cropResizeStage(height, width, op.crop, op.interpolation);
    case 'affine':
      return { matrix: imgaugAffineMatrix(op.parameters, height, width), interpolation: op.interpolation, border: op.border, fill: op.fill, window: fullWindow(height, width) };
    default:
      throw new KernelArgumentError(`augment plan: '${op.kind}' is not a geometric op`);
  }
}

const warpKernel = (field: WarpField): StepKernel => ({ family: 'warp', field });
const intensityKernel = (op: IntensityOp): StepKernel => ({ family: 'intensity', op });

/** The kernel and table row of a non-geometric op. */
export function stepOf(op: SampleOp, shape: BatchShape): { kernel: StepKernel; row: number[] } {
  switch (op.kind) {
    case 'piecewiseAffine':
      return { kernel: warpKernel('piecewise'), row: piecewiseAffineRow({ rows: op.rows, cols: op.cols, displacements: op.displacements, interpolation: op.interpolation }, shape) };
    case 'elastic':
      return { kernel: warpKernel('elastic'), row: elasticRow({ seed: op.seed, alpha: op.alpha, sigma: op.sigma, interpolation: op.interpolation }, shape) };
    case 'sharpen':
      return { kernel: intensityKernel('sharpen'), row: sharpenRow(op.alpha, op.lightness) };
    case 'linearContrast':
      return { kernel: intensityKernel('linearContrast'), row: linearContrastRow(op.alpha) };
    case 'gaussianBlur':
      return { kernel: intensityKernel('blur'), row: gaussianBlurRow(op.sigma, op.truncate) };
    case 'meanBlur':
      return { kernel: intensityKernel('blur'), row: meanBlurRow(op.k) };
    case 'medianBlur':
      return { kernel: intensityKernel('medianBlur'), row: medianBlurRow(op.k) };
    case 'gaussianNoise':
      return { kernel: intensityKernel('gaussianNoise'), row: gaussianNoiseRow(op.sigma, op.seed) };
    case 'pixelDropout':
      return { kernel: intensityKernel('dropout'), row: pixelDropoutRow(op.p, op.seed, shape) };
    case 'coarseDropout':
      return { kernel: intensityKernel('dropout'), row: coarseDropoutRow(op.p, op.sizePercentY, op.sizePercentX, op.seed, shape, op.minSize) };
    default:
      throw new KernelArgumentError(`augment plan: '${op.kind}' is a geometric op`);
  }
}

/** 'warp.piecewise', 'intensity.blur', ...: the schedule groups samples by this key. */
export function stepKey(kernel: StepKernel): string {
  return kernel.family === 'warp' ? `warp.${kernel.field}` : `intensity.${kernel.op}`;
}

function strideOf(kernel: StepKernel): number {
  return kernel.family === 'warp' ? WARP_STRIDES[kernel.field] : INTENSITY_STRIDES[kernel.op];
}

/**
 * Orders the samples' non-geometric sequences into steps so that each sample's ops run in its own order. With a
 * key order (one permutation per batch) that order is followed; otherwise greedy, a heuristic for the shortest
 * common supersequence: the next step is the key that is next for the samples with the most ops left in total
 * (ties: the earliest key in sorted order). For batches of the original policy of 16 that is about 16 steps (2 of them warps).
 */
function schedule(sequences: readonly { key: string; kernel: StepKernel; row: number[] }[][], keyOrder: readonly string[] | undefined): { kernel: StepKernel; rows: Map<number, number[]> }[] {
  const position = sequences.map(() => 0);
  const steps: { kernel: StepKernel; rows: Map<number, number[]> }[] = [];
  for (;;) {
    const counts = new Map<string, number>();
    sequences.forEach((sequence, n) => {
      const next = sequence[position[n]!];
      if (next) counts.set(next.key, (counts.get(next.key) ?? 0) + sequence.length - position[n]!);
    });
    if (counts.size === 0) return steps;
    const keys = [...counts.keys()].sort();
    const rank = (key: string): number => (keyOrder?.includes(key) ? keyOrder.indexOf(key) : keyOrder ? Infinity : -counts.get(key)!);
    const key = keys.reduce((best, candidate) => (rank(candidate) < rank(best) ? candidate : best));
    const rows = new Map<number, number[]>();
    let kernel: StepKernel | undefined;
    sequences.forEach((sequence, n) => {
      const next = sequence[position[n]!];
      if (next?.key !== key) return;
      rows.set(n, next.row);
      kernel = next.kernel;
      position[n]!++;
    });
    steps.push({ kernel: kernel!, rows });
  }
}

/** Turns per-sample op lists (geometric ops first, then the rest) into a plan. */
export function compileAugmentPlan(samples: readonly (readonly SampleOp[])[], shape: BatchShape, options: CompileOptions = {}): AugmentPlan {
  if (samples.length !== shape.batch) throw new KernelArgumentError(`augment plan: ${samples.length} op lists for a batch of ${shape.batch}`);
  const steps: AugmentStep[] = [];
  const addStep = (kernel: StepKernel, rows: ReadonlyMap<number, number[]>): void => {
    const stride = strideOf(kernel);
    const table = tableFromRows(Array.from({ length: shape.batch }, (_, n) => rows.get(n)), stride);
    steps.push({ kernel, table, stride, samples: [...rows.keys()].sort((a, b) => a - b) });
  };
  const warps = samples.map((ops) => {
    const stages = ops.filter((op) => GEOMETRIC_KINDS.includes(op.kind)).map((op) => warpStage(op, shape));
    return options.foldFlips === false ? stages : foldFlips(stages, shape.height, shape.width);
  });
  samples.forEach((ops, n) => {
    const firstOther = ops.findIndex((op) => !GEOMETRIC_KINDS.includes(op.kind));
    if (firstOther >= 0 && ops.slice(firstOther).some((op) => GEOMETRIC_KINDS.includes(op.kind))) {
      throw new KernelArgumentError(`augment plan: sample ${n} has a geometric op after a non-geometric one (geometric ops come first)`);
    }
  });
  const warpCount = Math.max(0, ...warps.map((stages) => stages.length));
  for (let k = 0; k < warpCount; k++) {
    const rows = new Map<number, number[]>();
    warps.forEach((stages, n) => {
      const stage = stages[k];
      if (stage) rows.set(n, affineRow(stage));
    });
    addStep(warpKernel('affine'), rows);
  }
  const sequences = samples.map((ops) =>
    ops
      .filter((op) => !GEOMETRIC_KINDS.includes(op.kind))
      .map((op) => {
        const { kernel, row } = stepOf(op, shape);
        return { key: stepKey(kernel), kernel, row };
      }),
  );
  for (const step of schedule(sequences, options.keyOrder)) addStep(step.kernel, step.rows);
  return { ...shape, samples, steps };
}
