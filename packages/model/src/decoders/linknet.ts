/**
 * The Linknet decoder of segmentation_models_pytorch 0.1.0 (https://arxiv.org/abs/1707.03718), module names as in
 * the original: blocks.{i}.block.{0,1,2}.{0,1}.
 *   block(in, out): 1x1 conv in→in/4 → BN → ReLU → ConvTranspose 4x4 s2 p1 → BN → ReLU → 1x1 conv in/4→out → BN → ReLU,
 *   then + skip. Decoder BN: eps 1e-5, momentum 0.1.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import { decodeWithSkips } from './skip-decoder.js';

/**
 * Sequential(conv, BN) followed by ReLU: smp's Conv2dReLU and TransposeX2 (ReLU has no parameters), built at its own
 * path with the conv (made by `conv` from its context) under 0 and BN under 1. Runs through nn.convBatchNorm:
 * relu(conv(x)·s + t) in one fused kernel in eval mode without recording, the composition otherwise.
 */
class ConvBnReLU extends nn.Module {
  private readonly conv: nn.Conv2d | nn.ConvTranspose2d;
  private readonly norm: nn.BatchNorm2d;

  constructor(ctx: nn.InitContext, conv: (ctx: nn.InitContext) => nn.Conv2d | nn.ConvTranspose2d, channels: number) {
    super(ctx);
    this.conv = this.registerModule('0', conv(ctx.child(0)));
    this.norm = this.registerModule('1', new nn.BatchNorm2d(ctx.child(1), channels));
  }

  forward(x: Tensor): Tensor {
    return nn.convBatchNorm(this.conv, this.norm, x, 'relu');
  }
}

/** forward([x, skip]) = the block of x, plus skip when there is one. */
export class LinknetDecoderBlock extends nn.Module<readonly [Tensor, Tensor | undefined], Tensor> {
  private readonly stages: ConvBnReLU[];

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number) {
    super(ctx);
    const middle = Math.floor(inChannels / 4);
    const block = new nn.ModuleDict(ctx.child('block'));
    const stage = (index: number): nn.InitContext => ctx.child('block').child(index);
    this.stages = [
      new ConvBnReLU(stage(0), (at) => new nn.Conv2d(at, inChannels, middle, 1, { bias: false, init: 'kaiming-relu' }), middle),
      new ConvBnReLU(stage(1), (at) => new nn.ConvTranspose2d(at, middle, middle, 4, { stride: 2, padding: 1 }), middle),
      new ConvBnReLU(stage(2), (at) => new nn.Conv2d(at, middle, outChannels, 1, { bias: false, init: 'kaiming-relu' }), outChannels),
    ];
    this.stages.forEach((stage, index) => block.registerModule(String(index), stage));
    this.registerModule('block', block);
  }

  forward([x, skip]: readonly [Tensor, Tensor | undefined]): Tensor {
    let y = x;
    for (const stage of this.stages) y = stage.forward(y);
    return skip ? F.add(y, skip) : y;
  }
}

export class LinknetDecoder extends nn.Module<readonly Tensor[], Tensor> {
  readonly blocks: LinknetDecoderBlock[];
  readonly outChannels: number;

  /** encoderChannels: f0..f5 channels; prefinal: the last block's output channels (32). */
  constructor(ctx: nn.InitContext, encoderChannels: readonly number[], prefinalChannels = 32) {
    super(ctx);
    this.outChannels = prefinalChannels;
    const reversed = encoderChannels.slice(1).reverse();
    const channels = [...reversed, prefinalChannels];
    const list = this.registerModule('blocks', new nn.ModuleList<LinknetDecoderBlock>());
    this.blocks = [];
    for (let index = 0; index < 5; index++) {
      const block = new LinknetDecoderBlock(ctx.child('blocks').child(index), channels[index]!, channels[index + 1]!);
      list.append(block);
      this.blocks.push(block);
    }
  }

  /** features f0..f5 → [N, prefinal, H, W]. */
  forward(features: readonly Tensor[]): Tensor {
    return decodeWithSkips(this.blocks, features);
  }
}
