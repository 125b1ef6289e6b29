import { checkGrayImage, type GrayImage } from './png.js';

/**
 * Nearest-neighbour resize as Pillow's `Image.NEAREST`: output pixel i takes source floor((i + 0.5) · in / out),
 * computed in integers so no rounding can differ between engines.
 */
export function resizeNearest(image: GrayImage, width: number, height: number): GrayImage {
  checkGrayImage(image, 'resizeNearest');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resizeNearest: bad target size ${width}x${height}`);
  }
  const columns = sourceIndexes(image.width, width);
  const rows = sourceIndexes(image.height, height);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sourceRow = (rows[y] as number) * image.width;
    for (let x = 0; x < width; x++) data[y * width + x] = image.data[sourceRow + (columns[x] as number)] as number;
  }
  return { width, height, data };
}

function sourceIndexes(inSize: number, outSize: number): Int32Array {
  const indexes = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) indexes[i] = Math.min(Math.floor(((2 * i + 1) * inSize) / (2 * outSize)), inSize - 1);
  return indexes;
}
