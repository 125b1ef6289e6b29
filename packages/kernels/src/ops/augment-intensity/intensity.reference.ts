/** Float64 references of the intensity kernels, reading the same table rows; hash bits identical to the GPU's. */
import { borderIndex, roundHalfEven, streamBits, type BatchShape } from '../augment/augment-common.js';
import { pcgHash } from '../../wgsl/pcg.reference.js';
import { INTENSITY_STRIDES, type IntensityOp } from './intensity.js';

const clip = (v: number): number => Math.min(Math.max(v, 0), 255);

/** Standard normal of pixel j of a sample's stream (Box–Muller, as the WGSL). */
export function noiseNormal(seed: number, j: number): number {
  const u1 = ((streamBits(seed, 2 * j) >>> 8) + 1) / 2 ** 24;
  const u2 = (streamBits(seed, 2 * j + 1) >>> 8) / 2 ** 24;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(Math.PI * (2 * u2 - 1));
}

/** Whether pixel (y, x) of a sample is dropped by its dropout row. */
export function dropped(row: ArrayLike<number>, y: number, x: number, shape: BatchShape): boolean {
  const cellsY = row[4]!;
  const cellsX = row[5]!;
  const cell = Math.floor((y * cellsY) / shape.height) * cellsX + Math.floor((x * cellsX) / shape.width);
  const seed = (row[2]! | (row[3]! << 16)) >>> 0;
  return pcgHash((cell + pcgHash(seed)) >>> 0) >>> 8 < row[1]!;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[(values.length - 1) / 2]!;
}

/** The op on one sample (row enabled), float64. */
function applySample(op: IntensityOp, x: ArrayLike<number>, plane: number, row: Float32Array, shape: BatchShape): Float64Array {
  const { height, width } = shape;
  const at = (y: number, xx: number, mode = 3): number => x[plane + borderIndex(y, height, mode) * width + borderIndex(xx, width, mode)]!;
  const out = new Float64Array(height * width);
  const blurPass = (source: (y: number, xx: number) => number, alongRows: boolean): Float64Array => {
    const result = new Float64Array(height * width);
    const first = row[1]!;
    for (let y = 0; y < height; y++) {
      for (let xx = 0; xx < width; xx++) {
        let total = 0;
        for (let k = 0; k < row[2]!; k++) {
          const d = first + k;
          total += row[4 + k]! * (alongRows ? source(y, borderIndex(xx + d, width, 3)) : source(borderIndex(y + d, height, 3), xx));
        }
        result[y * width + xx] = total;
      }
    }
    return result;
  };
  if (op === 'blur') {
    const rows = blurPass((y, xx) => x[plane + y * width + xx]!, true);
    return blurPass((y, xx) => rows[y * width + xx]!, false);
  }
  for (let y = 0; y < height; y++) {
    for (let xx = 0; xx < width; xx++) {
      const v = x[plane + y * width + xx]!;
      let result: number;
      switch (op) {
        case 'linearContrast':
          result = clip(127 + row[1]! * (v - 127));
          break;
        case 'gaussianNoise':
          result = clip(v + row[1]! * noiseNormal((row[2]! | (row[3]! << 16)) >>> 0, y * width + xx));
          break;
        case 'dropout':
          result = dropped(row, y, xx, shape) ? 0 : v;
          break;
        case 'sharpen': {
          let ring = 0;
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (dy !== 0 || dx !== 0) ring += at(y + dy, xx + dx);
          result = clip(row[1]! * v + row[2]! * ring);
          break;
        }
        default: {
          const r = row[1]!;
          const window: number[] = [];
          for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) window.push(Math.min(Math.max(roundHalfEven(at(y + dy, xx + dx, 1)), 0), 255));
          result = median(window);
        }
      }
      out[y * width + xx] = result;
    }
  }
  return out;
}

/** images: [N, 1, H, W], table: [N, stride] -> float64 images. */
export function intensityReference(op: IntensityOp, images: ArrayLike<number>, shape: BatchShape, table: Float32Array): Float64Array {
  const size = shape.height * shape.width;
  const stride = INTENSITY_STRIDES[op];
  const out = new Float64Array(shape.batch * size);
  for (let n = 0; n < shape.batch; n++) {
    const row = table.subarray(n * stride, (n + 1) * stride);
    if (row[0] === 0) for (let i = 0; i < size; i++) out[n * size + i] = images[n * size + i]!;
    else out.set(applySample(op, images, n * size, row, shape), n * size);
  }
  return out;
}
