/**
 * Scans as the pipeline reads them: PNG through @ulseg/data's decoder (the exact bytes the CLI would see), JPEG
 * through the browser's decoder (createImageBitmap without colour conversion, then the canvas' RGBA), both as a
 * DecodedImage: 8-bit gray (Pillow's L = (299 R + 587 G + 114 B) / 1000, rounded) and the interleaved RGB.
 */
import { DataError, decodePng, MAX_IMAGE_SIDE, pillowGray, type DecodedImage } from '@ulseg/data';

const PNG_SIGNATURE = [137, 80, 78, 71];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((value, index) => bytes[index] === value);
}

async function decodeJpeg(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/jpeg' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new DataError(`${name}: the browser could not decode this JPEG (${(error as Error).message})`, { file: name });
  }
  const { width, height } = bitmap;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) throw new DataError(`${name}: ${width}x${height} is larger than ${MAX_IMAGE_SIDE} px per side`, { file: name });
  const canvas = new OffscreenCanvas(width, height);
  const context2d = canvas.getContext('2d');
  if (!context2d) throw new Error('this browser gives no 2D canvas context');
  context2d.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context2d.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  const gray = new Uint8Array(width * height);
  for (let pixel = 0; pixel < width * height; pixel++) {
    rgb[3 * pixel] = rgba[4 * pixel]!;
    rgb[3 * pixel + 1] = rgba[4 * pixel + 1]!;
    rgb[3 * pixel + 2] = rgba[4 * pixel + 2]!;
    gray[pixel] = pillowGray(rgb[3 * pixel]!, rgb[3 * pixel + 1]!, rgb[3 * pixel + 2]!);
  }
  return { width, height, data: gray, rgb, sourceFormat: 'jpeg' };
}

/** Decodes a PNG or JPEG scan (told apart by content); anything else is a DataError naming the file. */
export async function decodeScan(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  if (startsWith(bytes, PNG_SIGNATURE)) return decodePng(bytes, name);
  if (startsWith(bytes, JPEG_SIGNATURE)) return decodeJpeg(bytes, name);
  throw new DataError(`${name}: not a PNG or JPEG file (the page reads those two; convert other formats first)`, { file: name });
}
