/**
 * The smp 0.1.0 fixture test/fixtures/networks/fpn-resnet34 on every test adapter (checks: test/network-fixture.ts):
 * ResNet-34 → FPN decoder → segmentation_head.0 (conv1x1 128 → 1, bias) → bilinear ×4 (align_corners=True), with
 * Dropout2d at p = 0 as in the fixture. The model is assembled here from the encoder and decoder modules.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import { Random } from '@ulseg/kernels';
import { describeNetworkCase } from '../test/network-fixture.js';
import { FpnDecoder } from './decoders/fpn.js';
import { createEncoder, type Encoder } from './encoders/encoder.js';

type Gpu = Tensor['gpu'];

class FpnResNet34 extends nn.Module {
  private readonly encoder: Encoder;
  private readonly decoder: FpnDecoder;
  private readonly head: nn.Conv2d;

  constructor(gpu: Gpu) {
    super();
    const random = new Random(1234);
    this.encoder = this.registerModule('encoder', createEncoder(gpu, random, 'resnet34', { inChannels: 1 }));
    this.decoder = this.registerModule('decoder', new FpnDecoder(gpu, random, this.encoder.outChannels, { dropout: 0 }));
    const head = this.registerModule('segmentation_head', new nn.Module());
    this.head = head.registerModule('0', new nn.Conv2d(gpu, random, this.decoder.outChannels, 1, 1, { init: 'xavier' }));
  }

  forward(x: Tensor): Tensor {
    const logits = this.head.forward(this.decoder.forward(this.encoder.forward(x)));
    return F.interpolate(logits, { scaleFactor: 4, mode: 'bilinear', alignCorners: true });
  }
}

describeNetworkCase('fpn-resnet34', (gpu) => new FpnResNet34(gpu));
