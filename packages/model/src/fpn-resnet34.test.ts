/**
 * The smp 0.1.0 fixture test/fixtures/networks/fpn-resnet34 on every test adapter (checks: test/network-fixture.ts):
 * ResNet-34 → FPN decoder → segmentation_head.0 (conv1x1 128 → 1, bias) → bilinear ×4 (align_corners=True), with
 * Dropout2d at p = 0 as in the fixture. The model is assembled from the encoder and decoder modules
 * (test/assembled-fpn.ts).
 */
import { AssembledFpn } from '../test/assembled-fpn.js';
import { describeNetworkCase } from '../test/network-fixture.js';

describeNetworkCase('fpn-resnet34', (gpu) => new AssembledFpn(gpu, 'resnet34', { seed: 1234, dropout: 0 }));
