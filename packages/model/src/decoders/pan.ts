/**
 * The PAN decoder of segmentation_models_pytorch 0.1.0 (Li et al., "Pyramid Attention Network",
 * https://arxiv.org/abs/1805.10180; docs/ORIGINAL.md §10), module names as in the original: fpa.{branch1.1, mid.0,
 * down1.1, down2.1, down3.{1,2}, conv2, conv1}, gau{3,2,1}.{conv1.1, conv2}, each a ConvBnRelu {conv, bn}.
 * It runs on an encoder with output stride 16 (f5 at the size of f4). up(x, size) = bilinear, align_corners=True.
 *   cbr_k(x) = ReLU(BN(conv k×k pad ⌊k/2⌋ with bias (x)))        (the conv keeps its bias although BN follows)
 *   FPA(x), x = f5 of h×w, C → 32 ch:
 *     b1 = up(cbr_1(mean_hw(x)), h×w);  mid = cbr_1(x);
 *     x1 = cbr_7(maxpool2(x)) (→ 1 ch);  x2 = cbr_5(maxpool2(x1));  x3 = cbr_3(cbr_3(maxpool2(x2)))
 *     z = up(cbr_5'(x2) + up(x3, h/4×w/4), h/2×w/2) + cbr_7'(x1)     (sizes by integer division)
 *     FPA(x) = up(z, h×w)·mid + b1                                  (z's one channel broadcast over 32)
 *   GAU(x, y) = up(y, size of x) + cbr_3(x)·σ(BN(conv1x1 with bias (mean_hw(y))))     (x: C_low → 32 ch)
 *   out = GAU(f2, GAU(f3, GAU(f4, FPA(f5))))                                            (32 ch, stride 4)
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import { formatShape } from '@ulseg/kernels';

export const PAN_CHANNELS = 32;
/** FPA max-pools f5 three times by 2: f5 must be at least this many pixels on each side. */
const FPA_MIN_SIZE = 8;

/** smp's ConvBnRelu: conv k×k (pad ⌊k/2⌋, bias) → BN [→ ReLU]. */
class ConvBnRelu extends nn.Module {
  private readonly conv: nn.Conv2d;
  private readonly bn: nn.BatchNorm2d;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, kernel: number, readonly relu = true) {
    super(ctx);
    const options = { padding: Math.floor(kernel / 2), init: 'kaiming-relu' } as const;
    this.conv = this.registerModule('conv', new nn.Conv2d(ctx.child('conv'), inChannels, outChannels, kernel, options));
    this.bn = this.registerModule('bn', new nn.BatchNorm2d(ctx.child('bn'), outChannels));
  }

  forward(x: Tensor): Tensor {
    return nn.convBatchNorm(this.conv, this.bn, x, this.relu ? 'relu' : 'none');
  }
}

const up = (x: Tensor, size: readonly [number, number]): Tensor => F.interpolate(x, { size: [size[0], size[1]], mode: 'bilinear', alignCorners: true });
const maxPool2 = (x: Tensor): Tensor => F.maxPool2d(x, 2, { stride: 2 });

/**
 * smp's Sequential holding `layers` under keys first, first + 1, … (key 0 below first = 1: the parameter-free pooling
 * in front), as a namespace of state_dict keys: the owner runs the layers.
 */
function sequence(layers: nn.Module[], first = 1): nn.ModuleDict {
  const namespace = new nn.ModuleDict();
  layers.forEach((layer, index) => namespace.registerModule(String(index + first), layer));
  return namespace;
}

/** smp's FPABlock (feature pyramid attention). */
class FpaBlock extends nn.Module {
  private readonly branch1: ConvBnRelu;
  private readonly mid: ConvBnRelu;
  private readonly down1: ConvBnRelu;
  private readonly down2: ConvBnRelu;
  private readonly down3: [ConvBnRelu, ConvBnRelu];
  private readonly conv2: ConvBnRelu;
  private readonly conv1: ConvBnRelu;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number) {
    super(ctx);
    this.branch1 = new ConvBnRelu(ctx.child('branch1').child(1), inChannels, outChannels, 1);
    this.registerModule('branch1', sequence([this.branch1]));
    this.mid = new ConvBnRelu(ctx.child('mid').child(0), inChannels, outChannels, 1);
    this.registerModule('mid', sequence([this.mid], 0));
    this.down1 = new ConvBnRelu(ctx.child('down1').child(1), inChannels, 1, 7);
    this.registerModule('down1', sequence([this.down1]));
    this.down2 = new ConvBnRelu(ctx.child('down2').child(1), 1, 1, 5);
    this.registerModule('down2', sequence([this.down2]));
    this.down3 = [new ConvBnRelu(ctx.child('down3').child(1), 1, 1, 3), new ConvBnRelu(ctx.child('down3').child(2), 1, 1, 3)];
    this.registerModule('down3', sequence(this.down3));
    this.conv2 = this.registerModule('conv2', new ConvBnRelu(ctx.child('conv2'), 1, 1, 5));
    this.conv1 = this.registerModule('conv1', new ConvBnRelu(ctx.child('conv1'), 1, 1, 7));
  }

  forward(x: Tensor): Tensor {
    const [h, w] = [x.shape[2]!, x.shape[3]!];
    if (h < FPA_MIN_SIZE || w < FPA_MIN_SIZE) {
      throw new Error(`PAN: its FPA block halves the 1/16 map three times and needs it at least ${FPA_MIN_SIZE}x${FPA_MIN_SIZE}, got ${formatShape(x.shape)}`);
    }
    const b1 = up(this.branch1.forward(F.adaptiveAvgPool2d(x)), [h, w]);
    const mid = this.mid.forward(x);
    const x1 = this.down1.forward(maxPool2(x));
    const x2 = this.down2.forward(maxPool2(x1));
    const x3 = this.down3[1].forward(this.down3[0].forward(maxPool2(x2)));
    let z = F.add(this.conv2.forward(x2), up(x3, [Math.floor(h / 4), Math.floor(w / 4)]));
    z = F.add(up(z, [Math.floor(h / 2), Math.floor(w / 2)]), this.conv1.forward(x1));
    return F.add(F.mul(up(z, [h, w]), mid), b1);
  }
}

/** smp's GAUBlock (global attention upsample): conv1 = Sequential(pool, ConvBnRelu without ReLU, sigmoid). */
class GauBlock extends nn.Module<readonly [Tensor, Tensor], Tensor> {
  private readonly attention: ConvBnRelu;
  private readonly conv2: ConvBnRelu;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number) {
    super(ctx);
    this.attention = new ConvBnRelu(ctx.child('conv1').child(1), outChannels, outChannels, 1, false);
    this.registerModule('conv1', sequence([this.attention]));
    this.conv2 = this.registerModule('conv2', new ConvBnRelu(ctx.child('conv2'), inChannels, outChannels, 3));
  }

  /** x: the low-level feature, y: the coarser decoder map. */
  forward([x, y]: readonly [Tensor, Tensor]): Tensor {
    const yUp = up(y, [x.shape[2]!, x.shape[3]!]);
    const a = F.sigmoid(this.attention.forward(F.adaptiveAvgPool2d(y)));
    return F.add(yUp, F.channelMultiply(this.conv2.forward(x), a));
  }
}

export class PanDecoder extends nn.Module<readonly Tensor[], Tensor> {
  readonly outChannels = PAN_CHANNELS;
  private readonly fpa: FpaBlock;
  private readonly gaus: [GauBlock, GauBlock, GauBlock];

  /** encoderChannels: f0..f5 channels of an encoder with output stride 16. */
  constructor(ctx: nn.InitContext, encoderChannels: readonly number[]) {
    super(ctx);
    const [c5, c4, c3, c2] = encoderChannels.slice(-4).reverse() as [number, number, number, number];
    this.fpa = this.registerModule('fpa', new FpaBlock(ctx.child('fpa'), c5, PAN_CHANNELS));
    this.gaus = [
      this.registerModule('gau3', new GauBlock(ctx.child('gau3'), c4, PAN_CHANNELS)),
      this.registerModule('gau2', new GauBlock(ctx.child('gau2'), c3, PAN_CHANNELS)),
      this.registerModule('gau1', new GauBlock(ctx.child('gau1'), c2, PAN_CHANNELS)),
    ];
  }

  /** features f0..f5 (f5 at stride 16, at least 8x8) → [N, 32, H/4, W/4]. */
  forward(features: readonly Tensor[]): Tensor {
    const [f2, f3, f4, f5] = features.slice(-4) as [Tensor, Tensor, Tensor, Tensor];
    return this.gaus[2].forward([f2, this.gaus[1].forward([f3, this.gaus[0].forward([f4, this.fpa.forward(f5)])])]);
  }
}
