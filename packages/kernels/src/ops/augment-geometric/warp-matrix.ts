/**
 * CPU side of the geometric augmentations: the 2×3 inverse matrices (output pixel → source position, pixel centres
 * at integers) of flips, crop-and-resize and imgaug's Affine, the table rows of the affine field, and the folding of
 * flips into a neighbouring warp.
 */
import { KernelArgumentError } from '../../device/errors.js';
import { BORDER_MODES, codeOf, INTERPOLATIONS, type BorderMode, type Interpolation } from '../augment/augment-common.js';

/** [a, b, c, d, e, f]: source = (a·x + b·y + c, d·x + e·y + f) for output pixel (x, y). */
export type Matrix2x3 = readonly [number, number, number, number, number, number];

/** Source window [x0, x1) × [y0, y1) the border mode refers to. */
export type SourceWindow = readonly [x0: number, y0: number, x1: number, y1: number];

export const IDENTITY_MATRIX: Matrix2x3 = [1, 0, 0, 0, 1, 0];

/** One geometric warp of one sample: where each output pixel reads, and how. */
export interface WarpStage {
  readonly matrix: Matrix2x3;
  readonly interpolation: Interpolation;
  readonly border: BorderMode;
  /** Image value of the constant border (masks always get 0). */
  readonly fill: number;
  readonly window: SourceWindow;
  /** A pure flip (a permutation of pixels): it can be folded into a neighbouring warp exactly. */
  readonly flip?: { readonly x: boolean; readonly y: boolean };
}

export const AFFINE_STRIDE = 16;

/** Table row of the affine field: [1, interpolation, border, fill, x0, y0, x1, y1, a, b, c, d, e, f, 0, 0]. */
export function affineRow(stage: WarpStage): number[] {
  return [
    1,
    codeOf(INTERPOLATIONS, stage.interpolation, 'interpolation'),
    codeOf(BORDER_MODES, stage.border, 'border mode'),
    stage.fill,
    ...stage.window,
    ...stage.matrix,
    0,
    0,
  ];
}

/** The header [1, interpolation, border, fill, x0, y0, x1, y1] shared by every geometric table row. */
export function warpHeader(interpolation: Interpolation, border: BorderMode, fill: number, window: SourceWindow): number[] {
  return [1, codeOf(INTERPOLATIONS, interpolation, 'interpolation'), codeOf(BORDER_MODES, border, 'border mode'), fill, ...window];
}

export function fullWindow(height: number, width: number): SourceWindow {
  return [0, 0, width, height];
}

/** source = A·(B·p): warp with B's output coordinates fed to A. */
export function composeMatrices(a: Matrix2x3, b: Matrix2x3): Matrix2x3 {
  return [
    a[0] * b[0] + a[1] * b[3],
    a[0] * b[1] + a[1] * b[4],
    a[0] * b[2] + a[1] * b[5] + a[2],
    a[3] * b[0] + a[4] * b[3],
    a[3] * b[1] + a[4] * b[4],
    a[3] * b[2] + a[4] * b[5] + a[5],
  ];
}

/** Flip (imgaug Fliplr / Flipud, arr[:, ::-1]): source x = W − 1 − x and/or y = H − 1 − y. */
export function flipStage(height: number, width: number, x: boolean, y: boolean): WarpStage {
  const matrix: Matrix2x3 = [x ? -1 : 1, 0, x ? width - 1 : 0, 0, y ? -1 : 1, y ? height - 1 : 0];
  return { matrix, interpolation: 'nearest', border: 'constant', fill: 0, window: fullWindow(height, width), flip: { x, y } };
}

export interface CropPixels {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/**
 * imgaug Crop(keep_size=True): crop the sides, then resize the H' × W' crop back to H × W (cv2.resize, centre
 * aligned): source = (left + (x + ½)·W'/W − ½, top + (y + ½)·H'/H − ½), taps clamped to the crop box (edge border,
 * as cv2.resize's cubic taps are).
 */
export function cropResizeStage(height: number, width: number, crop: CropPixels, interpolation: Interpolation = 'bicubic'): WarpStage {
  const { top, right, bottom, left } = crop;
  const croppedWidth = width - left - right;
  const croppedHeight = height - top - bottom;
  if (![top, right, bottom, left].every((v) => Number.isInteger(v) && v >= 0) || croppedWidth < 1 || croppedHeight < 1) {
    throw new KernelArgumentError(`cropResize: crop ${JSON.stringify(crop)} must be non-negative integers leaving at least 1 × 1 of ${height} × ${width}`);
  }
  const sx = croppedWidth / width;
  const sy = croppedHeight / height;
  return {
    matrix: [sx, 0, left + 0.5 * sx - 0.5, 0, sy, top + 0.5 * sy - 0.5],
    interpolation,
    border: 'edge',
    fill: 0,
    window: [left, top, width - right, height - bottom],
  };
}

export interface AffineParameters {
  readonly scaleX: number;
  readonly scaleY: number;
  /** Translation in pixels (imgaug: translate_percent × W or H). */
  readonly translateX: number;
  readonly translateY: number;
  /** Degrees. */
  readonly rotate: number;
  readonly shearX: number;
  readonly shearY: number;
}

type Matrix3 = number[];

function multiply3(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c]! += a[r * 3 + k]! * b[k * 3 + c]!;
  return out;
}

/** skimage (< 0.20) AffineTransform(scale, rotation, shear, translation) matrix. */
function skimageAffine(sx: number, sy: number, rotation: number, shear: number, tx: number, ty: number): Matrix3 {
  return [sx * Math.cos(rotation), -sy * Math.sin(rotation + shear), tx, sx * Math.sin(rotation), sy * Math.cos(rotation + shear), ty, 0, 0, 1];
}

/**
 * imgaug 0.4.0 Affine (_AffineSamplingResult.to_matrix, shift_add 0.5): the forward matrix
 *   M = C · T(scale, rotate, shear_x, translate) · R(π/2) · Shear(shear_y) · R(−π/2) · C⁻¹,
 * C = translation by (W/2 − ½, H/2 − ½) (skimage composition a + b = b·a; imgaug writes π as 3.141592), which
 * cv2.warpAffine inverts; returned here is that inverse, output pixel → source position.
 */
export function imgaugAffineMatrix(parameters: AffineParameters, height: number, width: number): Matrix2x3 {
  const { scaleX, scaleY, translateX, translateY, rotate, shearX, shearY } = parameters;
  const radians = (degrees: number): number => (degrees * Math.PI) / 180;
  const shiftX = width / 2 - 0.5;
  const shiftY = height / 2 - 0.5;
  const toTopLeft = [1, 0, -shiftX, 0, 1, -shiftY, 0, 0, 1];
  const shearYRotate = skimageAffine(1, 1, -3.141592 / 2, 0, 0, 0);
  const shearYMatrix = skimageAffine(1, 1, 0, radians(shearY), 0, 0);
  const shearYRotateBack = skimageAffine(1, 1, 3.141592 / 2, 0, 0, 0);
  const transforms = skimageAffine(scaleX, scaleY, radians(rotate), radians(shearX), translateX, translateY);
  const toCenter = [1, 0, shiftX, 0, 1, shiftY, 0, 0, 1];
  let forward = toTopLeft;
  for (const next of [shearYRotate, shearYMatrix, shearYRotateBack, transforms, toCenter]) forward = multiply3(next, forward);
  return invertAffine([forward[0]!, forward[1]!, forward[2]!, forward[3]!, forward[4]!, forward[5]!]);
}

export function invertAffine(m: Matrix2x3): Matrix2x3 {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!(Math.abs(det) > 1e-12)) throw new KernelArgumentError(`affine: matrix [${m.join(', ')}] is singular`);
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/** Mirrors a window through a flip of the H × W image. */
function flipWindow(window: SourceWindow, flip: { x: boolean; y: boolean }, height: number, width: number): SourceWindow {
  const [x0, y0, x1, y1] = window;
  return [flip.x ? width - x1 : x0, flip.y ? height - y1 : y0, flip.x ? width - x0 : x1, flip.y ? height - y0 : y1];
}

/**
 * Folds every flip into a neighbouring warp of the same sample (stages in application order), which changes no
 * value: a flip permutes pixels, and every border mode and interpolation is mirror-symmetric, so
 *   flip then W  = W with source matrix F∘M_W and mirrored window,   W then flip = W with matrix M_W∘F.
 * Only the round-half cases of nearest sampling (a source exactly between two pixels) may pick the other pixel,
 * and matrices differ in the last bits. Consecutive flips merge into one. Non-flip warps are never merged with each
 * other: imgaug resamples after each one, and so do we.
 */
export function foldFlips(stages: readonly WarpStage[], height: number, width: number): WarpStage[] {
  const out: WarpStage[] = [];
  let pending: { x: boolean; y: boolean } | undefined;
  for (const stage of stages) {
    if (stage.flip) {
      const previous = out[out.length - 1];
      if (previous) {
        out[out.length - 1] = { ...previous, matrix: composeMatrices(previous.matrix, stage.matrix) };
      } else {
        pending = pending ? { x: pending.x !== stage.flip.x, y: pending.y !== stage.flip.y } : { ...stage.flip };
      }
      continue;
    }
    if (pending) {
      const flip = flipStage(height, width, pending.x, pending.y);
      out.push({ ...stage, matrix: composeMatrices(flip.matrix, stage.matrix), window: flipWindow(stage.window, pending, height, width) });
      pending = undefined;
    } else {
      out.push(stage);
    }
  }
  if (pending) out.push(flipStage(height, width, pending.x, pending.y));
  return out.filter((stage) => !(stage.flip && !stage.flip.x && !stage.flip.y));
}
