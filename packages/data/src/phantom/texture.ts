import type { Random } from '@ulseg/base';

/**
 * Adds `weight` times smooth value noise in [0, 1] to `out` (width x height): random values on a grid of
 * `cellWidth` x `cellHeight` px, smoothstep-interpolated. Cells wider than tall give the laterally stretched texture
 * of B-mode images.
 */
export function addValueNoise(
  random: Random,
  out: Float32Array,
  width: number,
  height: number,
  cellWidth: number,
  cellHeight: number,
  weight = 1,
): Float32Array {
  const gridWidth = Math.ceil(width / cellWidth) + 2;
  const gridHeight = Math.ceil(height / cellHeight) + 2;
  const grid = new Float32Array(gridWidth * gridHeight);
  for (let index = 0; index < grid.length; index++) grid[index] = weight * random.next();
  const columns = cellCoordinates(width, cellWidth, random.next() * cellWidth);
  const rows = cellCoordinates(height, cellHeight, random.next() * cellHeight);
  for (let y = 0; y < height; y++) {
    const rowStart = (rows.cell[y] as number) * gridWidth;
    const ty = rows.weight[y] as number;
    for (let x = 0; x < width; x++) {
      const index = rowStart + (columns.cell[x] as number);
      const tx = columns.weight[x] as number;
      const a = grid[index] as number;
      const b = grid[index + 1] as number;
      const c = grid[index + gridWidth] as number;
      const d = grid[index + gridWidth + 1] as number;
      const top = a + (b - a) * tx;
      out[y * width + x] = (out[y * width + x] as number) + top + (c + (d - c) * tx - top) * ty;
    }
  }
  return out;
}

/** For each pixel along an axis: its grid cell and smoothstep weight inside the cell. */
function cellCoordinates(length: number, cell: number, offset: number): { cell: Int32Array; weight: Float32Array } {
  const cells = new Int32Array(length);
  const weights = new Float32Array(length);
  for (let index = 0; index < length; index++) {
    const position = (index + offset) / cell;
    cells[index] = Math.floor(position);
    weights[index] = smoothstep(position - Math.floor(position));
  }
  return { cell: cells, weight: weights };
}

/** Sum of octaves of value noise, each half the cell size and `persistence` times the weight; normalised to [0, 1]. */
export function fractalNoise(
  random: Random,
  width: number,
  height: number,
  cellWidth: number,
  cellHeight: number,
  octaves: number,
  persistence = 0.5,
): Float32Array {
  const out = new Float32Array(width * height);
  let total = 0;
  for (let octave = 0; octave < octaves; octave++) total += persistence ** octave;
  for (let octave = 0; octave < octaves; octave++) {
    const scale = 2 ** octave;
    addValueNoise(random, out, width, height, Math.max(1, cellWidth / scale), Math.max(1, cellHeight / scale), persistence ** octave / total);
  }
  return out;
}

/** 1-D smooth noise in [-1, 1] over `length` samples with features about `cell` samples long. */
export function noise1d(random: Random, length: number, cell: number): Float32Array {
  const knots = Math.ceil(length / cell) + 2;
  const values = new Float32Array(knots);
  for (let index = 0; index < knots; index++) values[index] = random.uniform(-1, 1);
  const offset = random.next() * cell;
  const out = new Float32Array(length);
  for (let index = 0; index < length; index++) {
    const position = (index + offset) / cell;
    const knot = Math.floor(position);
    const t = smoothstep(position - knot);
    out[index] = (values[knot] as number) * (1 - t) + (values[knot + 1] as number) * t;
  }
  return out;
}

/**
 * Speckle intensity: sparse random scatterers (strengths u⁶, u uniform, so a few are strong) blurred by the system's
 * point-spread function (two passes of a box `2·lateral+1` x `2·axial+1` px, wider than tall as in B-mode), which
 * gives the bright elongated grains of a B-mode image. Scaled to mean 1; the display takes its log. (Coherent
 * Rayleigh speckle, |blurred complex Gaussian|, was tried first: after log compression its nulls draw a dark
 * network that the real scans do not show.)
 */
export function speckleIntensity(random: Random, width: number, height: number, lateral: number, axial: number): Float32Array {
  const field = new Float32Array(width * height);
  // One 32-bit draw gives four scatterers (one byte each).
  for (let index = 0; index < field.length; index += 4) {
    const bits = random.nextUint32();
    for (let byte = 0; byte < 4 && index + byte < field.length; byte++) {
      const strength = ((bits >>> (8 * byte)) & 0xff) / 255;
      const cube = strength * strength * strength;
      field[index + byte] = cube * cube;
    }
  }
  boxBlur(field, width, height, lateral, axial);
  boxBlur(field, width, height, lateral, axial);
  let sum = 0;
  for (let index = 0; index < field.length; index++) sum += field[index] as number;
  const scale = field.length / Math.max(sum, 1e-12);
  for (let index = 0; index < field.length; index++) field[index] = (field[index] as number) * scale + 1e-6;
  return field;
}

/** In-place separable box blur (radius `radiusX` along rows, `radiusY` along columns; edges clamp). */
export function boxBlur(values: Float32Array, width: number, height: number, radiusX: number, radiusY: number): void {
  if (radiusX > 0) {
    const line = new Float32Array(width);
    for (let y = 0; y < height; y++) {
      line.set(values.subarray(y * width, (y + 1) * width));
      blurLine(line, values, y * width, 1, width, radiusX);
    }
  }
  if (radiusY > 0) {
    // Whole rows at a time (a running sum of rows), which keeps memory access sequential.
    const source = values.slice();
    const sum = new Float32Array(width);
    const row = (y: number): Float32Array => {
      const clamped = y < 0 ? 0 : y >= height ? height - 1 : y;
      return source.subarray(clamped * width, (clamped + 1) * width);
    };
    for (let offset = -radiusY; offset <= radiusY; offset++) {
      const add = row(offset);
      for (let x = 0; x < width; x++) sum[x] = (sum[x] as number) + (add[x] as number);
    }
    const norm = 1 / (2 * radiusY + 1);
    for (let y = 0; y < height; y++) {
      const add = row(y + radiusY + 1);
      const remove = row(y - radiusY);
      const start = y * width;
      for (let x = 0; x < width; x++) {
        values[start + x] = (sum[x] as number) * norm;
        sum[x] = (sum[x] as number) + (add[x] as number) - (remove[x] as number);
      }
    }
  }
}

function blurLine(source: Float32Array, target: Float32Array, start: number, stride: number, length: number, radius: number): void {
  const last = length - 1;
  let sum = 0;
  for (let offset = -radius; offset <= radius; offset++) sum += source[Math.min(Math.max(offset, 0), last)] as number;
  const norm = 1 / (2 * radius + 1);
  for (let index = 0; index < length; index++) {
    target[start + index * stride] = sum * norm;
    sum += (source[Math.min(index + radius + 1, last)] as number) - (source[Math.max(index - radius, 0)] as number);
  }
}

export function smoothstep(t: number): number {
  const clamped = t < 0 ? 0 : t > 1 ? 1 : t;
  return clamped * clamped * (3 - 2 * clamped);
}

const LOG2_MANTISSA = Float32Array.from({ length: 1024 }, (_, index) => Math.log2(1 + (index + 0.5) / 1024));
const FLOAT_VIEW = new Float32Array(1);
const BITS_VIEW = new Int32Array(FLOAT_VIEW.buffer);

/**
 * log2 of a positive number from its float32 exponent and the top 10 bits of its mantissa (error < 0.0015, i.e.
 * < 0.005 dB): the display's log compression is one per pixel, and Math.log is several times slower.
 */
export function fastLog2(value: number): number {
  FLOAT_VIEW[0] = value;
  const bits = BITS_VIEW[0] as number;
  return ((bits >>> 23) & 0xff) - 127 + (LOG2_MANTISSA[(bits >>> 13) & 1023] as number);
}
