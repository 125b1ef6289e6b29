import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertClose, defineCases } from '../../testing/index.js';
import { registerCases } from '../../testing/vitest.js';
import { segmentationLoss, segmentationLossBackward } from './loss.js';
import { lossCases } from './loss.cases.js';
import { segmentationLossBackwardReference } from './loss.reference.js';
import { parseNpy } from '@ulseg/base';

/** The golden fixtures in the repository (test/fixtures); a missing fixture fails the test. */
const FIXTURES = fileURLToPath(new URL('../../../../../test/fixtures/linknet-b0/', import.meta.url));
const logits = parseNpy(readFileSync(FIXTURES + 'train_logits.npy'));
const target = parseNpy(readFileSync(FIXTURES + 'target.npy'));
const expected = JSON.parse(readFileSync(FIXTURES + 'loss.json', 'utf8')) as Record<string, number>;

const fixtureCases = defineCases('loss fixture', {
  'train_logits.npy vs target.npy: dice, bce and sums of loss.json (float64 recomputations) to 1e-6': async ({ gpu }) => {
    if (logits.shape.join() !== '2,1,64,96' || target.shape.join() !== '2,1,64,96') {
      throw new Error(`fixture shapes ${logits.shape} / ${target.shape}, expected [2, 1, 64, 96]`);
    }
    const l = gpu.upload(logits.data, logits.shape);
    const t = gpu.upload(target.data, target.shape);
    const pure = segmentationLoss(gpu, l, t);
    const [loss, dice, bce] = await gpu.read(pure.loss);
    assertClose([loss!, dice!, bce!], [expected.dice!, expected.dice!, expected.bce!], 'reduction', 'loss, dice, bce');
    const sums = await gpu.read(pure.sums);
    assertClose(sums.subarray(0, 3), [expected.sum_p!, expected.sum_t!, expected.sum_pt!], 'reduction', 'Σp, Σt, Σpt');
    const mixed = await gpu.read(segmentationLoss(gpu, l, t, { bceWeight: 0.25 }).loss);
    assertClose([mixed[0]!], [0.25 * expected.bce! + 0.75 * expected.dice!], 'reduction', '0.25·bce + 0.75·dice');
    const dl = segmentationLossBackward(gpu, l, t, pure.sums);
    assertClose(await gpu.read(dl), segmentationLossBackwardReference(logits.data, target.data), 'reduction', 'd dice / d logits');
  },
});

registerCases([...lossCases, ...fixtureCases]);
