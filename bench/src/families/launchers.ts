/**
 * The kernels the rows call, by name. A row lists what it calls in `requires` (its report says which kernel it
 * measures) and gets the launcher from the context; the types are the kernels' own signatures.
 */
import {
  adam,
  batchNorm2d,
  batchNorm2dBackward,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  convTranspose2d,
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
  edgeMedianFilter,
  gemm,
  medianFilter,
  type Gpu,
  type GpuTensor,
} from '@ulseg/kernels';

/** Every launcher a row may name in `requires`. */
export const KERNEL_LAUNCHERS = {
  gemm,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  convTranspose2d,
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
  batchNorm2d,
  batchNorm2dBackward,
  adam,
  medianFilter,
  edgeMedianFilter,
} as const;

export type LauncherName = keyof typeof KERNEL_LAUNCHERS;

export type Gemm = typeof gemm;
export type Conv2d = typeof conv2d;
export type ConvOptions = NonNullable<Parameters<typeof conv2d>[3]>;
export type Conv2dBackwardInput = typeof conv2dBackwardInput;
export type Conv2dBackwardWeight = typeof conv2dBackwardWeight;
export type ConvTranspose2d = typeof convTranspose2d;
export type ConvTranspose2dBackwardInput = typeof convTranspose2dBackwardInput;
export type ConvTranspose2dBackwardWeight = typeof convTranspose2dBackwardWeight;
export type BatchNorm2d = typeof batchNorm2d;
export type BatchNorm2dBackward = typeof batchNorm2dBackward;
export type Adam = typeof adam;
export type MedianFilter = typeof medianFilter;

/** The requirement entries: `requires: [LAUNCHERS.gemm]`, `launcher<Gemm>(LAUNCHERS.gemm.name)`. */
export const LAUNCHERS = Object.fromEntries(Object.keys(KERNEL_LAUNCHERS).map((name) => [name, { name }])) as {
  readonly [Name in LauncherName]: { readonly name: Name };
};

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
