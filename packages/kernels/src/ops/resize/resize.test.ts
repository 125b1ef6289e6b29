import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, it } from 'vitest';
import { assertClose, gpuFor, poisoned, testAdapterKinds } from '../../testing/index.js';
import { registerCases } from '../../testing/vitest.js';
import { parseNpy } from '@ulseg/base';
import { resizePillow } from './pillow.js';
import { resizeCases } from './resize.cases.js';
import { resizeBilinear, resizeNearest } from './resize.js';

registerCases(resizeCases);

const FIXTURES = new URL('../../../../../test/fixtures/resize/', import.meta.url);
const SAMPLES = new URL('../../../../../test/fixtures/bdci-samples/train_data/', import.meta.url);

const npy = (name: string) => parseNpy(readFileSync(new URL(name, FIXTURES)));

/** First channel of an 8-bit PNG (gray, or RGB with R = G = B) as [1, 1, H, W]. */
function pngChannel(url: URL): { data: Float32Array; shape: number[] } {
  const png = PNG.sync.read(readFileSync(url));
  const data = Float32Array.from({ length: png.width * png.height }, (_, i) => png.data[4 * i]!);
  return { data, shape: [1, 1, png.height, png.width] };
}

for (const kind of testAdapterKinds()) {
  describe(`node/${kind} fixtures`, () => {
    it('resize: PyTorch bilinear of prob.npy to 307x454 and 230x481 within 6e-8', { timeout: 60_000 }, async () => {
      const gpu = await gpuFor(kind);
      const prob = npy('prob.npy');
      const x = gpu.upload(prob.data, prob.shape);
      for (const [h, w] of [[307, 454], [230, 481]] as const) {
        const want = npy(`bilinear_${h}x${w}.npy`);
        const y = resizeBilinear(gpu, x, [h, w], poisoned(gpu, want.shape));
        assertClose(await gpu.read(y), want.data, { relativeL2: 1e-6, maxAbsolute: 6e-8 }, `bilinear ${h}x${w}`);
      }
    });
    it('resize: Pillow bicubic and bilinear of img/1.png to 256x256 are bit-exact', { timeout: 60_000 }, async () => {
      const gpu = await gpuFor(kind);
      const image = pngChannel(new URL('img/1.png', SAMPLES));
      const x = gpu.upload(image.data, image.shape);
      for (const filter of ['bicubic', 'bilinear'] as const) {
        const y = resizePillow(gpu, x, [256, 256], filter, poisoned(gpu, [1, 1, 256, 256]));
        assertClose(await gpu.read(y), npy(`pil_${filter}_256.npy`).data, 'exact', `pillow ${filter}`);
      }
    });
    it('resize: Pillow nearest of label/1.png to 256x256 is bit-exact', { timeout: 60_000 }, async () => {
      const gpu = await gpuFor(kind);
      const label = pngChannel(new URL('label/1.png', SAMPLES));
      const y = resizeNearest(gpu, gpu.upload(label.data, label.shape), [256, 256], poisoned(gpu, [1, 1, 256, 256]));
      assertClose(await gpu.read(y), npy('nearest_label_256.npy').data, 'exact', 'nearest');
    });
  });
}
