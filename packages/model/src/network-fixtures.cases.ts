/**
 * The smp 0.1.0 network fixtures (test/fixtures/networks, checks: testing/network-fixture.ts) as kernel cases, for
 * the browser harness (test/browser): every case whose network ulseg builds (NETWORKS), built by SegmentationModel
 * from the case's name. A network added to NETWORKS is covered here without an edit. In Node the per-network test
 * files (`<case>.test.ts`) run the same case body through describeNetworkCase.
 */
import { isNetwork, checkDecoderAttention } from './networks.js';
import { checkBackbone } from './encoders/encoder.js';
import { SegmentationModel } from './segmentation-model.js';
import { caseNetwork, NETWORK_CASES, networkFixtureCase } from './testing/network-fixture.js';

export const networkFixtureCases = NETWORK_CASES.flatMap((name) => {
  const { network, encoder, decoderAttention } = caseNetwork(name);
  if (!isNetwork(network)) return [];
  const config = { network, encoder: checkBackbone(encoder), decoderAttention: checkDecoderAttention(decoderAttention, network), inChannels: 1, classes: 1, dropConnectRate: 0 };
  return [networkFixtureCase(name, (gpu) => new SegmentationModel(gpu, config))];
});
