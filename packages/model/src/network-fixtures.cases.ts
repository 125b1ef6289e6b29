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
  // Dropout at p = 0 and drop-connect off, as in the fixtures.
  const config = { network, encoder: checkBackbone(encoder), decoderAttention: checkDecoderAttention(decoderAttention, network), inChannels: 1, classes: 1, dropConnectRate: 0, decoderDropout: 0 };
  // PAN's case is 2×1×128×160 (its FPA needs the 1/16 map ≥ 8×8): 3.3× the pixels of the others.
  return [networkFixtureCase(name, (gpu) => new SegmentationModel(gpu, config), network === 'pan' ? { timeoutMs: 1_500_000 } : {})];
});
