/**
 * The training loss of the original (`calc_loss`): w·BCEWithLogits + (1 − w)·soft Dice over the whole batch, with
 *   p = σ(l),  dice = 1 − (2Σp·t + smoothing)/(Σp + Σt + smoothing),  bce = mean(max(l, 0) − l·t + log(1 + e^−|l|)),
 * its gradient to the logits, and per-image Dice / IoU of the thresholded masks (the reported metrics).
 * With diceReduction 'image' the Dice term is the mean over the N images of [N, ...] of each image's soft Dice loss
 * (sums over that image only), so a small lesion weighs as much as a large one; BCE stays the mean over all elements.
 * The forward makes one pass over the data: every workgroup reduces (Σp, Σt, Σp·t, Σbce) of one chunk of one Dice
 * group (the batch, or an image) as a vec4 tree, then vec4 tree passes combine each group's chunk sums until one row
 * per group is left, and a one-thread pass forms the loss.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { dims4, formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import {
  LOSS_BACKWARD_WGSL,
  LOSS_COMBINE_WGSL,
  LOSS_FINISH_WGSL,
  LOSS_PARTIAL_WGSL,
  LOSS_CHUNK_PARAMS,
  LOSS_PARAMS,
  SEGMENTATION_METRICS_PARAMS,
  SEGMENTATION_METRICS_WGSL,
} from './loss.wgsl.js';

const WORKGROUP_SIZE = 256;
const PER_THREAD = 8;
const CHUNK = WORKGROUP_SIZE * PER_THREAD;

const PARTIAL_KERNEL: KernelSource = { name: 'segmentationLoss', code: LOSS_PARTIAL_WGSL, constants: { WORKGROUP_SIZE, PER_THREAD } };
const COMBINE_KERNEL: KernelSource = { name: 'segmentationLoss.combine', code: LOSS_COMBINE_WGSL, constants: { WORKGROUP_SIZE, PER_THREAD } };
const FINISH_KERNEL: KernelSource = { name: 'segmentationLoss.finish', code: LOSS_FINISH_WGSL };
const BACKWARD_NAME = 'segmentationLossBackward';
export const SEGMENTATION_METRICS_KERNEL: KernelSource = {
  name: 'segmentationMetrics',
  code: SEGMENTATION_METRICS_WGSL,
  constants: { WORKGROUP_SIZE },
};

export interface SegmentationLossOptions {
  /** w in w·BCE + (1 − w)·Dice; default 0 (pure Dice, as the original trained). */
  bceWeight?: number;
  /** Added to the Dice numerator and denominator; default 1. */
  smoothing?: number;
  /**
   * What one soft Dice is taken over: 'batch' (default, the original's smp DiceLoss) pools every element; 'image'
   * takes one per image (the first axis) and averages them.
   */
  diceReduction?: DiceReduction;
}

export type DiceReduction = 'batch' | 'image';

export interface SegmentationLoss {
  /** [3] = (w·bce + (1 − w)·dice, dice, bce). */
  loss: GpuTensor;
  /** (Σp, Σt, Σp·t, Σbce) per Dice group, what the backward needs: [4] ('batch') or [N, 4] ('image'). */
  sums: GpuTensor;
}

interface Resolved {
  bceWeight: number;
  smoothing: number;
  /** Dice groups and elements per group. */
  groups: number;
  count: number;
  sumsShape: number[];
}

function resolve(name: string, options: SegmentationLossOptions, shape: readonly number[], count: number): Resolved {
  const bceWeight = options.bceWeight ?? 0;
  const smoothing = options.smoothing ?? 1;
  const diceReduction = options.diceReduction ?? 'batch';
  if (!Number.isFinite(bceWeight)) throw new KernelArgumentError(`${name}: bceWeight must be finite, got ${bceWeight}`);
  if (!(smoothing >= 0)) throw new KernelArgumentError(`${name}: smoothing must be >= 0, got ${smoothing}`);
  if (diceReduction === 'batch') return { bceWeight, smoothing, groups: 1, count, sumsShape: [4] };
  if (diceReduction !== 'image') throw new KernelArgumentError(`${name}: diceReduction must be 'batch' or 'image', got '${String(diceReduction)}'`);
  if (shape.length < 2) throw new KernelArgumentError(`${name}: diceReduction 'image' needs logits of shape [N, ...], got ${formatShape(shape)}`);
  const groups = shape[0]!;
  return { bceWeight, smoothing, groups, count: count / groups, sumsShape: [groups, 4] };
}

function checkPair(name: string, logits: GpuTensor, target: GpuTensor): number {
  if (!sameShape(logits.shape, target.shape)) {
    throw new KernelArgumentError(`${name}: logits ${formatShape(logits.shape)} and target ${formatShape(target.shape)} differ in shape`);
  }
  const count = numel(logits.shape);
  if (count === 0) throw new KernelArgumentError(`${name}: logits ${formatShape(logits.shape)} are empty`);
  return count;
}

function checkOut(name: string, what: string, tensor: GpuTensor, shape: readonly number[], inputs: readonly GpuTensor[]): void {
  if (!sameShape(tensor.shape, shape)) throw new KernelArgumentError(`${name}: ${what} of shape ${formatShape(tensor.shape)} should be ${formatShape(shape)}`);
  if (inputs.some((input) => input.buffer === tensor.buffer)) throw new KernelArgumentError(`${name}: ${what} must not alias an input buffer`);
}

/** Forward: the loss and the four sums it is made of (kept for the backward). */
export function segmentationLoss(
  gpu: Gpu,
  logits: GpuTensor,
  target: GpuTensor,
  options: SegmentationLossOptions = {},
  out: { loss?: GpuTensor; sums?: GpuTensor } = {},
): SegmentationLoss {
  const name = PARTIAL_KERNEL.name;
  const { bceWeight, smoothing, groups, count, sumsShape } = resolve(name, options, logits.shape, checkPair(name, logits, target));
  const loss = out.loss ?? gpu.empty([3], `${name} loss`);
  const sums = out.sums ?? gpu.empty(sumsShape, `${name} sums`);
  checkOut(name, 'loss', loss, [3], [logits, target]);
  checkOut(name, 'sums', sums, sumsShape, [logits, target, loss]);
  const maxGroups = gpu.limits.maxComputeWorkgroupsPerDimension;
  // rows: partial-sum rows per group.
  let rows = Math.ceil(count / CHUNK);
  let partial = rows === 1 ? sums : gpu.empty([groups, rows, 4], `${name} partial`);
  gpu.dispatch({
    kernel: PARTIAL_KERNEL,
    uniforms: LOSS_CHUNK_PARAMS.write({ count, chunks: rows, groups }),
    tensors: [logits, target, partial],
    workgroups: flatGrid(groups * rows, 1, maxGroups),
  });
  while (rows > 1) {
    const chunks = Math.ceil(rows / CHUNK);
    const next = chunks === 1 ? sums : gpu.empty([groups, chunks, 4], `${name} partial`);
    gpu.dispatch({
      kernel: COMBINE_KERNEL,
      uniforms: LOSS_CHUNK_PARAMS.write({ count: rows, chunks, groups }),
      tensors: [partial, next],
      workgroups: flatGrid(groups * chunks, 1, maxGroups),
    });
    gpu.release(partial);
    partial = next;
    rows = chunks;
  }
  gpu.dispatch({
    kernel: FINISH_KERNEL,
    uniforms: LOSS_PARAMS.write({ count, groups, bce_weight: bceWeight, smoothing }),
    tensors: [sums, loss],
    workgroups: [1],
  });
  return { loss, sums };
}

/**
 * Backward to the logits (derivation in LOSS_BACKWARD_WGSL): for element i of Dice group g of G,
 *   dl_i = dy·[w·(σ(l_i) − t_i)/n + (1 − w)·σ(l_i)(1 − σ(l_i))·(A_g − 2t_i·B_g)/(G·B_g²)],
 *   A_g = 2Σp·t + smoothing, B_g = Σp + Σt + smoothing over group g, n = all elements.
 * `sums` comes from the forward on the same logits, target and diceReduction; `dy` ([1] or []) defaults to 1.
 */
export function segmentationLossBackward(
  gpu: Gpu,
  logits: GpuTensor,
  target: GpuTensor,
  sums: GpuTensor,
  options: SegmentationLossOptions & { dy?: GpuTensor } = {},
  out?: GpuTensor,
): GpuTensor {
  const { bceWeight, smoothing, groups, count, sumsShape } = resolve(BACKWARD_NAME, options, logits.shape, checkPair(BACKWARD_NAME, logits, target));
  if (!sameShape(sums.shape, sumsShape)) {
    throw new KernelArgumentError(`${BACKWARD_NAME}: sums of shape ${formatShape(sums.shape)} should be ${formatShape(sumsShape)}`);
  }
  const dy = options.dy;
  if (dy && numel(dy.shape) !== 1) throw new KernelArgumentError(`${BACKWARD_NAME}: dy of shape ${formatShape(dy.shape)} should be a scalar ([] or [1])`);
  const dl = out ?? gpu.empty(logits.shape, BACKWARD_NAME);
  checkOut(BACKWARD_NAME, 'output', dl, logits.shape, [logits, target, sums, ...(dy ? [dy] : [])]);
  gpu.dispatch({
    kernel: { name: BACKWARD_NAME, code: LOSS_BACKWARD_WGSL, constants: { WORKGROUP_SIZE, HAS_DY: dy !== undefined } },
    uniforms: LOSS_PARAMS.write({ count, groups, bce_weight: bceWeight, smoothing }),
    // Without dy, `sums` fills its (unread) binding: two read-only bindings of one buffer are valid.
    tensors: [logits, target, sums, dy ?? sums, dl],
    workgroups: flatGrid(groups * count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return dl;
}

/** Per-image (Dice, IoU) of {logits ≥ 0} against {target ≥ 0.5}, for logits and target of shape [N, 1, H, W]. */
export function segmentationMetrics(gpu: Gpu, logits: GpuTensor, target: GpuTensor, out?: GpuTensor): GpuTensor {
  const name = SEGMENTATION_METRICS_KERNEL.name;
  if (logits.shape.length !== 4 || logits.shape[1] !== 1) {
    throw new KernelArgumentError(`${name}: logits must be [N, 1, H, W], got ${formatShape(logits.shape)}`);
  }
  checkPair(name, logits, target);
  const [images, , h, w] = dims4(logits.shape);
  const metrics = out ?? gpu.empty([images, 2], name);
  checkOut(name, 'output', metrics, [images, 2], [logits, target]);
  gpu.dispatch({
    kernel: SEGMENTATION_METRICS_KERNEL,
    uniforms: SEGMENTATION_METRICS_PARAMS.write({ images, hw: h * w }),
    tensors: [logits, target, metrics],
    workgroups: flatGrid(images, 1, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return metrics;
}
