/**
 * Local deformations of imgaug 0.4.0, image and mask together (mask: nearest, fill 0), as fields of the geometric
 * kernel (augment-geometric/warp.wgsl.ts):
 *
 * PiecewiseAffine(scale, nb_rows, nb_cols): control points on a rows × cols grid at (i·H/(rows − 1), j·W/(cols − 1))
 * (np.linspace(0, H, rows)), each moved by N(0, s·H), N(0, s·W) and clipped to the image; the output at a control
 * point reads the input at the moved point. imgaug fits skimage's PiecewiseAffineTransform (a Delaunay
 * triangulation, affine per triangle); we interpolate the control displacements bilinearly within each grid cell
 * (D = A + Bx + Cy + Exy per cell), which agrees at the control points and along the cell edges' end points and
 * avoids the arbitrary diagonal a Delaunay triangulation picks for the square cells of a regular grid.
 *
 * ElasticTransformation(alpha, sigma): imgaug draws U[−1, 1) per pixel and axis on the image padded by ksize,
 * smooths it with cv2.GaussianBlur(ksize, σ) (ksize by imgaug's rule: max(3.3σ, 5) for σ < 3, made odd),
 * multiplies by α and samples the input at p − d(p) (order 3 = bicubic, constant border 0; masks order 0). We draw
 * U from a counter-based hash of (seed, axis, pixel) — so no padded noise array exists, the field is computed where
 * it is used — and smooth with the same Gaussian in integer arithmetic (weights Q14), which the CPU reference
 * repeats exactly. The padding keeps the smoothing away from any border, as in imgaug.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import { seedHalves, type BatchShape, type BorderMode, type Interpolation } from '../augment/augment-common.js';
import { fullWindow, warpHeader } from '../augment-geometric/warp-matrix.js';
import { imgaugGaussianBlurKsize } from '../augment-intensity/intensity.js';
import { augmentWarp, ELASTIC_MAX_RADIUS, PIECEWISE_MAX_CELLS, WARP_STRIDES, type AugmentedPair } from '../augment-geometric/warp.js';

export const PIECEWISE_STRIDE = WARP_STRIDES.piecewise;
export const ELASTIC_STRIDE = WARP_STRIDES.elastic;

export interface PiecewiseAffineParameters {
  readonly rows: number;
  readonly cols: number;
  /** Per control point (row-major), [dx, dy] pixels: the output at the control point reads the input at point + d. */
  readonly displacements: readonly number[];
  readonly interpolation?: Interpolation;
  readonly border?: BorderMode;
  readonly fill?: number;
}

/** Table row of the piecewise field: header, rows, cols, 0, 0, then [Ax, Bx, Cx, Ex, Ay, By, Cy, Ey] per cell. */
export function piecewiseAffineRow(parameters: PiecewiseAffineParameters, shape: BatchShape): number[] {
  const { rows, cols, displacements, interpolation = 'bilinear', border = 'constant', fill = 0 } = parameters;
  const { height, width } = shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 2 || cols < 2 || (rows - 1) * (cols - 1) > PIECEWISE_MAX_CELLS) {
    throw new KernelArgumentError(`piecewiseAffine: a ${rows} × ${cols} control grid is outside 2..4 × 2..4 (at most ${PIECEWISE_MAX_CELLS} cells)`);
  }
  if (displacements.length !== 2 * rows * cols) {
    throw new KernelArgumentError(`piecewiseAffine: ${displacements.length} displacement values for ${rows} × ${cols} points (need ${2 * rows * cols})`);
  }
  const cellHeight = height / (rows - 1);
  const cellWidth = width / (cols - 1);
  const row = [...warpHeader(interpolation, border, fill, fullWindow(height, width)), rows, cols, 0, 0];
  for (let i = 0; i < rows - 1; i++) {
    for (let j = 0; j < cols - 1; j++) {
      const x0 = j * cellWidth;
      const y0 = i * cellHeight;
      for (const axis of [0, 1]) {
        const d = (r: number, c: number): number => displacements[2 * (r * cols + c) + axis]!;
        // D = a + b·u + c·v + e·u·v, u = (x − x0)/cw, v = (y − y0)/ch, expanded in x and y.
        const a = d(i, j);
        const b = d(i, j + 1) - a;
        const c = d(i + 1, j) - a;
        const e = d(i + 1, j + 1) - d(i, j + 1) - d(i + 1, j) + a;
        const area = cellWidth * cellHeight;
        row.push(a - (b * x0) / cellWidth - (c * y0) / cellHeight + (e * x0 * y0) / area, b / cellWidth - (e * y0) / area, c / cellHeight - (e * x0) / area, e / area);
      }
    }
  }
  return row;
}

export interface ElasticParameters {
  /** u32 seed of the sample's noise field. */
  readonly seed: number;
  /** Displacement scale in pixels, 0 ≤ α < 64. */
  readonly alpha: number;
  readonly sigma: number;
  readonly interpolation?: Interpolation;
  readonly border?: BorderMode;
  readonly fill?: number;
}

/** Q14 Gaussian weights w_0..w_r (Σ over −r..r = 2^14 exactly) of cv2.getGaussianKernel(2r + 1, σ). */
export function elasticWeights(sigma: number): number[] {
  const radius = (imgaugGaussianBlurKsize(sigma) - 1) / 2;
  if (radius > ELASTIC_MAX_RADIUS) throw new KernelArgumentError(`elastic: sigma ${sigma} needs a radius ${radius} over ${ELASTIC_MAX_RADIUS}`);
  const gauss = Array.from({ length: radius + 1 }, (_, k) => Math.exp(-(k * k) / (2 * sigma * sigma)));
  const total = gauss.reduce((sum, g, k) => sum + (k === 0 ? g : 2 * g), 0);
  const weights = gauss.map((g) => Math.round((g / total) * 16384));
  weights[0] = 16384 - 2 * weights.slice(1).reduce((sum, w) => sum + w, 0);
  return weights;
}

/** Table row of the elastic field: header, seed (2 halves), round(α·1024), r, w_0..w_r. */
export function elasticRow(parameters: ElasticParameters, shape: BatchShape): number[] {
  const { seed, alpha, sigma, interpolation = 'bicubic', border = 'constant', fill = 0 } = parameters;
  if (!(alpha >= 0 && alpha < 64)) throw new KernelArgumentError(`elastic: alpha must lie in [0, 64), got ${alpha}`);
  if (!(sigma >= 0)) throw new KernelArgumentError(`elastic: sigma must be ≥ 0, got ${sigma}`);
  const weights = elasticWeights(sigma);
  return [...warpHeader(interpolation, border, fill, fullWindow(shape.height, shape.width)), ...seedHalves(seed), Math.round(alpha * 1024), weights.length - 1, ...weights];
}

/** images, masks: [N, 1, H, W]; table: [N, PIECEWISE_STRIDE] (rows from piecewiseAffineRow). */
export function augmentPiecewiseAffine(gpu: Gpu, images: GpuTensor, masks: GpuTensor, table: GpuTensor, out?: Partial<AugmentedPair>): AugmentedPair {
  return augmentWarp(gpu, 'piecewise', images, masks, table, out);
}

/** images, masks: [N, 1, H, W]; table: [N, ELASTIC_STRIDE] (rows from elasticRow). */
export function augmentElastic(gpu: Gpu, images: GpuTensor, masks: GpuTensor, table: GpuTensor, out?: Partial<AugmentedPair>): AugmentedPair {
  return augmentWarp(gpu, 'elastic', images, masks, table, out);
}
