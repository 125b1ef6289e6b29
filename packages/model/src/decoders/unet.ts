/**
 * The Unet decoder of segmentation_models_pytorch 0.1.0 (https://arxiv.org/abs/1505.04597, docs/ORIGINAL.md §10),
 * module names as in the original: blocks.{i}.conv{1,2}.{0,1} and, with scSE attention, blocks.{i}.attention{1,2}.
 *   block(in, skip, out): x ← nearest×2(x); x ← cat([x, skip], channels) when a skip exists; x ← scSE₁(x) (attention
 *   only, and only with a skip); x ← ReLU(BN(conv3x3(x))) twice (in+skip→out, out→out); x ← scSE₂(x) (attention).
 * Features are read in reverse: head = f5, skips f4, f3, f2, f1; f0 is not used. No centre block (VGG encoders only).
 * scSE(x) = x·cSE(x) + x·sSE(x): cSE = σ(conv1x1(ReLU(conv1x1(mean_hw(x)))), C → C//16 → C, with biases), broadcast
 * over H, W; sSE = σ(conv1x1(x), C → 1, with bias), broadcast over channels.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import { decodeWithSkips } from './skip-decoder.js';

export const UNET_DECODER_CHANNELS = [256, 128, 64, 32, 16] as const;

export type DecoderAttention = 'none' | 'scse';
export const DECODER_ATTENTIONS: readonly DecoderAttention[] = ['none', 'scse'];

/** smp's Conv2dReLU: Sequential(conv 3x3 pad 1 without bias, BN) then ReLU. */
class Conv3x3BnReLU extends nn.Module {
  private readonly conv: nn.Conv2d;
  private readonly norm: nn.BatchNorm2d;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number) {
    super(ctx);
    this.conv = this.registerModule('0', new nn.Conv2d(ctx.child('0'), inChannels, outChannels, 3, { padding: 1, bias: false, init: 'kaiming-relu' }));
    this.norm = this.registerModule('1', new nn.BatchNorm2d(ctx.child('1'), outChannels));
  }

  forward(x: Tensor): Tensor {
    return nn.convBatchNorm(this.conv, this.norm, x, 'relu');
  }
}

/** smp's SCSEModule (reduction 16), under `attention.` as smp's Attention wrapper names it. */
export class SCSEModule extends nn.Module {
  private readonly reduce: nn.Conv2d;
  private readonly expand: nn.Conv2d;
  private readonly spatial: nn.Conv2d;

  constructor(ctx: nn.InitContext, channels: number, reduction = 16) {
    super(ctx);
    const squeezed = Math.floor(channels / reduction);
    const cse = new nn.ModuleDict();
    const attention = ctx.child('attention');
    this.reduce = cse.registerModule('1', new nn.Conv2d(attention.child('cSE').child(1), channels, squeezed, 1, { init: 'kaiming-relu' }));
    this.expand = cse.registerModule('3', new nn.Conv2d(attention.child('cSE').child(3), squeezed, channels, 1, { init: 'kaiming-relu' }));
    const sse = new nn.ModuleDict();
    this.spatial = sse.registerModule('0', new nn.Conv2d(attention.child('sSE').child(0), channels, 1, 1, { init: 'kaiming-relu' }));
    const wrapper = this.registerModule('attention', new nn.ModuleDict());
    wrapper.registerModule('cSE', cse);
    wrapper.registerModule('sSE', sse);
  }

  forward(x: Tensor): Tensor {
    const channel = F.sigmoid(this.expand.forward(F.relu(this.reduce.forward(F.adaptiveAvgPool2d(x)))));
    const spatial = F.sigmoid(this.spatial.forward(x));
    return F.add(F.channelMultiply(x, channel), F.mul(x, spatial));
  }
}

/** forward([x, skip]): see the file comment; the last block has no skip. */
export class UnetDecoderBlock extends nn.Module<readonly [Tensor, Tensor | undefined], Tensor> {
  private readonly conv1: Conv3x3BnReLU;
  private readonly conv2: Conv3x3BnReLU;
  private readonly attention1: SCSEModule | undefined;
  private readonly attention2: SCSEModule | undefined;

  constructor(ctx: nn.InitContext, inChannels: number, skipChannels: number, outChannels: number, attention: DecoderAttention) {
    super(ctx);
    // Registration order = PyTorch's attribute order: conv1, attention1, conv2, attention2.
    this.conv1 = this.registerModule('conv1', new Conv3x3BnReLU(ctx.child('conv1'), inChannels + skipChannels, outChannels));
    if (attention === 'scse') {
      this.attention1 = this.registerModule('attention1', new SCSEModule(ctx.child('attention1'), inChannels + skipChannels));
      // smp applies attention1 to the concatenation with a skip only: the last block (no skip) keeps it as state.
      this.attention1.stateOnly = skipChannels === 0;
    }
    this.conv2 = this.registerModule('conv2', new Conv3x3BnReLU(ctx.child('conv2'), outChannels, outChannels));
    if (attention === 'scse') this.attention2 = this.registerModule('attention2', new SCSEModule(ctx.child('attention2'), outChannels));
  }

  forward([x, skip]: readonly [Tensor, Tensor | undefined]): Tensor {
    let y = F.interpolate(x, { scaleFactor: 2, mode: 'nearest' });
    if (skip) {
      y = F.cat([y, skip], 1);
      if (this.attention1) y = this.attention1.forward(y);
    }
    y = this.conv2.forward(this.conv1.forward(y));
    return this.attention2 ? this.attention2.forward(y) : y;
  }
}

export class UnetDecoder extends nn.Module<readonly Tensor[], Tensor> {
  readonly blocks: UnetDecoderBlock[];
  readonly outChannels: number;

  /** encoderChannels: f0..f5 channels. */
  constructor(ctx: nn.InitContext, encoderChannels: readonly number[], attention: DecoderAttention = 'none', decoderChannels: readonly number[] = UNET_DECODER_CHANNELS) {
    super(ctx);
    const [head, ...skips] = encoderChannels.slice(1).reverse();
    const inputs = [head!, ...decoderChannels.slice(0, -1)];
    const list = this.registerModule('blocks', new nn.ModuleList<UnetDecoderBlock>());
    this.blocks = decoderChannels.map((out, index) => {
      const block = new UnetDecoderBlock(ctx.child('blocks').child(index), inputs[index]!, skips[index] ?? 0, out, attention);
      list.append(block);
      return block;
    });
    this.outChannels = decoderChannels.at(-1)!;
  }

  /** features f0..f5 → [N, 16, H, W]. */
  forward(features: readonly Tensor[]): Tensor {
    return decodeWithSkips(this.blocks, features);
  }
}
