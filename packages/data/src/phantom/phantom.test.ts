import { describe, expect, it } from 'vitest';
import { BDCI_LAYOUT, loadLabelledSet, loadTrainSet } from '../bdci.js';
import { MemoryFiles } from '../files.js';
import { maskArea } from '../grades.js';
import { decodePng } from '../png.js';
import { Random } from '@ulseg/base';
import { readTrainCsv } from '../train-csv.js';
import { generatePhantomSet, renderPhantomSample, samplePhantomSpec } from './dataset.js';
import { randomLesionShape, rasterizeLesion } from './lesion.js';

describe('phantom data set', () => {
  it('writes the BDCI layout, and the same seed gives identical bytes', async () => {
    const first = new MemoryFiles();
    const summary = await generatePhantomSet(first, { seed: 3, trainCount: 32, testCount: 8 });
    expect(summary.train).toHaveLength(32);
    expect(summary.test).toHaveLength(8);
    expect(first.paths().filter((path) => path.startsWith(BDCI_LAYOUT.trainImages))).toHaveLength(32);
    expect(first.paths().filter((path) => path.startsWith(BDCI_LAYOUT.testLabels))).toHaveLength(8);
    expect(await first.exists(BDCI_LAYOUT.trainCsv)).toBe(true);

    const second = new MemoryFiles();
    await generatePhantomSet(second, { seed: 3, trainCount: 32, testCount: 8 });
    expect(second.paths()).toEqual(first.paths());
    const differing = [];
    for (const path of first.paths()) if (!sameBytes(await second.read(path), await first.read(path))) differing.push(path);
    expect(differing).toEqual([]);

    const other = new MemoryFiles();
    await generatePhantomSet(other, { seed: 4, trainCount: 1, testCount: 0 });
    expect(sameBytes(await other.read('train_data/img/1.png'), await first.read('train_data/img/1.png'))).toBe(false);
  });

  it('loads cleanly: binary masks of exactly the lesion area, sizes like the real scans, train.csv sizes = mask areas', async () => {
    const files = new MemoryFiles();
    const summary = await generatePhantomSet(files, { seed: 11, trainCount: 12, testCount: 3, root: 'phantom' });
    const { samples, warnings } = await loadTrainSet(files, 'phantom');
    expect(warnings).toEqual([]);
    const table = await readTrainCsv(files, `phantom/${BDCI_LAYOUT.trainCsv}`);
    expect(table.rows.map((row) => row.size)).toEqual(samples.map((sample) => sample.area));
    for (const [index, sample] of samples.entries()) {
      const info = summary.train[index]!;
      expect(sample.id).toBe(info.id);
      expect(sample.image.width).toBeGreaterThanOrEqual(440);
      expect(sample.image.width).toBeLessThanOrEqual(490);
      expect(sample.image.height).toBeGreaterThanOrEqual(230);
      expect(sample.image.height).toBeLessThanOrEqual(320);
      const raw = decodePng(await files.read(`phantom/${BDCI_LAYOUT.trainLabels}/${sample.id}`), sample.id);
      expect(raw.data.every((value) => value === 0 || value === 255)).toBe(true);
      expect(sample.area).toBe(info.area);
      expect(Math.abs(sample.area - info.targetArea) / info.targetArea).toBeLessThan(0.01);
    }
    const test = await loadLabelledSet(files, `phantom/${BDCI_LAYOUT.testImages}`, `phantom/${BDCI_LAYOUT.testLabels}`);
    expect(test.samples).toHaveLength(3);
  });

  it('draws lesion areas from the real distribution (within the jitter) and scales them with the image size', () => {
    const random = new Random(5);
    for (let draw = 0; draw < 200; draw++) {
      const spec = samplePhantomSpec(random);
      expect(spec.targetArea).toBeGreaterThanOrEqual(Math.floor(3134 * 0.9));
      expect(spec.targetArea).toBeLessThanOrEqual(Math.ceil(65865 * 1.1));
    }
    const small = samplePhantomSpec(new Random(6), { width: [232, 233], height: [137, 138], areaJitter: 0 });
    expect(small.width).toBeLessThanOrEqual(233);
    // A quarter of the real images' area → a quarter of the real lesion area.
    const full = samplePhantomSpec(new Random(6), { areaJitter: 0 });
    expect(small.targetArea / full.targetArea).toBeCloseTo((232.5 * 137.5) / (465 * 275), 2);
  });

  it('shows the lesion: hypoechoic darker and hyperechoic brighter than the tissue around it; margins are black', () => {
    const checked = { hypoechoic: 0, hyperechoic: 0 };
    for (let index = 1; (checked.hypoechoic < 3 || checked.hyperechoic < 2) && index < 60; index++) {
      const scan = renderPhantomSample(21, 'train', index);
      expect(scan.image.data.subarray(0, scan.image.width).every((value) => value === 0)).toBe(true);
      const { width, height } = scan.image;
      let inside = 0;
      let insideCount = 0;
      let around = 0;
      let aroundCount = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const value = scan.image.data[y * width + x]!;
          if (scan.mask.data[y * width + x] === 255) {
            inside += value;
            insideCount++;
          } else if (near(scan.mask.data, width, height, x, y, 12)) {
            around += value;
            aroundCount++;
          }
        }
      }
      // At least 10 grey levels apart: a lesion a reader can see, not one hidden in the speckle.
      if (scan.info.echo === 'hypoechoic') expect(inside / insideCount).toBeLessThan(around / aroundCount - 10);
      else expect(inside / insideCount).toBeGreaterThan(around / aroundCount + 10);
      checked[scan.info.echo]++;
    }
    expect(checked.hypoechoic).toBeGreaterThanOrEqual(3);
    expect(checked.hyperechoic).toBeGreaterThanOrEqual(2);
  });

  it('writes off-size masks on request, which the loader resizes with one warning', async () => {
    const files = new MemoryFiles();
    await generatePhantomSet(files, { seed: 2, trainCount: 6, testCount: 0, maskSizeJitter: 3 });
    const { warnings } = await loadTrainSet(files);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/masks differ in size/);
  });
});

describe('lesion rasteriser', () => {
  it('hits the target area exactly when it fits, and fills what it can when clipped', () => {
    const random = new Random(8);
    const allowed = new Uint8Array(200 * 120).fill(1);
    for (const target of [50, 777, 5000, 15000]) {
      const lesion = rasterizeLesion(randomLesionShape(random, 100, 60), 200, 120, allowed, target);
      expect(Math.abs(lesion.area - target)).toBeLessThanOrEqual(1);
      expect(lesion.inside.reduce((sum, value) => sum + value, 0)).toBe(lesion.area);
    }
    const corner = rasterizeLesion(randomLesionShape(random, 5, 5), 200, 120, allowed, 4000);
    expect(Math.abs(corner.area - 4000)).toBeLessThanOrEqual(1);
    const tiny = new Uint8Array(200 * 120);
    tiny.fill(1, 0, 300);
    expect(rasterizeLesion(randomLesionShape(random, 100, 1), 200, 120, tiny, 5000).area).toBe(300);
    expect(maskArea({ width: 1, height: 1, data: Uint8Array.from([255]) })).toBe(1);
  });
});

function near(mask: Uint8Array, width: number, height: number, x: number, y: number, distance: number): boolean {
  for (let dy = -distance; dy <= distance; dy += 4) {
    for (let dx = -distance; dx <= distance; dx += 4) {
      const sx = x + dx;
      const sy = y + dy;
      if (sx >= 0 && sy >= 0 && sx < width && sy < height && mask[sy * width + sx] === 255) return true;
    }
  }
  return false;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
