/**
 * Batched matrix product C[b] = act(scale ⊙ op(A[b]) · op(B[b]) + bias), op = optional transpose, one operand may
 * have batch 1 (broadcast). Register-tiled, on the device profile's core (gemm-core.wgsl.ts on GPUs,
 * gemm-lanes.wgsl.ts on the CPU adapters); a long K with few output tiles is split into
 * partial products summed by a second pass (`reduce`), when there is no epilogue. On the lanes cores (16 x 64 tiles
 * of C) an output much narrower than 64 columns (a 1x1 convolution at 2 x 2 or 4 x 4 pixels: N = 4 or 16) is computed
 * as Cᵀ = op(B)ᵀ op(A)ᵀ written into C's layout, which fills the tile's 64 columns with C's rows.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { KernelSource } from '../../runtime/kernel.js';
import { formatShape, numel, sameShape, type GpuTensor } from '../../runtime/tensor.js';
import { reduce } from '../reduce/reduce.js';
import { transpose01 } from '../transpose/transpose.js';
import type { GemmVariant } from '../../device/profile.js';
import { GEMM_HEADER_WGSL, GEMM_PARAMS } from './gemm.wgsl.js';
import { LANES_TILE } from './gemm-lanes.wgsl.js';
import { activationCode, chooseTile, epilogueFlags, gemmModule, tileCols, tileGrid, tileRows, type Activation, type GemmTile } from './tiles.js';

export interface GemmOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** Added per row of C (length M, default) or per column (length N, `channelAxis: 'column'`). */
  bias?: GpuTensor;
  /** Multiplies the product per row (or column) before the bias: folded batch norm. */
  scale?: GpuTensor;
  channelAxis?: 'row' | 'column';
  activation?: Activation;
  out?: GpuTensor;
  /** Number of K splits; chosen from the shape when omitted (1 whenever there is an epilogue). */
  splitK?: number;
  /** Sum the batch's products into one [M, N] output (C = Σ_b op(A[b]) op(B[b])); no epilogue. */
  sumBatch?: boolean;
  /**
   * With sumBatch and both operands batched: true runs one product over K' = batch · K (the batch moved into K,
   * each operand whose K is its contiguous axis transposed to [rows, batch, K] first); false computes the batch's
   * products as partials [batch, M, N] that `reduce` sums (the previous path). Default: with the device profile's
   * gemmBatchIntoK, the one that moves fewer elements (true when batch · M · N partials outweigh the operands it
   * copies: 1x1 weight gradients at few pixels).
   */
  batchIntoK?: boolean;
  /** The GEMM core; the device profile's (`gpu.deviceProfile.gemm`) when omitted. */
  variant?: GemmVariant;
  /**
   * Compute Cᵀ = op(B)ᵀ op(A)ᵀ (stored in C's layout) instead of C; chosen from the core's tile and the shape when
   * omitted (`swapOperands` below); false keeps the previous orientation.
   */
  swapOperands?: boolean;
  /**
   * With swapOperands, a B batched over an A broadcast (a 1x1 convolution's images against one weight) runs as one
   * problem whose rows are every image's columns of op(B)ᵀ, filling the tile's rows too (default); false keeps one
   * problem per batch entry.
   */
  foldBatch?: boolean;
}

export interface GemmShape {
  batch: number;
  batchA: number;
  batchB: number;
  M: number;
  N: number;
  K: number;
  outShape: number[];
}

const NAME = 'gemm';

/** Validates operands and returns the problem size; throws KernelArgumentError naming the shapes. */
export function gemmShape(a: readonly number[], b: readonly number[], transposeA = false, transposeB = false): GemmShape {
  const describe = `A ${formatShape(a)}${transposeA ? 'ᵀ' : ''} and B ${formatShape(b)}${transposeB ? 'ᵀ' : ''}`;
  if (a.length < 2 || a.length > 3 || b.length < 2 || b.length > 3) {
    throw new KernelArgumentError(`${NAME}: operands must be [M, K] or [batch, M, K]; got ${describe}`);
  }
  const batchA = a.length === 3 ? a[0]! : 1;
  const batchB = b.length === 3 ? b[0]! : 1;
  const [aRows, aCols] = a.slice(-2) as [number, number];
  const [bRows, bCols] = b.slice(-2) as [number, number];
  const [M, K] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [KB, N] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (K !== KB) throw new KernelArgumentError(`${NAME}: inner sizes differ (${K} vs ${KB}) for ${describe}`);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) {
    throw new KernelArgumentError(`${NAME}: batch sizes ${batchA} and ${batchB} do not broadcast for ${describe}`);
  }
  const batch = Math.max(batchA, batchB);
  const outShape = a.length === 3 || b.length === 3 ? [batch, M, N] : [M, N];
  return { batch, batchA, batchB, M, N, K, outShape };
}

/** vecA / vecB: the operand is read as vec4 along its contiguous index (its extent divides by 4). */
export function gemmKernel(tile: GemmTile, vecA: boolean, vecB: boolean): KernelSource {
  return gemmModule(NAME, GEMM_HEADER_WGSL, tile, { VEC_A: vecA, VEC_B: vecB });
}

/** Share of a tile's side that an extent fills (ceil(extent / side) tiles). */
const filled = (extent: number, side: number): number => extent / (Math.ceil(extent / side) * side);

/**
 * Whether the lanes cores run Cᵀ instead of C: when the tiles it fills hold at least twice the useful share (an M x 4
 * output fills 4 of a tile's 64 columns; as 4 x M it fills 4 of 16 rows and all 64 columns). Never on the tiled core,
 * whose tile table has narrow tiles of its own.
 */
export function swapOperands(variant: GemmVariant, M: number, N: number): boolean {
  if (variant === 'tiled') return false;
  const { rows, cols } = LANES_TILE;
  return filled(N, rows) * filled(M, cols) >= 2 * filled(M, rows) * filled(N, cols);
}

function chooseSplits(gpu: Gpu, tiles: number, K: number, bk: number): number {
  // Below the profile's target of workgroups a long K is split.
  const target = gpu.deviceProfile.gemmTargetWorkgroups;
  if (tiles >= target || K < 1024) return 1;
  return Math.max(1, Math.min(Math.ceil(target / tiles), Math.floor(K / 256), 64, Math.ceil(K / bk)));
}

export function gemm(gpu: Gpu, a: GpuTensor, b: GpuTensor, options: GemmOptions = {}): GpuTensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const shape = gemmShape(a.shape, b.shape, transposeA, transposeB);
  const { batch, M, N, K } = shape;
  const sumBatch = options.sumBatch ?? false;
  const outShape = sumBatch ? [M, N] : shape.outShape;
  const perRow = (options.channelAxis ?? 'row') === 'row';
  const channels = perRow ? M : N;
  for (const [label, tensor] of [['bias', options.bias], ['scale', options.scale]] as const) {
    if (tensor && !sameShape(tensor.shape, [channels])) {
      throw new KernelArgumentError(
        `${NAME}: ${label} of shape ${formatShape(tensor.shape)} should be [${channels}] (one per ${perRow ? 'row' : 'column'}) ` +
          `for A ${formatShape(a.shape)} and B ${formatShape(b.shape)}`,
      );
    }
  }
  const act = activationCode(NAME, options.activation);
  const out = options.out ?? gpu.empty(outShape, NAME);
  if (!sameShape(out.shape, outShape)) {
    throw new KernelArgumentError(
      `${NAME}: output shape ${formatShape(out.shape)} should be ${formatShape(outShape)} for A ${formatShape(a.shape)}` +
        `${transposeA ? 'ᵀ' : ''} and B ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`,
    );
  }
  for (const input of [a, b, options.bias, options.scale]) {
    if (input && input.buffer === out.buffer) throw new KernelArgumentError(`${NAME}: output must not alias an input buffer`);
  }
  if (M === 0 || N === 0 || batch === 0) return out;
  if (sumBatch && batch > 1 && a.shape.length === 3 && b.shape.length === 3 && shape.batchA === shape.batchB) {
    // A operand whose K is contiguous ([b, M, K], or B's [b, N, K]) needs [M, b, K] to read b·K as one axis; one whose
    // K is the row axis ([b, K, M]) already is [b·K, M].
    const copied = (transposeA ? 0 : batch * M * K) + (transposeB ? batch * N * K : 0);
    if (options.batchIntoK ?? (gpu.deviceProfile.gemmBatchIntoK && batch * M * N > copied)) return gemmBatchIntoK(gpu, a, b, shape, out, options);
  }

  const variant = options.variant ?? gpu.deviceProfile.gemm;
  const swap = options.swapOperands ?? swapOperands(variant, M, N);
  // The problem the core runs: C, or Cᵀ (rows N, columns M).
  // Cᵀ of a batch against one A: the batch's Cᵀ stacked as the rows of one problem (rows = batch · N).
  const fold = swap && (options.foldBatch ?? true) && batch > 1 && shape.batchA === 1 && !sumBatch;
  const entries = fold ? 1 : batch;
  const [rows, cols] = swap ? [fold ? batch * N : N, M] : [M, N];
  const tile = chooseTile(gpu, NAME, rows, cols, variant);
  const hasEpilogue = Boolean(options.bias || options.scale) || act !== 0;
  const tiles = Math.ceil(rows / tileRows(tile)) * Math.ceil(cols / tileCols(tile)) * entries;
  let splits = options.splitK ?? (hasEpilogue ? 1 : chooseSplits(gpu, tiles, K, tile.bk));
  if (!Number.isInteger(splits) || splits < 1) throw new KernelArgumentError(`${NAME}: splitK must be a positive integer, got ${splits}`);
  if ((splits > 1 || sumBatch) && hasEpilogue) {
    throw new KernelArgumentError(`${NAME}: splitK > 1 and sumBatch cannot be combined with bias, scale or activation`);
  }
  // Partial products must fit one storage binding (128 MiB on lavapipe).
  const maxPartials = Math.floor(gpu.limits.maxStorageBufferBindingSize / (4 * batch * M * N));
  if (sumBatch && batch > 1 && maxPartials < 1) {
    throw new KernelArgumentError(
      `${NAME}: summing a batch of ${batch} products of ${M} x ${N} needs ${4 * batch * M * N} bytes of partial sums, over ` +
        `maxStorageBufferBindingSize (${gpu.limits.maxStorageBufferBindingSize}); split the batch`,
    );
  }
  if (options.splitK === undefined) splits = Math.max(1, Math.min(splits, maxPartials));
  const kChunk = Math.max(tile.bk, Math.ceil(Math.ceil(K / splits) / tile.bk) * tile.bk);
  splits = Math.max(1, Math.ceil(K / kChunk));

  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const aStrides = transposeA ? { m: 1, k: aCols } : { m: aCols, k: 1 };
  const bStrides = transposeB ? { k: 1, n: bCols } : { k: bCols, n: 1 };
  const aBatch = shape.batchA === 1 ? 0 : aRows * aCols;
  const bBatch = shape.batchB === 1 ? 0 : bRows * bCols;
  // The core's operands: A, B, or for Cᵀ the rows of op(B)ᵀ (B's n stride as m) and the columns of op(A)ᵀ.
  const first = swap ? { tensor: b, batch: bBatch, m: bStrides.n, k: bStrides.k } : { tensor: a, batch: aBatch, m: aStrides.m, k: aStrides.k };
  const second = swap ? { tensor: a, batch: aBatch, k: aStrides.k, n: aStrides.m } : { tensor: b, batch: bBatch, k: bStrides.k, n: bStrides.n };
  // Partial products [splits, batch, M, N], summed over splits (and the batch when sumBatch) by a second pass.
  const partial = splits > 1 || (sumBatch && batch > 1);
  const target = partial ? gpu.empty([splits, batch, M, N], `${NAME} partial`) : out;
  // Folded: row r of the problem is column r mod N of image r / N (B's batch stride apart; C's images M · N apart).
  const group = fold ? N : 0xffffffff;
  const uniforms = GEMM_PARAMS.write({
    M: rows, N: cols, K, splits,
    k_chunk: kChunk, a_batch: fold ? 0 : first.batch, a_m: first.m, a_k: first.k,
    b_batch: second.batch, b_k: second.k, b_n: second.n, c_batch: M * N,
    c_m: swap ? 1 : N, split_stride: batch * M * N,
    flags: epilogueFlags({ scale: Boolean(options.scale), shift: Boolean(options.bias), act, perRow: swap ? !perRow : perRow }),
    order: (first.k === 1 ? 1 : 0) | (second.k === 1 ? 2 : 0),
    c_n: swap ? N : 1, a_group: group, a_group_stride: fold ? first.batch : 0, c_group_stride: fold ? M * N : 0,
  });
  // vec4 reads need the contiguous extent (row length) to divide by 4, and a folded vec4 of rows to stay in one
  // image; tensor offsets are 16-byte aligned already.
  const vecA = first.k === 1 ? K % 4 === 0 : rows % 4 === 0 && (!fold || N % 4 === 0);
  const vecB = (second.k === 1 ? K : cols) % 4 === 0;
  const placeholder = vecA && vecB ? undefined : gpu.empty([4], `${NAME} placeholder`);
  gpu.dispatch({
    kernel: gemmKernel(tile, vecA, vecB),
    uniforms,
    tensors: [first.tensor, vecA ? first.tensor : placeholder!, second.tensor, vecB ? second.tensor : placeholder!, options.scale ?? a, options.bias ?? a, target],
    workgroups: tileGrid(gpu, NAME, tile, rows, cols, entries * splits),
  });
  if (placeholder) gpu.release(placeholder);
  if (partial) {
    const partials = sumBatch ? splits * batch : splits;
    reduce(gpu, 'sum', { ...target, shape: [partials, (batch * M * N) / (partials / splits)] }, { axes: [0], out: { ...out, shape: [numel(out.shape)] } });
    gpu.release(target);
  }
  return out;
}

/** C = Σ_b op(A[b]) op(B[b]) as one product over K' = batch · K (see GemmOptions.batchIntoK). */
function gemmBatchIntoK(gpu: Gpu, a: GpuTensor, b: GpuTensor, shape: GemmShape, out: GpuTensor, options: GemmOptions): GpuTensor {
  const { batch, M, N, K } = shape;
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  // op(A') [M, b·K]: A stored [b, M, K] -> [M, b, K]; stored [b, K, M] is [b·K, M] transposed as it is.
  const a2 = transposeA ? { ...a, shape: [batch * K, M] } : { ...transpose01(gpu, a, [batch, M, K]), shape: [M, batch * K] };
  // op(B') [b·K, N]: B stored [b, N, K] -> [N, b, K] transposed; stored [b, K, N] is [b·K, N] as it is.
  const b2 = transposeB ? { ...transpose01(gpu, b, [batch, N, K]), shape: [N, batch * K] } : { ...b, shape: [batch * K, N] };
  gemm(gpu, a2, b2, { ...options, sumBatch: false, batchIntoK: undefined, out });
  if (!transposeA) gpu.release(a2);
  if (transposeB) gpu.release(b2);
  return out;
}
