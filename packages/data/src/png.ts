import { decode, encode } from 'fast-png';
import { DataError } from './errors.js';

/** An 8-bit gray image, row-major, `data.length === width * height`. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A decoded PNG: 8-bit gray as Pillow's `convert('L')` gives it, plus the RGB when the file has colour channels. */
export interface DecodedImage extends GrayImage {
  /** Interleaved 8-bit RGB (`width * height * 3`); null for a gray file (R = G = B = gray) or when a loader dropped it. */
  readonly rgb: Uint8Array | null;
  /** What the file held, e.g. `rgb8`, `gray16`, `palette4`, `rgba8`. */
  readonly sourceFormat: string;
}

/** Larger images are refused before decoding: no ultrasound frame is this large, and a bogus header must not allocate gigabytes. */
export const MAX_IMAGE_SIDE = 8192;

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const COLOR_TYPES: Record<number, string> = { 0: 'gray', 2: 'rgb', 3: 'palette', 4: 'grayalpha', 6: 'rgba' };

/** Width and height from the IHDR chunk, without decoding; refuses non-PNGs and images over {@link MAX_IMAGE_SIDE}. */
export function readPngSize(bytes: Uint8Array, file: string): { width: number; height: number } {
  if (bytes.length < 33 || SIGNATURE.some((value, index) => bytes[index] !== value)) {
    throw new DataError(`${file}: not a PNG file (bad signature)`, { file });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new DataError(`${file}: corrupt PNG (first chunk is not IHDR)`, { file });
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0) throw new DataError(`${file}: corrupt PNG (size ${width}x${height})`, { file });
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new DataError(`${file}: image is ${width}x${height}; images over ${MAX_IMAGE_SIDE} px in either axis are refused`, { file });
  }
  return { width, height };
}

/** Pillow's `convert('L')`: ITU-R 601-2 luma in 16-bit fixed point, `(19595 R + 38470 G + 7471 B + 32768) >> 16`. */
export function pillowGray(red: number, green: number, blue: number): number {
  return (19595 * red + 38470 * green + 7471 * blue + 32768) >>> 16;
}

/**
 * The original's test-time conversion (torchvision `rgb_to_grayscale`): `0.2989 R + 0.587 G + 0.114 B` on floats,
 * applied by the infer path to the (resized) RGB. `rgb` is interleaved; returns one value per pixel.
 */
export function inferenceGray(rgb: ArrayLike<number>): Float32Array {
  const out = new Float32Array(Math.floor(rgb.length / 3));
  for (let pixel = 0; pixel < out.length; pixel++) {
    out[pixel] = 0.2989 * (rgb[3 * pixel] as number) + 0.587 * (rgb[3 * pixel + 1] as number) + 0.114 * (rgb[3 * pixel + 2] as number);
  }
  return out;
}

/**
 * Decodes any PNG (gray, gray+alpha, RGB, RGBA, palette; 1–16 bits; interlaced or not) to 8-bit gray and RGB.
 * Alpha is dropped and 16-bit samples keep their high byte, as Pillow does when converting to 'L'.
 */
export function decodePng(bytes: Uint8Array, file: string): DecodedImage {
  const { width, height } = readPngSize(bytes, file);
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes, { checkCrc: true });
  } catch (error) {
    throw new DataError(`${file}: corrupt PNG (${(error as Error).message})`, { file, cause: error });
  }
  const colorType = bytes[25] as number;
  const kind = COLOR_TYPES[colorType];
  if (kind === undefined) throw new DataError(`${file}: unsupported PNG colour type ${colorType}`, { file });
  const sourceFormat = `${kind}${png.depth}`;
  const pixels = width * height;
  const depth = png.depth;
  const channels = png.channels;
  const rowSamples = Math.ceil((width * channels * depth) / 8);
  const expected = depth < 8 ? rowSamples * height : pixels * channels;
  if (png.width !== width || png.height !== height || png.data.length < expected) {
    throw new DataError(`${file}: corrupt PNG (image data is truncated)`, { file });
  }
  // Sample `channel` of pixel (x, y) as 8 bits: packed low depths are unpacked and, except palette indexes, scaled to 0..255.
  const data = png.data;
  const sample = (x: number, y: number, channel: number, scale: boolean): number => {
    if (depth === 8) return data[(y * width + x) * channels + channel] as number;
    if (depth === 16) return (data[(y * width + x) * channels + channel] as number) >>> 8;
    const bit = x * depth;
    const byte = data[y * rowSamples + (bit >>> 3)] as number;
    const value = (byte >>> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    return scale ? (value * 255) / ((1 << depth) - 1) : value;
  };
  const gray = new Uint8Array(pixels);
  if (kind === 'gray' || kind === 'grayalpha') {
    for (let y = 0, index = 0; y < height; y++) for (let x = 0; x < width; x++) gray[index++] = sample(x, y, 0, true);
    return { width, height, data: gray, rgb: null, sourceFormat };
  }
  const rgb = new Uint8Array(pixels * 3);
  if (kind === 'palette') {
    const palette = png.palette ?? [];
    for (let y = 0, index = 0; y < height; y++) {
      for (let x = 0; x < width; x++, index++) {
        const entry = palette[sample(x, y, 0, false)];
        if (entry === undefined) throw new DataError(`${file}: corrupt PNG (palette index out of range)`, { file });
        rgb[3 * index] = entry[0] as number;
        rgb[3 * index + 1] = entry[1] as number;
        rgb[3 * index + 2] = entry[2] as number;
      }
    }
  } else {
    for (let y = 0, index = 0; y < height; y++) {
      for (let x = 0; x < width; x++, index++) {
        for (let channel = 0; channel < 3; channel++) rgb[3 * index + channel] = sample(x, y, channel, true);
      }
    }
  }
  for (let index = 0; index < pixels; index++) {
    gray[index] = pillowGray(rgb[3 * index] as number, rgb[3 * index + 1] as number, rgb[3 * index + 2] as number);
  }
  return { width, height, data: gray, rgb, sourceFormat };
}

/**
 * Encodes an 8-bit gray PNG. Deflate level 1 by default: speckled scans barely compress at higher levels (0.5%
 * smaller at level 3) and take twice as long; masks compress well at any level.
 */
export function encodeGrayPng(image: GrayImage, options: { compressionLevel?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 } = {}): Uint8Array {
  checkGrayImage(image, 'encodeGrayPng');
  const level = options.compressionLevel ?? 1;
  return encode({ width: image.width, height: image.height, data: image.data, depth: 8, channels: 1 }, { zlib: { level } });
}

/** An 8-bit RGB image, row-major and interleaved (R, G, B per pixel), `data.length === width * height * 3`. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Encodes an 8-bit RGB PNG (colour type 2), deflate level 1 by default, as {@link encodeGrayPng}. */
export function encodeRgbPng(image: RgbImage, options: { compressionLevel?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 } = {}): Uint8Array {
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1) {
    throw new RangeError(`encodeRgbPng: bad size ${image.width}x${image.height}`);
  }
  if (image.data.length !== image.width * image.height * 3) {
    throw new RangeError(`encodeRgbPng: ${image.width}x${image.height} RGB needs ${image.width * image.height * 3} bytes, got ${image.data.length}`);
  }
  const level = options.compressionLevel ?? 1;
  return encode({ width: image.width, height: image.height, data: image.data, depth: 8, channels: 3 }, { zlib: { level } });
}

/** Throws unless `data` holds exactly `width * height` bytes. */
export function checkGrayImage(image: GrayImage, what: string): void {
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1) {
    throw new RangeError(`${what}: bad size ${image.width}x${image.height}`);
  }
  if (image.data.length !== image.width * image.height) {
    throw new RangeError(`${what}: ${image.width}x${image.height} needs ${image.width * image.height} bytes, got ${image.data.length}`);
  }
}
