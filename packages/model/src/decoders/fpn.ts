/**
 * The FPN decoder of segmentation_models_pytorch 0.1.0 (Lin et al., https://arxiv.org/abs/1612.03144, as smp's
 * "Panoptic FPN"-style segmentation decoder; docs/ORIGINAL.md §9), module names as in the original:
 * p5, p{4,3,2}.skip_conv, seg_blocks.{b}.block.{j}.block.{0: conv, 1: GroupNorm}.
 *   Top-down:  p5 = conv1x1(c5) (bias); p_k = nearest×2(p_{k+1}) + conv1x1(c_k) (bias), k = 4, 3, 2   (256 ch)
 *   Segmentation blocks on p5, p4, p3, p2 with 3, 2, 1, 0 upsamplings, each step Conv3x3GNReLU:
 *     ReLU(GroupNorm(32, 128)(conv3x3 pad 1, no bias)), then bilinear ×2 with align_corners=True when upsampling;
 *     the first step of a chain takes 256 → 128 channels, later ones 128 → 128 (one 256 → 128 step without
 *     upsampling for p2). All four outputs are 128 ch at 1/4 of the input.
 *   Merge: ((s5 + s4) + s3) + s2, then Dropout2d(0.2) (training only).
 * c2..c5 are the encoder's f2..f5.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';

export const FPN_PYRAMID_CHANNELS = 256;
export const FPN_SEGMENTATION_CHANNELS = 128;
/** GroupNorm groups of Conv3x3GNReLU. */
const GROUPS = 32;

/** smp's Conv3x3GNReLU: block = Sequential(conv3x3 without bias, GroupNorm(32, out), ReLU), then bilinear ×2 (aligned). */
class Conv3x3GNReLU extends nn.Module {
  private readonly conv: nn.Conv2d;
  private readonly norm: nn.GroupNorm;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, readonly upsample: boolean) {
    super(ctx);
    const block = this.registerModule('block', new nn.ModuleDict());
    this.conv = block.registerModule('0', new nn.Conv2d(ctx.child('block').child(0), inChannels, outChannels, 3, { padding: 1, bias: false, init: 'kaiming-relu' }));
    this.norm = block.registerModule('1', new nn.GroupNorm(ctx.child('block').child(1), GROUPS, outChannels));
  }

  forward(x: Tensor): Tensor {
    const y = F.relu(this.norm.forward(this.conv.forward(x)));
    return this.upsample ? F.interpolate(y, { scaleFactor: 2, mode: 'bilinear', alignCorners: true }) : y;
  }
}

/** smp's SegmentationBlock: Conv3x3GNReLU steps, upsampling in each when `upsamplings` > 0. */
class SegmentationBlock extends nn.Module {
  private readonly steps: Conv3x3GNReLU[] = [];

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, upsamplings: number) {
    super(ctx);
    const block = this.registerModule('block', new nn.ModuleList<Conv3x3GNReLU>());
    for (let step = 0; step < Math.max(upsamplings, 1); step++) {
      const layer = new Conv3x3GNReLU(ctx.child('block').child(step), step === 0 ? inChannels : outChannels, outChannels, upsamplings > 0);
      block.append(layer);
      this.steps.push(layer);
    }
  }

  forward(x: Tensor): Tensor {
    return this.steps.reduce((y, step) => step.forward(y), x);
  }
}

/** smp's FPNBlock: nearest ×2 of the coarser level plus a 1x1 conv (bias) of the skip. */
class FpnBlock extends nn.Module<readonly [Tensor, Tensor], Tensor> {
  private readonly skipConv: nn.Conv2d;

  constructor(ctx: nn.InitContext, pyramidChannels: number, skipChannels: number) {
    super(ctx);
    this.skipConv = this.registerModule('skip_conv', new nn.Conv2d(ctx.child('skip_conv'), skipChannels, pyramidChannels, 1, { init: 'kaiming-relu' }));
  }

  forward([x, skip]: readonly [Tensor, Tensor]): Tensor {
    return F.add(F.interpolate(x, { scaleFactor: 2, mode: 'nearest' }), this.skipConv.forward(skip));
  }
}

export interface FpnDecoderOptions {
  /** Dropout2d probability before the head (smp's default 0.2). */
  dropout?: number;
}

export class FpnDecoder extends nn.Module<readonly Tensor[], Tensor> {
  readonly outChannels = FPN_SEGMENTATION_CHANNELS;
  private readonly p5: nn.Conv2d;
  private readonly levels: FpnBlock[];
  private readonly segBlocks: SegmentationBlock[];
  private readonly dropout: nn.Dropout2d;

  /** encoderChannels: f0..f5 channels; the context's generator also drives the Dropout2d masks. */
  constructor(ctx: nn.InitContext, encoderChannels: readonly number[], options: FpnDecoderOptions = {}) {
    super(ctx);
    const [c5, c4, c3, c2] = encoderChannels.slice(-4).reverse() as [number, number, number, number];
    this.p5 = this.registerModule('p5', new nn.Conv2d(ctx.child('p5'), c5, FPN_PYRAMID_CHANNELS, 1, { init: 'kaiming-relu' }));
    this.levels = ([['p4', c4], ['p3', c3], ['p2', c2]] as const).map(([name, channels]) =>
      this.registerModule(name, new FpnBlock(ctx.child(name), FPN_PYRAMID_CHANNELS, channels)),
    );
    const list = this.registerModule('seg_blocks', new nn.ModuleList<SegmentationBlock>());
    this.segBlocks = [3, 2, 1, 0].map((upsamplings, index) => {
      const block = new SegmentationBlock(ctx.child('seg_blocks').child(index), FPN_PYRAMID_CHANNELS, FPN_SEGMENTATION_CHANNELS, upsamplings);
      list.append(block);
      return block;
    });
    // No parameters or buffers: registered for train()/eval() only, as smp's `dropout` attribute.
    this.dropout = this.registerModule('dropout', new nn.Dropout2d(ctx.child('dropout'), options.dropout ?? 0.2));
  }

  /** features f0..f5 → [N, 128, H/4, W/4]. */
  forward(features: readonly Tensor[]): Tensor {
    const [c2, c3, c4, c5] = features.slice(-4) as [Tensor, Tensor, Tensor, Tensor];
    const p5 = this.p5.forward(c5);
    const p4 = this.levels[0]!.forward([p5, c4]);
    const p3 = this.levels[1]!.forward([p4, c3]);
    const p2 = this.levels[2]!.forward([p3, c2]);
    const [s5, s4, s3, s2] = [p5, p4, p3, p2].map((p, index) => this.segBlocks[index]!.forward(p)) as [Tensor, Tensor, Tensor, Tensor];
    return this.dropout.forward(F.add(F.add(F.add(s5, s4), s3), s2));
  }
}
