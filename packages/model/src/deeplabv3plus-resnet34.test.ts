/** The smp 0.1.0 fixture test/fixtures/networks/deeplabv3plus-resnet34 on every test adapter (checks: test/network-fixture.ts), dropout at p = 0 as in the fixture. */
import { describeNetworkCase } from '../test/network-fixture.js';
import { SegmentationModel } from './segmentation-model.js';

describeNetworkCase('deeplabv3plus-resnet34', (gpu) =>
  new SegmentationModel(gpu, { network: 'deeplabv3plus', encoder: 'resnet34', inChannels: 1, classes: 1, dropConnectRate: 0, decoderDropout: 0 }),
);
