import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { labelComponents } from './components.js';
import { removeSmallRegions } from './rsip.js';

const fixtures = new URL('../../../test/fixtures/postprocess/', import.meta.url);
function readMask(path: string): { data: Uint8Array; width: number; height: number } {
  const png = PNG.sync.read(readFileSync(new URL(path, fixtures)));
  const data = new Uint8Array(png.width * png.height);
  for (let index = 0; index < data.length; index++) data[index] = png.data[index * 4]!;
  return { data, width: png.width, height: png.height };
}

describe('RSIP against scikit-image (postprocess fixtures)', () => {
  for (let id = 1; id <= 8; id++) {
    it(`image ${id}: removes 8-connected regions of ≤ 50 px, and fills holes of ≤ 50 px, bit-exactly`, () => {
      const noisy = readMask(`noisy/${id}.png`);
      const removed = removeSmallRegions(noisy.data, noisy.width, noisy.height, { threshold: 50 });
      expect(Buffer.from(removed.mask).equals(Buffer.from(readMask(`rsip50/${id}.png`).data))).toBe(true);
      const filled = removeSmallRegions(noisy.data, noisy.width, noisy.height, { threshold: 50, fillHoles: true });
      expect(Buffer.from(filled.mask).equals(Buffer.from(readMask(`rsip50-holes/${id}.png`).data))).toBe(true);
      expect(removed.removedRegions).toBeGreaterThan(0);
    });
  }
  it('counts 50 removed / 51 kept, and a diagonal pair as one 8-connected region (two 4-connected ones)', () => {
    const width = 20;
    const height = 12;
    const mask = new Uint8Array(width * height);
    const put = (x: number, y: number): void => void (mask[y * width + x] = 255);
    for (let i = 0; i < 50; i++) put(i % 10, Math.floor(i / 10)); // 50 px block at the top left
    for (let i = 0; i < 51; i++) put(10 + (i % 10), 6 + Math.floor(i / 10)); // 51 px block, bottom right
    const result = removeSmallRegions(mask, width, height, { threshold: 50 });
    expect(result.mask.filter((v) => v === 255).length).toBe(51);
    const diagonal = Uint8Array.from([255, 0, 0, 255]);
    expect(labelComponents(diagonal, 2, 2, 8, (v) => v > 0).count).toBe(1);
    expect(labelComponents(diagonal, 2, 2, 4, (v) => v > 0).count).toBe(2);
  });
  it('names the problem on a size mismatch', () => {
    expect(() => removeSmallRegions(new Uint8Array(5), 2, 2)).toThrow(/5 pixels for a 2x2 mask/);
  });
});
