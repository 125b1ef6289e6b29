import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { gpuFor, testAdapterKinds } from '@ulseg/kernels/testing';
import { edgeMedian } from './emf.js';
import { postprocessMask } from './postprocess.js';

const fixtures = new URL('../../../test/fixtures/postprocess/', import.meta.url);
function readMask(path: string): { data: Uint8Array; width: number; height: number } {
  const png = PNG.sync.read(readFileSync(new URL(path, fixtures)));
  const data = new Uint8Array(png.width * png.height);
  for (let index = 0; index < data.length; index++) data[index] = png.data[index * 4]!;
  return { data, width: png.width, height: png.height };
}
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

for (const kind of testAdapterKinds()) {
  describe(`EMF on ${kind} against scipy (postprocess fixtures)`, () => {
    it('emf19 and median19 of rsip50 are reproduced bit-exactly for all 8 images; RSIP + EMF end to end', { timeout: 120_000 }, async () => {
      const gpu = await gpuFor(kind);
      for (let id = 1; id <= 8; id++) {
        const rsip = readMask(`rsip50/${id}.png`);
        const filtered = await edgeMedian(gpu, rsip.data, rsip.width, rsip.height, 19);
        expect(same(filtered, readMask(`emf19/${id}.png`).data), `emf19 ${id}`).toBe(true);
        expect(same(filtered, readMask(`median19/${id}.png`).data), `median19 ${id}`).toBe(true);
        const noisy = readMask(`noisy/${id}.png`);
        const result = await postprocessMask(gpu, noisy.data, noisy.width, noisy.height, { threshold: 50, kernel: 19 });
        expect(same(result.mask, filtered), `RSIP + EMF ${id}`).toBe(true);
      }
      await expect(edgeMedian(gpu, new Uint8Array(4), 2, 2, 4)).rejects.toThrow(/odd positive integer, got 4/);
    });
  });
}
