/** The smp 0.1.0 fixture test/fixtures/networks/fpn-resnet34 on every test adapter (checks: test/network-fixture.ts), dropout at p = 0 as in the fixture. */
import { describeNetworkCase } from '../test/network-fixture.js';
import { SegmentationModel } from './segmentation-model.js';

describeNetworkCase('fpn-resnet34', (gpu) =>
  new SegmentationModel(gpu, { network: 'fpn', encoder: 'resnet34', inChannels: 1, classes: 1, dropConnectRate: 0, decoderDropout: 0 }),
);
