/** The smp 0.1.0 fixture test/fixtures/networks/unet-scse-resnet34 on every test adapter (checks: test/network-fixture.ts). */
import { describeNetworkCase } from '../test/network-fixture.js';
import { SegmentationModel } from './segmentation-model.js';

describeNetworkCase('unet-scse-resnet34', (gpu) =>
  new SegmentationModel(gpu, { network: 'unet', encoder: 'resnet34', decoderAttention: 'scse', inChannels: 1, classes: 1, dropConnectRate: 0 }),
);
