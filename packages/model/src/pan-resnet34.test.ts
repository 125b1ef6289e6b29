/** The smp 0.1.0 fixture test/fixtures/networks/pan-resnet34 on every test adapter (checks: test/network-fixture.ts), dropout at p = 0 as in the fixture. */
import { describeNetworkCase } from '../test/network-fixture.js';
import { SegmentationModel } from './segmentation-model.js';

describeNetworkCase('pan-resnet34', (gpu) =>
  new SegmentationModel(gpu, { network: 'pan', encoder: 'resnet34', inChannels: 1, classes: 1, dropConnectRate: 0, decoderDropout: 0 }),
  // 2×1×128×160: FPA needs the 1/16 map ≥ 8×8, so this case is 3.3× the pixels of the others.
  { timeout: 1_500_000 },
);
