/**
 * The DeepLabV3+ decoder of segmentation_models_pytorch 0.1.0 (Chen et al., https://arxiv.org/abs/1802.02611;
 * docs/ORIGINAL.md §10) at output stride 16, module names as in the original:
 * aspp.0.{convs.{0..4}, project}, aspp.{1: separable conv, 2: BN}, block1.{0, 1}, block2.{0: separable conv, 1: BN}.
 *   sep(x; d) = conv1x1(depthwise3x3(x; dilation d, padding d))       (SeparableConv2d, no biases: keys .0, .1)
 *   ASPP on f5 (C ch, stride 16), five 256-ch branches, each followed by BN and ReLU:
 *     conv1x1(f5);  sep(f5; 12), sep(f5; 24), sep(f5; 36);
 *     bilinear(conv1x1(mean_hw(f5)), size of f5) (align_corners=False from 1x1: a broadcast)
 *   a = ReLU(BN(sep(Dropout(p)(ReLU(BN(conv1x1(cat(branches))))); 1)))               (1280 → 256 → 256 ch)
 *   out = ReLU(BN(sep(cat([bilinear_ac ×4(a), ReLU(BN(conv1x1(f2)))]); 1)))           (256 + 48 → 256 ch, stride 4)
 * bilinear_ac = bilinear with align_corners=True. Convolutions have no bias.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';

export const DEEPLAB_CHANNELS = 256;
export const DEEPLAB_ATROUS_RATES = [12, 24, 36] as const;
const HIGHRES_CHANNELS = 48;

const conv1x1 = (ctx: nn.InitContext, inChannels: number, outChannels: number): nn.Conv2d =>
  new nn.Conv2d(ctx, inChannels, outChannels, 1, { bias: false, init: 'kaiming-relu' });

/** smp's SeparableConv2d (a Sequential): depthwise 3x3 (groups = in) then pointwise 1x1, neither with a bias. */
class SeparableConv2d extends nn.Module {
  readonly depthwise: nn.Conv2d;
  readonly pointwise: nn.Conv2d;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, dilation: number) {
    super(ctx);
    const depthwise = { padding: dilation, dilation, groups: inChannels, bias: false, init: 'kaiming-relu' } as const;
    this.depthwise = this.registerModule('0', new nn.Conv2d(ctx.child('0'), inChannels, inChannels, 3, depthwise));
    this.pointwise = this.registerModule('1', conv1x1(ctx.child(1), inChannels, outChannels));
  }

  forward(x: Tensor): Tensor {
    return this.pointwise.forward(this.depthwise.forward(x));
  }
}

/** Sequential(conv1x1, BN, ReLU[, Dropout]) under keys 0, 1 (2 = ReLU, 3 = Dropout: ASPP's projection). */
class ConvBnReLU extends nn.Module {
  private readonly conv: nn.Conv2d;
  private readonly norm: nn.BatchNorm2d;
  private readonly dropout: nn.Dropout | undefined;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, dropout?: number) {
    super(ctx);
    this.conv = this.registerModule('0', conv1x1(ctx.child(0), inChannels, outChannels));
    this.norm = this.registerModule('1', new nn.BatchNorm2d(ctx.child('1'), outChannels));
    if (dropout !== undefined) this.dropout = this.registerModule('3', new nn.Dropout(ctx.child(3), dropout));
  }

  forward(x: Tensor): Tensor {
    const y = nn.convBatchNorm(this.conv, this.norm, x, 'relu');
    return this.dropout ? this.dropout.forward(y) : y;
  }
}

/** Sequential(SeparableConv2d, BN, ReLU) under keys 0, 1: ASPPSeparableConv, and block2. */
class SeparableBnReLU extends nn.Module {
  private readonly conv: SeparableConv2d;
  private readonly norm: nn.BatchNorm2d;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, dilation: number) {
    super(ctx);
    this.conv = this.registerModule('0', new SeparableConv2d(ctx.child('0'), inChannels, outChannels, dilation));
    this.norm = this.registerModule('1', new nn.BatchNorm2d(ctx.child('1'), outChannels));
  }

  forward(x: Tensor): Tensor {
    return nn.convBatchNorm(this.conv.pointwise, this.norm, this.conv.depthwise.forward(x), 'relu');
  }
}

/** smp's ASPPPooling: Sequential(AdaptiveAvgPool2d(1), conv1x1, BN, ReLU), broadcast back to the input's size. */
class AsppPooling extends nn.Module {
  private readonly conv: nn.Conv2d;
  private readonly norm: nn.BatchNorm2d;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number) {
    super(ctx);
    this.conv = this.registerModule('1', conv1x1(ctx.child(1), inChannels, outChannels));
    this.norm = this.registerModule('2', new nn.BatchNorm2d(ctx.child('2'), outChannels));
  }

  forward(x: Tensor): Tensor {
    const pooled = nn.convBatchNorm(this.conv, this.norm, F.adaptiveAvgPool2d(x), 'relu');
    return F.interpolate(pooled, { size: [x.shape[2]!, x.shape[3]!], mode: 'bilinear', alignCorners: false });
  }
}

/** smp's ASPP: convs.{0..4} and project = Sequential(conv1x1, BN, ReLU, Dropout). */
class Aspp extends nn.Module {
  private readonly branches: nn.Module[];
  private readonly project: ConvBnReLU;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, dropout: number) {
    super(ctx);
    const convs = this.registerModule('convs', new nn.ModuleList<nn.Module>());
    this.branches = [
      new ConvBnReLU(ctx.child('convs').child(0), inChannels, outChannels),
      ...DEEPLAB_ATROUS_RATES.map((rate, index) => new SeparableBnReLU(ctx.child('convs').child(index + 1), inChannels, outChannels, rate)),
      new AsppPooling(ctx.child('convs').child(DEEPLAB_ATROUS_RATES.length + 1), inChannels, outChannels),
    ];
    for (const branch of this.branches) convs.append(branch);
    this.project = this.registerModule('project', new ConvBnReLU(ctx.child('project'), this.branches.length * outChannels, outChannels, dropout));
  }

  forward(x: Tensor): Tensor {
    return this.project.forward(F.cat(this.branches.map((branch) => branch.forward(x)), 1));
  }
}

export interface DeepLabV3PlusDecoderOptions {
  /** Dropout probability after the ASPP projection (smp's 0.5). */
  dropout?: number;
}

export class DeepLabV3PlusDecoder extends nn.Module<readonly Tensor[], Tensor> {
  readonly outChannels = DEEPLAB_CHANNELS;
  private readonly aspp: Aspp;
  private readonly asppConv: SeparableConv2d;
  private readonly asppNorm: nn.BatchNorm2d;
  private readonly block1: ConvBnReLU;
  private readonly block2: SeparableBnReLU;

  /** encoderChannels: f0..f5 channels of an encoder with output stride 16. The context's generator also drives the Dropout masks. */
  constructor(ctx: nn.InitContext, encoderChannels: readonly number[], options: DeepLabV3PlusDecoderOptions = {}) {
    super(ctx);
    const asppSequence = this.registerModule('aspp', new nn.ModuleDict());
    const aspp = ctx.child('aspp');
    this.aspp = asppSequence.registerModule('0', new Aspp(aspp.child(0), encoderChannels.at(-1)!, DEEPLAB_CHANNELS, options.dropout ?? 0.5));
    this.asppConv = asppSequence.registerModule('1', new SeparableConv2d(aspp.child(1), DEEPLAB_CHANNELS, DEEPLAB_CHANNELS, 1));
    this.asppNorm = asppSequence.registerModule('2', new nn.BatchNorm2d(aspp.child(2), DEEPLAB_CHANNELS));
    this.block1 = this.registerModule('block1', new ConvBnReLU(ctx.child('block1'), encoderChannels.at(-4)!, HIGHRES_CHANNELS));
    this.block2 = this.registerModule('block2', new SeparableBnReLU(ctx.child('block2'), DEEPLAB_CHANNELS + HIGHRES_CHANNELS, DEEPLAB_CHANNELS, 1));
  }

  /** features f0..f5 (f5 at stride 16) → [N, 256, H/4, W/4]. */
  forward(features: readonly Tensor[]): Tensor {
    const aspp = nn.convBatchNorm(this.asppConv.pointwise, this.asppNorm, this.asppConv.depthwise.forward(this.aspp.forward(features.at(-1)!)), 'relu');
    const up = F.interpolate(aspp, { scaleFactor: 4, mode: 'bilinear', alignCorners: true });
    return this.block2.forward(F.cat([up, this.block1.forward(features.at(-4)!)], 1));
  }
}
