/** CPU references of the deformation fields: the same Q10 source positions as the GPU, bit for bit. */
import { q10, type BatchShape } from '../augment/augment-common.js';
import { warpReference, type SourceField, type WarpReferenceResult } from '../augment-geometric/warp.reference.js';
import { pcgHash } from '../../wgsl/pcg.reference.js';
import { ELASTIC_STRIDE, PIECEWISE_STRIDE } from './deform.js';

const ELASTIC_PAD = 16;

export const piecewiseSource: SourceField = (row, x, y, shape) => {
  const rows = row[8]!;
  const cols = row[9]!;
  const i = Math.floor((y * (rows - 1)) / shape.height);
  const j = Math.floor((x * (cols - 1)) / shape.width);
  const c = 12 + (i * (cols - 1) + j) * 8;
  const field = (k: number): number =>
    q10(row[k]!) + q10(Math.fround(row[k + 1]! * x)) + q10(Math.fround(row[k + 2]! * y)) + q10(Math.fround(Math.fround(row[k + 3]! * x) * y));
  return [x * 1024 + field(c), y * 1024 + field(c + 4)];
};

/** U(axis, y, x) ∈ [−2^15, 2^15): element (axis·(H + 2P) + y + P)·(W + 2P) + x + P of the hash stream. */
export function elasticNoise(stream: number, axis: number, y: number, x: number, shape: BatchShape): number {
  const k = (axis * (shape.height + 2 * ELASTIC_PAD) + y + ELASTIC_PAD) * (shape.width + 2 * ELASTIC_PAD) + x + ELASTIC_PAD;
  return (pcgHash((k + stream) >>> 0) >>> 16) - 32768;
}

/** Smoothed noise in Q15 (rows first, each pass rounded), as the WGSL elastic_smooth. */
function elasticSmooth(row: Float32Array, stream: number, axis: number, x: number, y: number, shape: BatchShape): number {
  const r = row[11]!;
  let total = 0;
  for (let i = -r; i <= r; i++) {
    let line = 0;
    for (let j = -r; j <= r; j++) line += row[12 + Math.abs(j)]! * elasticNoise(stream, axis, y + i, x + j, shape);
    total += row[12 + Math.abs(i)]! * ((line + 8192) >> 14);
  }
  return (total + 8192) >> 14;
}

export const elasticSource: SourceField = (row, x, y, shape) => {
  const stream = pcgHash((row[8]! | (row[9]! << 16)) >>> 0);
  const alpha = row[10]!;
  const dx = (elasticSmooth(row, stream, 0, x, y, shape) * alpha + 16384) >> 15;
  const dy = (elasticSmooth(row, stream, 1, x, y, shape) * alpha + 16384) >> 15;
  return [x * 1024 - dx, y * 1024 - dy];
};

export function piecewiseAffineReference(images: ArrayLike<number>, masks: ArrayLike<number>, shape: BatchShape, table: Float32Array): WarpReferenceResult {
  return warpReference(images, masks, shape, table, PIECEWISE_STRIDE, piecewiseSource);
}

export function elasticReference(images: ArrayLike<number>, masks: ArrayLike<number>, shape: BatchShape, table: Float32Array): WarpReferenceResult {
  return warpReference(images, masks, shape, table, ELASTIC_STRIDE, elasticSource);
}
