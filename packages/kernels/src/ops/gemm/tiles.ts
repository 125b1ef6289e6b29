/**
 * Tile table of the GEMM core (gemm-core.wgsl.ts), shared by gemm and the implicit-GEMM convolutions: the workgroup
 * tile is (8 WM) x (8 WN) with WM x WN threads, each owning an 8 x 8 register tile, and BK values of k staged in
 * workgroup memory per step. Sized by the device profile (tiledMaxSide, tiledBk) and the problem shape; small M or N
 * get a narrower tile. On lavapipe what counts is FMAs per load: the 8 x 8 register tile, and on large problems a
 * 128 x 128 workgroup tile (256 threads, one 16 KiB stage of BK 16) that halves the global loads per FMA.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';

export interface GemmTile {
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

/** The tile for a rows x cols output. */
export function chooseTile(gpu: Gpu, rows: number, cols: number): GemmTile {
  const { tiledMaxSide, tiledBk } = gpu.deviceProfile;
  return { wm: side(rows, tiledMaxSide), wn: side(cols, tiledMaxSide), bk: tiledBk };
}

/** Override constants of the core for a tile. */
export function tileConstants(tile: GemmTile): Record<string, number> {
  return { WM: tile.wm, WN: tile.wn, BK: tile.bk };
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
  const grid: [number, number, number] = [Math.ceil(cols / (8 * tile.wn)), Math.ceil(rows / (8 * tile.wm)), entries];
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (grid.some((count) => count > max)) {
    throw new KernelArgumentError(
      `${kernel}: a grid of [${grid.join(', ')}] workgroups (rows ${rows}, columns ${cols}, ${entries} batch entries) ` +
        `exceeds maxComputeWorkgroupsPerDimension (${max}); split the batch.`,
    );
  }
  return grid;
}
