import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, it } from 'vitest';
import { assertClose, gpuFor, poisoned, testAdapterKinds } from '../../testing/index.js';
import { registerCases } from '../../testing/vitest.js';
import { medianCases } from './median.cases.js';
import { edgeMedianFilter, medianFilter } from './median.js';

registerCases(medianCases);

/** The post-processing fixtures in the repository (test/fixtures/postprocess); a missing file fails. */
const FIXTURES = new URL('../../../../../test/fixtures/postprocess/', import.meta.url);
const IDS = [1, 2, 3, 4, 5, 6, 7, 8];

/** An 8-bit grayscale PNG as [1, 1, H, W] values 0..255. */
function readMask(folder: string, id: number): { data: Float32Array; shape: number[] } {
  const png = PNG.sync.read(readFileSync(new URL(`${folder}/${id}.png`, FIXTURES)));
  return { data: Float32Array.from({ length: png.width * png.height }, (_, i) => png.data[4 * i]!), shape: [1, 1, png.height, png.width] };
}

for (const kind of testAdapterKinds()) {
  describe(`node/${kind} fixtures`, () => {
    it('median: 19 x 19 median and edge median of rsip50 match scipy bit-exactly (8 images, both paths)', { timeout: 120_000 }, async () => {
      const gpu = await gpuFor(kind);
      for (const id of IDS) {
        const input = readMask('rsip50', id);
        const x = gpu.upload(input.data, input.shape);
        const median19 = readMask('median19', id).data;
        const emf19 = readMask('emf19', id).data;
        for (const binary of [true, false]) {
          const path = binary ? 'binary' : '8-bit';
          assertClose(await gpu.read(medianFilter(gpu, x, 19, { binary, out: poisoned(gpu, input.shape) })), median19, 'exact', `median19 ${id} ${path}`);
          assertClose(await gpu.read(edgeMedianFilter(gpu, x, 19, { binary, out: poisoned(gpu, input.shape) })), emf19, 'exact', `emf19 ${id} ${path}`);
        }
        gpu.release(x);
      }
    });
  });
}
