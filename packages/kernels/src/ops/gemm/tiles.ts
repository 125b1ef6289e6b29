/**
 * Tile table of the GEMM core (gemm-core.wgsl.ts), shared by gemm and the implicit-GEMM convolutions: the workgroup
 * tile is (8 WM) x (8 WN) with WM x WN threads, each owning an 8 x 8 register tile, and BK values of k staged in
 * workgroup memory per step. Sized by the device profile (tiledMaxSide, tiledBk) and the problem shape; small M or N
 * get a narrower tile. On lavapipe what counts is FMAs per load: the 8 x 8 register tile, and on large problems a
 * 128 x 128 workgroup tile (256 threads, one 16 KiB stage of BK 16) that halves the global loads per FMA.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { GemmVariant } from '../../device/profile.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { GEMM_CORE_WGSL } from './gemm-core.wgsl.js';
import { composeModule, gemmLanesCore, LANES_TILE } from './gemm-lanes.wgsl.js';

export interface GemmTile {
  /** Which core (device/profile.ts): `tiled` uses wm, wn, bk; `lanes` and `subgroup` own 8 x 64 tiles, k by 4. */
  readonly variant: GemmVariant;
  /** `subgroup`: the smallest subgroup size A loads are shared over (else 0). */
  readonly share: number;
  /** Threads along M (rows); the tile has 8 WM rows. */
  readonly wm: number;
  /** Threads along N (columns); the tile has 8 WN columns. */
  readonly wn: number;
  /** k values staged in workgroup memory per step. */
  readonly bk: number;
}

export const ACTIVATIONS = ['none', 'relu', 'sigmoid', 'silu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function activationCode(kernel: string, activation: Activation | undefined): number {
  const code = ACTIVATIONS.indexOf(activation ?? 'none');
  if (code < 0) throw new KernelArgumentError(`${kernel}: unknown activation '${activation}'. Known: ${ACTIVATIONS.join(', ')}`);
  return code;
}

/**
 * At most three widths per side (16, 64 or 8 maxSide rows or columns): every distinct tile is a pipeline to compile
 * (seconds each on the CPU adapters), so the table stays small.
 */
function side(extent: number, maxSide: number): number {
  if (extent <= 16) return 2;
  return extent <= 64 ? Math.min(8, maxSide) : maxSide;
}

/**
 * The tile for a rows x cols output with the profile's variant, or `variant` when given (tests and benchmarks force
 * each one). `subgroup` needs the subgroups feature: asking for it without is an error naming the adapter.
 */
export function chooseTile(gpu: Gpu, kernel: string, rows: number, cols: number, variant: GemmVariant): GemmTile {
  if (variant === 'tiled') {
    const { tiledMaxSide, tiledBk } = gpu.deviceProfile;
    return { variant, share: 0, wm: side(rows, tiledMaxSide), wn: side(cols, tiledMaxSide), bk: tiledBk };
  }
  if (variant === 'subgroup' && !gpu.deviceProfile.subgroups) {
    throw new KernelArgumentError(
      `${kernel}: the 'subgroup' GEMM variant needs the subgroups feature, which this device (${gpu.info.description || gpu.info.kind}) ` +
        `does not have; use 'lanes' or 'tiled'`,
    );
  }
  if (variant !== 'lanes' && variant !== 'subgroup') {
    throw new KernelArgumentError(`${kernel}: unknown GEMM variant '${variant as string}'. Known: tiled, lanes, subgroup`);
  }
  const share = variant === 'subgroup' ? gpu.deviceProfile.subgroupMinSize : 0;
  return { variant, share, wm: 1, wn: LANES_TILE.cols / 8, bk: LANES_TILE.kStep };
}

/**
 * The core of an implicit-GEMM convolution: `tiled` only. The lanes cores inline the header's gather (load_b) into
 * every unrolled step, which SwiftShader's compiler could not build in reasonable time and memory (bench/RESULTS.md,
 * "figures moved out of code comments"), so they are refused here until they are proven there.
 */
export function implicitGemmVariant(kernel: string, variant: GemmVariant): GemmVariant {
  if (variant !== 'tiled') {
    throw new KernelArgumentError(
      `${kernel}: the implicit-GEMM convolution runs on the 'tiled' GEMM core only, not '${variant}' (1x1 convolutions routed ` +
        `through gemm take any core)`,
    );
  }
  return variant;
}

/** Rows of C one workgroup owns. */
export function tileRows(tile: GemmTile): number {
  return tile.variant === 'tiled' ? 8 * tile.wm : LANES_TILE.rows;
}

/** Columns of C one workgroup owns. */
export function tileCols(tile: GemmTile): number {
  return tile.variant === 'tiled' ? 8 * tile.wn : LANES_TILE.cols;
}

/** Override constants of the tiled core for a tile (none for the lanes core). */
export function tileConstants(tile: GemmTile): Record<string, number> {
  return tile.variant === 'tiled' ? { WM: tile.wm, WN: tile.wn, BK: tile.bk } : {};
}

const lanesCores = new Map<number, string>();

/** A header (bindings and the GEMM hooks) followed by the tile's core, with the tile's constants. */
export function gemmModule(name: string, header: string, tile: GemmTile, constants: Record<string, number | boolean> = {}): KernelSource {
  if (tile.variant === 'tiled') return { name, code: `${header}${GEMM_CORE_WGSL}`, constants: { ...tileConstants(tile), ...constants } };
  let core = lanesCores.get(tile.share);
  if (core === undefined) {
    core = gemmLanesCore(tile.share);
    lanesCores.set(tile.share, core);
  }
  return { name, code: composeModule(header, core), constants };
}

export interface Epilogue {
  scale?: boolean;
  shift?: boolean;
  /** gemm: the channel is the row (else the column). */
  perRow?: boolean;
  act?: number;
}

/** The flags word EPILOGUE_WGSL reads: bit 0 scale, bit 1 shift, bit 2 per row, bits 8.. activation. */
export function epilogueFlags(epilogue: Epilogue): number {
  return (epilogue.scale ? 1 : 0) | (epilogue.shift ? 2 : 0) | (epilogue.perRow ? 4 : 0) | ((epilogue.act ?? 0) << 8);
}

/** Workgroups [x over columns, y over rows, z entries] of a rows x cols problem, checked against the device limit. */
export function tileGrid(
  gpu: Gpu,
  kernel: string,
  tile: GemmTile,
  rows: number,
  cols: number,
  entries: number,
): [number, number, number] {
  const grid: [number, number, number] = [Math.ceil(cols / tileCols(tile)), Math.ceil(rows / tileRows(tile)), entries];
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (grid.some((count) => count > max)) {
    throw new KernelArgumentError(
      `${kernel}: a grid of [${grid.join(', ')}] workgroups (rows ${rows}, columns ${cols}, ${entries} batch entries) ` +
        `exceeds maxComputeWorkgroupsPerDimension (${max}); split the batch.`,
    );
  }
  return grid;
}
