import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '@ulseg/base';
import { BDCI_LAYOUT, loadPair, loadTestSet, loadTrainSet, writePrediction } from './bdci.js';
import { MemoryFiles } from './files.js';
import { NodeFiles } from './node-files.js';
import { decodePng, encodeGrayPng, type GrayImage } from './png.js';
import { resizeNearest } from './resize.js';
import { readTrainCsv } from './train-csv.js';

const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);
const SAMPLES = fileURLToPath(new URL('bdci-samples/', FIXTURES));

function gray(width: number, height: number, fill: (x: number, y: number) => number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = fill(x, y);
  return { width, height, data };
}

/** A small train set in memory under `data/`: images 1, 2, 10 (40x30), mask i a 10 x i rectangle, unless overridden. */
async function memorySet(masks: Record<string, GrayImage> = {}, images: Record<string, GrayImage> = {}): Promise<MemoryFiles> {
  const files = new MemoryFiles();
  for (const id of ['1.png', '2.png', '10.png']) {
    const image = images[id] ?? gray(40, 30, (x, y) => (x * 7 + y * 3) % 256);
    const mask = masks[id] ?? gray(40, 30, (x, y) => (x >= 5 && x < 15 && y >= 5 && y < 5 + Number.parseInt(id) ? 255 : 0));
    await files.write(`data/${BDCI_LAYOUT.trainImages}/${id}`, encodeGrayPng(image));
    await files.write(`data/${BDCI_LAYOUT.trainLabels}/${id}`, encodeGrayPng(mask));
  }
  return files;
}

describe('BDCI loader on the real samples', () => {
  it('pairs the 8 images with their masks, resizes the off-size masks with one warning, and matches train.csv areas', async () => {
    const files = new NodeFiles(SAMPLES);
    const seen: string[] = [];
    const { samples, warnings } = await loadTrainSet(files, '', { onWarning: (message) => seen.push(message) });
    expect(samples.map((sample) => sample.id)).toEqual(['1.png', '2.png', '3.png', '4.png', '5.png', '6.png', '7.png', '8.png']);
    // Every sample mask differs from its image by 1–7 px (e.g. 1.png: image 454x307, mask 454x306): one warning with the count.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^train_data\/label: 8 of 8 masks differ in size from their images and were resized/);
    expect(seen).toEqual(warnings);
    const first = samples[0]!;
    expect(first.image).toMatchObject({ width: 454, height: 307, rgb: null });
    expect(first.maskFileSize).toEqual({ width: 454, height: 306 });
    expect(first.mask).toMatchObject({ width: 454, height: 307 });
    for (const sample of samples) {
      expect(sample.mask.width).toBe(sample.image.width);
      expect(sample.mask.height).toBe(sample.image.height);
      expect(new Set(sample.mask.data)).toEqual(new Set([0, 255]));
    }
    // The `size` column of the challenge's train.csv is the foreground count at the mask file's resolution.
    const table = await readTrainCsv(files, BDCI_LAYOUT.trainCsv);
    const sizes = new Map(table.rows.map((row) => [row.id, row.size]));
    for (const sample of samples) expect(sample.area).toBe(sizes.get(sample.id));
  });

  it("resizes like Pillow's NEAREST (fixture resize/nearest_label_256.npy)", async () => {
    const files = new NodeFiles(SAMPLES);
    const label = decodePng(await files.read('train_data/label/1.png'), 'label/1.png');
    const fixture = parseNpy(readFileSync(new URL('resize/nearest_label_256.npy', FIXTURES)), 'nearest_label_256.npy');
    expect([fixture.dtype, fixture.shape]).toEqual(['|u1', [256, 256]]);
    const resized = resizeNearest(label, 256, 256);
    expect(resized.data).toEqual(Uint8Array.from(fixture.data));
    expect(resized.data.reduce((count, value) => count + (value === 255 ? 1 : 0), 0)).toBe(10093);
  });

  it('loads the test images with their RGB', async () => {
    const { samples } = await loadTestSet(new NodeFiles(SAMPLES));
    expect(samples).toHaveLength(8);
    expect(samples[0]!.image.rgb).not.toBeNull();
  });
});

describe('BDCI loader errors and warnings', () => {
  it('loads a clean set without warnings, in natural order, empty masks allowed', async () => {
    const files = await memorySet({ '2.png': gray(40, 30, () => 0) });
    const { samples, warnings } = await loadTrainSet(files, 'data');
    expect(warnings).toEqual([]);
    expect(samples.map((sample) => [sample.id, sample.area])).toEqual([
      ['1.png', 10],
      ['2.png', 0],
      ['10.png', 100],
    ]);
  });

  it('names the missing file of an unpaired image or mask', async () => {
    const files = await memorySet();
    files.delete(`data/${BDCI_LAYOUT.trainLabels}/2.png`);
    await expect(loadTrainSet(files, 'data')).rejects.toThrow('missing mask data/train_data/label/2.png for image data/train_data/img/2.png');
    const other = await memorySet();
    other.delete(`data/${BDCI_LAYOUT.trainImages}/10.png`);
    await expect(loadTrainSet(other, 'data')).rejects.toThrow('missing image data/train_data/img/10.png for mask data/train_data/label/10.png');
    await expect(loadTrainSet(other, 'nowhere')).rejects.toThrow('nowhere/train_data/img: folder not found');
  });

  it('names a corrupt PNG', async () => {
    const files = await memorySet();
    await files.write(`data/${BDCI_LAYOUT.trainLabels}/10.png`, new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]));
    await expect(loadTrainSet(files, 'data')).rejects.toThrow('data/train_data/label/10.png: not a PNG file');
  });

  it('binarises a non-binary mask at 128 with one warning for the set', async () => {
    const soft = gray(40, 30, (x) => (x < 10 ? 0 : x < 20 ? 127 : x < 30 ? 128 : 200));
    const files = await memorySet({ '1.png': soft, '10.png': soft });
    const { samples, warnings } = await loadTrainSet(files, 'data');
    expect(warnings).toEqual([expect.stringMatching(/2 of 3 mask\(s\) had values other than 0 and 255 and were binarised at 128: 1\.png, 10\.png/)]);
    expect(samples[0]!.area).toBe(20 * 30);
    expect(new Set(samples[0]!.mask.data)).toEqual(new Set([0, 255]));
  });

  it('resizes a mask a few pixels off (nearest) and refuses one more than 10% off, naming both files and sizes', async () => {
    const near = await memorySet({ '2.png': gray(43, 28, (x) => (x < 20 ? 255 : 0)) });
    const { samples, warnings } = await loadTrainSet(near, 'data');
    expect(warnings).toEqual([expect.stringMatching(/1 of 3 masks differ in size .* resized to them \(nearest\): 2\.png/)]);
    expect(samples[1]!.mask).toMatchObject({ width: 40, height: 30 });
    expect(samples[1]!.area).toBe(20 * 28);
    const far = await memorySet({ '2.png': gray(40, 34, () => 0) });
    await expect(loadTrainSet(far, 'data')).rejects.toThrow(
      'mask data/train_data/label/2.png is 40x34 but image data/train_data/img/2.png is 40x30: more than 10% apart',
    );
  });

  it('refuses an image over 8192 px, naming it', async () => {
    const files = await memorySet();
    const huge = encodeGrayPng({ width: 1, height: 1, data: new Uint8Array(1) });
    new DataView(huge.buffer).setUint32(16, 9000);
    await files.write(`data/${BDCI_LAYOUT.trainImages}/1.png`, huge);
    await expect(loadPair(files, `data/${BDCI_LAYOUT.trainImages}/1.png`, `data/${BDCI_LAYOUT.trainLabels}/1.png`)).rejects.toThrow(
      'data/train_data/img/1.png: image is 9000x1; images over 8192 px in either axis are refused',
    );
  });

  it('writes predictions as gray PNGs under test_data/predict', async () => {
    const files = new MemoryFiles();
    const mask = gray(8, 6, (x) => (x > 3 ? 255 : 0));
    await writePrediction(files, 'out', '7.png', mask);
    expect(files.paths()).toEqual(['out/test_data/predict/7.png']);
    expect(decodePng(await files.read('out/test_data/predict/7.png'), 'p').data).toEqual(mask.data);
  });
});
