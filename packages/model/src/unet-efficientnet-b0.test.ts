/** The smp 0.1.0 fixture test/fixtures/networks/unet-efficientnet-b0 on every test adapter (checks: test/network-fixture.ts). */
import { describeNetworkCase } from '../test/network-fixture.js';
import { SegmentationModel } from './segmentation-model.js';

describeNetworkCase('unet-efficientnet-b0', (gpu) =>
  new SegmentationModel(gpu, { network: 'unet', encoder: 'efficientnet-b0', decoderAttention: 'none', inChannels: 1, classes: 1, dropConnectRate: 0 }),
);
