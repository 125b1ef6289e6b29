/**
 * The launcher signatures the benchmark entries call for kernels that are being written now. They follow the
 * kernel conventions (docs/ARCHITECTURE.md: `(gpu, inputs..., options?) → GpuTensor`, NCHW, float32). When a kernel
 * lands with a different name or signature, the row prints "not available yet: <folder>.<name> (... export: ...)"
 * or fails with the launcher's own argument error: fix the type here and the call in the family's file.
 */
import type { Gpu, GpuTensor } from '@ulseg/kernels';
import type { Requirement } from '../definition.js';

export interface ConvOptions {
  /** Same stride along H and W. */
  stride?: number;
  /** Symmetric zero padding along H and W (every benchmarked shape pads symmetrically). */
  padding?: number;
  /** Depthwise: groups = channels (conv2d routes it to its depthwise kernels, as F.conv2d does). */
  groups?: number;
  out?: GpuTensor;
}

/** C[M, N] = A[M, K] · B[K, N]. ops/gemm */
export type Gemm = (gpu: Gpu, a: GpuTensor, b: GpuTensor, options?: { out?: GpuTensor; variant?: 'tiled' | 'lanes' | 'subgroup'; swapOperands?: boolean; foldBatch?: boolean }) => GpuTensor;

/** y[N, Cout, Ho, Wo] = x[N, Cin, H, W] ⋆ w[Cout, Cin / groups, kh, kw]. ops/conv2d (depthwise too, with groups) */
export type Conv2d = (gpu: Gpu, x: GpuTensor, w: GpuTensor, options?: ConvOptions) => GpuTensor;
/** dx[N, Cin, H, W] from dy[N, Cout, Ho, Wo] and w. */
export type Conv2dBackwardInput = (gpu: Gpu, dy: GpuTensor, w: GpuTensor, inputShape: readonly number[], options?: ConvOptions) => GpuTensor;
/** dw[Cout, Cin, kh, kw] from x and dy. */
export type Conv2dBackwardWeight = (gpu: Gpu, x: GpuTensor, dy: GpuTensor, weightShape: readonly number[], options?: ConvOptions) => GpuTensor;

/** y[N, Cout, (H−1)s − 2p + k, ...] = x[N, Cin, H, W] ⋆ᵀ w[Cin, Cout, k, k] (PyTorch's layout). ops/conv-transpose2d */
export type ConvTranspose2d = Conv2d;
/** dx[N, Cin, H, W] from dy and w (a strided convolution). */
export type ConvTranspose2dBackwardInput = Conv2dBackwardInput;
/** dw[Cin, Cout, k, k] from x and dy. */
export type ConvTranspose2dBackwardWeight = Conv2dBackwardWeight;

/** Training-mode batch norm over (N, H, W) per channel; updates the running statistics in place. ops/batch-norm */
export type BatchNorm2d = (
  gpu: Gpu,
  x: GpuTensor,
  weight: GpuTensor,
  bias: GpuTensor,
  options: { training: true; runningMean: GpuTensor; runningVar: GpuTensor; momentum: number; eps: number; reduction?: 'workgroup' | 'lane' },
) => { y: GpuTensor; mean: GpuTensor; invstd: GpuTensor };
/** dx, dweight, dbias from dy, x, weight and the statistics the forward saved. */
export type BatchNorm2dBackward = (
  gpu: Gpu,
  dy: GpuTensor,
  x: GpuTensor,
  weight: GpuTensor,
  saved: { mean: GpuTensor; invstd: GpuTensor },
  out?: { reduction?: 'workgroup' | 'lane' },
) => { dx: GpuTensor; dweight: GpuTensor; dbias: GpuTensor };

/** One Adam step over groups of (param, grad, m, v) of one shape each, in place. ops/adam */
export type Adam = (
  gpu: Gpu,
  groups: ReadonlyArray<{ param: GpuTensor; grad: GpuTensor; m: GpuTensor; v: GpuTensor }>,
  step: number,
  options: { learningRate: number },
) => void;

/** k x k median (replicate border) of [N, C, H, W] planes; `binary` for {0, 255} masks (counting path). ops/median */
export type MedianFilter = (gpu: Gpu, x: GpuTensor, k: number, options?: { binary?: boolean; out?: GpuTensor }) => GpuTensor;

/** The requirement entries, so each family lists folder and launcher in one place. */
export const LAUNCHERS = {
  gemm: { folder: 'gemm', name: 'gemm' },
  conv2d: { folder: 'conv2d', name: 'conv2d' },
  conv2dBackwardInput: { folder: 'conv2d', name: 'conv2dBackwardInput' },
  conv2dBackwardWeight: { folder: 'conv2d', name: 'conv2dBackwardWeight' },
  convTranspose2d: { folder: 'conv-transpose2d', name: 'convTranspose2d' },
  convTranspose2dBackwardInput: { folder: 'conv-transpose2d', name: 'convTranspose2dBackwardInput' },
  convTranspose2dBackwardWeight: { folder: 'conv-transpose2d', name: 'convTranspose2dBackwardWeight' },
  batchNorm2d: { folder: 'batch-norm', name: 'batchNorm2d' },
  batchNorm2dBackward: { folder: 'batch-norm', name: 'batchNorm2dBackward' },
  adam: { folder: 'adam', name: 'adam' },
  medianFilter: { folder: 'median', name: 'medianFilter' },
  edgeMedianFilter: { folder: 'median', name: 'edgeMedianFilter' },
  unary: { folder: 'unary', name: 'unary' },
  binary: { folder: 'binary', name: 'binary' },
  reduce: { folder: 'reduce', name: 'reduce' },
  copyTensor: { folder: 'fill', name: 'copyTensor' },
} as const satisfies Record<string, Requirement>;

function isTensor(value: unknown): value is GpuTensor {
  return typeof value === 'object' && value !== null && 'buffer' in value && 'shape' in value;
}

/** Returns every pool tensor in a launcher's result (a tensor, an array or an object of them) to the pool. */
export function releaseResult(gpu: Gpu, value: unknown, keep: readonly GpuTensor[] = []): void {
  if (isTensor(value)) {
    if (!keep.some((kept) => kept.buffer === value.buffer)) gpu.release(value);
  } else if (Array.isArray(value)) {
    for (const item of value) releaseResult(gpu, item, keep);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) releaseResult(gpu, item, keep);
  }
}
