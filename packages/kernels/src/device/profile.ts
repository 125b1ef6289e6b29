/**
 * The device profile: what the launchers ask to choose a kernel variant and its sizes, made once by createGpu from
 * the adapter. Two classes: `cpu-simd` (lavapipe, SwiftShader: invocations are SIMD lanes of CPU threads, a memory
 * access with a per-lane address is a loop over the lanes, a barrier is a coroutine switch) and `gpu` (the rest).
 * Every field can be overridden (createGpu's `profile` option) so tests run every variant on every adapter.
 */
import { KernelArgumentError } from './errors.js';
import type { ResolvedAdapterKind } from './adapters.js';

export const DEVICE_CLASSES = ['cpu-simd', 'gpu'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

/**
 * GEMM cores (ops/gemm): `tiled` stages both operands in workgroup memory, each invocation owns an 8 x 8 register
 * tile (the GPU core); `lanes` uses no workgroup memory or barriers: a workgroup of 8 lanes owns 16 rows of C, each
 * lane 8 columns (the CPU core); `subgroup` is `lanes` with the group's loads of A shared through subgroup
 * broadcasts (needs the subgroups feature).
 */
export const GEMM_VARIANTS = ['tiled', 'lanes', 'subgroup'] as const;
export type GemmVariant = (typeof GEMM_VARIANTS)[number];

/** Per-channel sums (batch norm statistics, squeeze-excitation pooling): lane trees in a workgroup, or one lane each. */
export type ReductionStyle = 'workgroup' | 'lane';

export interface DeviceProfile {
  readonly class: DeviceClass;
  /** The `subgroups` feature is enabled on the device. */
  readonly subgroups: boolean;
  /** The smallest subgroup the adapter may run (1 when there are no subgroups). */
  readonly subgroupMinSize: number;
  /** Cores the device spreads workgroups over (CPU adapters: the host's hardware threads); a hint. */
  readonly cores: number;
  /** Core of gemm and of the 1x1 convolutions routed through it. */
  readonly gemm: GemmVariant;
  /** Core of the implicit-GEMM convolutions (forward, input gradient, weight gradient, transposed): `tiled` only for now. */
  readonly conv: GemmVariant;
  /** Fewest workgroups a GEMM dispatch should have before a long K is split. */
  readonly gemmTargetWorkgroups: number;
  /** Same for the weight gradient's chunks of N·OH·OW. */
  readonly weightTargetWorkgroups: number;
  /** Largest threads per side of the tiled core's workgroup (8 threads = 64 rows or columns). */
  readonly tiledMaxSide: number;
  /** k values the tiled core stages per step. */
  readonly tiledBk: number;
  /** Per-channel reductions of short channels. */
  readonly reduction: ReductionStyle;
  /**
   * conv2d over a channel cat of two tensors reads the two in place (ops/conv2d-concat) instead of the cat's copy;
   * the 1x1 ones keep the copy and gemm either way.
   */
  readonly concatConv: boolean;
  /**
   * Adjacent outputs of a row per lane in the depthwise forward: 8, or 16 (half the per-lane loads per FMA on
   * lavapipe, but no gain measured yet over 8 on the CPU adapters: 8 on both classes for now).
   */
  readonly depthwiseOutputs: 8 | 16;
  /**
   * gemm's sumBatch with both operands batched may move the batch into K (one product over batch · K after
   * transposing the operands whose K is contiguous) where that moves fewer elements than partial products summed
   * by `reduce` (gemm's GemmOptions.batchIntoK); false always takes the partials.
   */
  readonly gemmBatchIntoK: boolean;
  /**
   * The depthwise weight gradient of short N·OH·OW (deep layers at small resolution) as one lane per channel and
   * kernel row instead of a workgroup reduction per channel (ops/depthwise, DepthwiseWeightLayout): CPU adapters,
   * where the workgroup's barrier and tree cost more than the few items it sums.
   */
  readonly depthwiseWeightLanes: boolean;
  /**
   * Dense (groups 1) convolutions with a kernel larger than 1x1 as an explicit im2col buffer and a gemm on the
   * profile's GEMM core (ops/conv2d/conv2d-im2col.ts: forward W·cols, input gradient col2im(Wᵀ·dy), weight gradient
   * dy·colsᵀ) instead of the implicit-GEMM kernels on the tiled core: lavapipe, where the subgroup GEMM core is
   * faster than the tiled one by more than the im2col buffer's traffic costs. Off by default on every adapter for
   * now: it changes the float32 rounding of training, and the demo preset chosen on the implicit kernels loses its
   * target on one seed with it (docs/DEMO.md); switch it on per call (`im2col: true`), per device
   * (`createGpu({ profile: { convIm2col: true } })`) or in the bench (`--im2col on`).
   */
  readonly convIm2col: boolean;
}

export type ProfileOverrides = Partial<Omit<DeviceProfile, 'class'>> & { class?: DeviceClass };

interface AdapterFacts {
  readonly kind: ResolvedAdapterKind;
  readonly features: readonly string[];
  readonly subgroupMinSize?: number;
  readonly cores?: number;
}

/**
 * lavapipe: 8-lane AVX2 groups, up to 1024 invocations, 128 x 128 tiled workgroups; SwiftShader: subgroups of 4, at
 * most 256 invocations and slow compiles (64 x 64 tiles, BK 8). GPUs: 64 x 64 tiles, BK 16, and enough workgroups to
 * fill the streaming multiprocessors.
 */
export function profileFor(adapter: AdapterFacts, overrides: ProfileOverrides = {}): DeviceProfile {
  const subgroups = adapter.features.includes('subgroups');
  const cores = Math.max(1, adapter.cores ?? 1);
  const cpu = adapter.kind === 'lavapipe' || adapter.kind === 'swiftshader';
  const base: DeviceProfile = cpu
    ? {
        class: 'cpu-simd',
        subgroups,
        subgroupMinSize: subgroups ? Math.max(1, adapter.subgroupMinSize ?? (adapter.kind === 'lavapipe' ? 8 : 4)) : 1,
        cores,
        gemm: subgroups ? 'subgroup' : 'tiled',
        conv: 'tiled',
        gemmTargetWorkgroups: 8,
        weightTargetWorkgroups: adapter.kind === 'lavapipe' ? 16 : 8,
        tiledMaxSide: adapter.kind === 'lavapipe' ? 16 : 8,
        tiledBk: adapter.kind === 'lavapipe' ? 16 : 8,
        reduction: 'lane',
        concatConv: true,
        depthwiseOutputs: 8,
        gemmBatchIntoK: true,
        depthwiseWeightLanes: true,
        convIm2col: false,
      }
    : {
        class: 'gpu',
        subgroups,
        subgroupMinSize: subgroups ? Math.max(1, adapter.subgroupMinSize ?? 4) : 1,
        cores,
        gemm: 'tiled',
        conv: 'tiled',
        gemmTargetWorkgroups: 256,
        weightTargetWorkgroups: 512,
        tiledMaxSide: 8,
        tiledBk: 16,
        reduction: 'workgroup',
        concatConv: true,
        depthwiseOutputs: 8,
        gemmBatchIntoK: true,
        depthwiseWeightLanes: false,
        convIm2col: false,
      };
  const profile = { ...base, ...overrides };
  checkProfile(profile);
  return profile;
}

function checkProfile(profile: DeviceProfile): void {
  const problems: string[] = [];
  if (!DEVICE_CLASSES.includes(profile.class)) problems.push(`class '${profile.class}' is not one of ${DEVICE_CLASSES.join(', ')}`);
  if (!GEMM_VARIANTS.includes(profile.gemm)) problems.push(`gemm '${profile.gemm}' is not one of ${GEMM_VARIANTS.join(', ')}`);
  if (profile.conv !== 'tiled') problems.push(`conv '${profile.conv}': the implicit-GEMM convolutions run on the tiled core only`);
  if (!['workgroup', 'lane'].includes(profile.reduction)) problems.push(`reduction '${profile.reduction}' is not workgroup or lane`);
  for (const key of ['subgroupMinSize', 'cores', 'gemmTargetWorkgroups', 'weightTargetWorkgroups', 'tiledMaxSide', 'tiledBk'] as const) {
    if (!Number.isInteger(profile[key]) || profile[key] < 1) problems.push(`${key} must be a positive integer, got ${profile[key]}`);
  }
  if (![2, 4, 8, 16].includes(profile.tiledMaxSide)) problems.push(`tiledMaxSide must be 2, 4, 8 or 16, got ${profile.tiledMaxSide}`);
  if (![4, 8, 16, 32].includes(profile.tiledBk)) problems.push(`tiledBk must be 4, 8, 16 or 32, got ${profile.tiledBk}`);
  if (![8, 16].includes(profile.depthwiseOutputs)) problems.push(`depthwiseOutputs must be 8 or 16, got ${profile.depthwiseOutputs}`);
  if (problems.length) throw new KernelArgumentError(`device profile: ${problems.join('; ')}`);
}

export function describeProfile(profile: DeviceProfile): string {
  return (
    `profile: ${profile.class}, gemm ${profile.gemm}, conv ${profile.conv}, subgroups ` +
    `${profile.subgroups ? `yes (min size ${profile.subgroupMinSize})` : 'no'}, cores ${profile.cores}, reductions ${profile.reduction}, cat+conv ${profile.concatConv ? 'in place' : 'copied'}, depthwise ${profile.depthwiseOutputs} a lane, im2col ${profile.convIm2col ? 'yes' : 'no'}`
  );
}
