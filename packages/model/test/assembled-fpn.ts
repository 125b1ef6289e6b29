/**
 * smp 0.1.0's FPN assembled from ulseg's parts until SegmentationModel builds it: encoder → FPN decoder →
 * segmentation_head.0 (conv1x1 128 → classes 1, bias) → bilinear ×4 (align_corners=True) (docs/ORIGINAL.md §10).
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import { Random } from '@ulseg/kernels';
import { FpnDecoder } from '../src/decoders/fpn.js';
import { createEncoder, type BackboneName, type Encoder } from '../src/encoders/encoder.js';

type Gpu = Tensor['gpu'];

export class AssembledFpn extends nn.Module {
  private readonly encoder: Encoder;
  private readonly decoder: FpnDecoder;
  private readonly head: nn.Conv2d;

  /** `dropout`: the decoder's Dropout2d rate (smp's default 0.2; the fixture uses 0). */
  constructor(gpu: Gpu, backbone: BackboneName, options: { seed: number; dropout: number }) {
    super();
    const random = new Random(options.seed);
    this.encoder = this.registerModule('encoder', createEncoder(gpu, random, backbone, { inChannels: 1 }));
    this.decoder = this.registerModule('decoder', new FpnDecoder(gpu, random, this.encoder.outChannels, { dropout: options.dropout }));
    const head = this.registerModule('segmentation_head', new nn.Module());
    this.head = head.registerModule('0', new nn.Conv2d(gpu, random, this.decoder.outChannels, 1, 1, { init: 'xavier' }));
  }

  forward(x: Tensor): Tensor {
    const logits = this.head.forward(this.decoder.forward(this.encoder.forward(x)));
    return F.interpolate(logits, { scaleFactor: 4, mode: 'bilinear', alignCorners: true });
  }
}
