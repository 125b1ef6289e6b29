/**
 * The PSPNet decoder of segmentation_models_pytorch 0.1.0 (Zhao et al., https://arxiv.org/abs/1612.01105;
 * docs/ORIGINAL.md §10), module names as in the original: psp.blocks.{b}.pool.1.{0: conv, 1: BN}, conv.{0, 1}.
 * It reads only f3 (the encoder runs to depth 3: stride 8, 128 ch for ResNet-34).
 *   branch_s(x) = bilinear_ac(ReLU(BN(conv1x1(adaptiveAvgPool_s(x)))), size of x), s = 1, 2, 3, 6, C → C/4 ch
 *     (s = 1: the conv has a bias and no BN, a BN over N values per channel being what smp avoids);
 *   y = cat([branch_1, branch_2, branch_3, branch_6, x], channels)                     (2·C ch)
 *   out = Dropout2d(p)(ReLU(BN(conv1x1(y))))                                          (512 ch, no conv bias)
 * bilinear_ac = bilinear with align_corners=True.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';

export const PSP_POOL_SIZES = [1, 2, 3, 6] as const;
export const PSP_OUT_CHANNELS = 512;
/** The encoder depth PSPNet runs (f3 is the deepest feature it reads). */
export const PSP_ENCODER_DEPTH = 3;

/** smp's Conv2dReLU at 1x1: Sequential(conv, BN or nothing, ReLU); with BN the conv has no bias. */
class Conv1x1ReLU extends nn.Module {
  private readonly conv: nn.Conv2d;
  private readonly norm: nn.BatchNorm2d | undefined;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, batchNorm: boolean) {
    super(ctx);
    this.conv = this.registerModule('0', new nn.Conv2d(ctx.child('0'), inChannels, outChannels, 1, { bias: !batchNorm, init: 'kaiming-relu' }));
    if (batchNorm) this.norm = this.registerModule('1', new nn.BatchNorm2d(ctx.child('1'), outChannels));
  }

  forward(x: Tensor): Tensor {
    return this.norm ? nn.convBatchNorm(this.conv, this.norm, x, 'relu') : F.relu(this.conv.forward(x));
  }
}

/** smp's PSPBlock: pool = Sequential(AdaptiveAvgPool2d(s), Conv2dReLU), then the resize back. */
class PspBlock extends nn.Module {
  private readonly conv: Conv1x1ReLU;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, readonly poolSize: number) {
    super(ctx);
    const pool = this.registerModule('pool', new nn.ModuleDict());
    this.conv = pool.registerModule('1', new Conv1x1ReLU(ctx.child('pool').child(1), inChannels, outChannels, poolSize !== 1));
  }

  forward(x: Tensor): Tensor {
    const size: [number, number] = [x.shape[2]!, x.shape[3]!];
    const pooled = this.conv.forward(F.adaptiveAvgPool2d(x, this.poolSize));
    return F.interpolate(pooled, { size, mode: 'bilinear', alignCorners: true });
  }
}

export interface PspDecoderOptions {
  /** Dropout2d probability before the head (smp's default 0.2). */
  dropout?: number;
}

export class PspDecoder extends nn.Module<readonly Tensor[], Tensor> {
  readonly outChannels = PSP_OUT_CHANNELS;
  private readonly blocks: PspBlock[];
  private readonly conv: Conv1x1ReLU;
  private readonly dropout: nn.Dropout2d;

  /** encoderChannels: f0..f3 (or more) channels; PSPNet reads f3. The context's generator also drives the Dropout2d masks. */
  constructor(ctx: nn.InitContext, encoderChannels: readonly number[], options: PspDecoderOptions = {}) {
    super(ctx);
    const channels = encoderChannels[PSP_ENCODER_DEPTH]!;
    const psp = this.registerModule('psp', new nn.ModuleDict());
    const list = psp.registerModule('blocks', new nn.ModuleList<PspBlock>());
    this.blocks = PSP_POOL_SIZES.map((size, index) => {
      const block = new PspBlock(ctx.child('psp').child('blocks').child(index), channels, channels / PSP_POOL_SIZES.length, size);
      list.append(block);
      return block;
    });
    this.conv = this.registerModule('conv', new Conv1x1ReLU(ctx.child('conv'), channels * 2, PSP_OUT_CHANNELS, true));
    this.dropout = this.registerModule('dropout', new nn.Dropout2d(ctx.child('dropout'), options.dropout ?? 0.2));
  }

  /** features f0..f3 → [N, 512, H/8, W/8]. */
  forward(features: readonly Tensor[]): Tensor {
    const x = features[PSP_ENCODER_DEPTH]!;
    const joined = F.cat([...this.blocks.map((block) => block.forward(x)), x], 1);
    return this.dropout.forward(this.conv.forward(joined));
  }
}
