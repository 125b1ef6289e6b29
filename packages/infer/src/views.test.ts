/**
 * TTA merge and resize back against PyTorch: per-view logits built from prob.npy (test/fixtures/resize/) merge
 * back to prob, and its bilinear resize matches F.interpolate's 307x454 and 230x481 outputs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resizeBilinear } from '@ulseg/kernels';
import { assertClose, compare, gpuFor, poisoned, Random, testAdapterKinds } from '@ulseg/kernels/testing';
import { parseNpy } from '@ulseg/base';
import { registerCases } from '@ulseg/kernels/testing/vitest';
import { viewsCases } from './views.cases.js';
import { mergeViews, TTA_PRESETS } from './views.js';
import { viewReference } from './views.reference.js';

registerCases(viewsCases);

const fixtures = new URL('../../../test/fixtures/resize/', import.meta.url);
const npy = (name: string) => parseNpy(readFileSync(new URL(name, fixtures)));

for (const kind of testAdapterKinds()) {
  describe(`node/${kind} fixtures`, () => {
    it('merge of 4 flipped views of logit(prob) + zero-sum noise, resized to 307x454 and 230x481, matches PyTorch', { timeout: 60_000 }, async () => {
      const gpu = await gpuFor(kind);
      const prob = npy('prob.npy');
      const plane = [1, 1, 256, 256];
      const size = prob.data.length;
      const views = TTA_PRESETS.flips;
      // L_v = T_v(logit(prob) + n_v) with Σ_v n_v = 0: the mean of the de-augmented views is logit(prob) only when each
      // view is restored with its own flip.
      const random = new Random(8);
      const noise = views.map(() => Float64Array.from({ length: size }, () => random.uniform(-2, 2)));
      for (let index = 0; index < size; index++) noise[3]![index] = -(noise[0]![index]! + noise[1]![index]! + noise[2]![index]!);
      const logits = new Float32Array(views.length * size);
      views.forEach((view, v) => {
        const shifted = Float64Array.from(prob.data, (p, index) => Math.log(p / (1 - p)) + noise[v]![index]!);
        logits.set(viewReference(shifted, plane, view), v * size);
      });
      const merged = mergeViews(gpu, gpu.upload(logits, [4, 1, 256, 256]), views, poisoned(gpu, plane));
      assertClose(await gpu.read(merged), prob.data, { relativeL2: 1e-6 }, 'merged probability');
      for (const [h, w] of [[307, 454], [230, 481]] as const) {
        const want = npy(`bilinear_${h}x${w}.npy`);
        const resized = resizeBilinear(gpu, merged, [h, w], poisoned(gpu, want.shape));
        assertClose(await gpu.read(resized), want.data, { relativeL2: 1e-6 }, `merged then resized to ${h}x${w}`);
      }
      // The same logits merged with hflip and vflip's inverses exchanged are far off: the check can fail.
      const wrong = mergeViews(gpu, gpu.upload(logits, [4, 1, 256, 256]), ['identity', 'vflip', 'hflip', 'rot180']);
      expect(compare(await gpu.read(wrong), prob.data).relativeL2).toBeGreaterThan(1e-2);
    });
  });
}
