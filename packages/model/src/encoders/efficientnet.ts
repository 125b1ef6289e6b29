/**
 * The EfficientNet encoder of segmentation_models_pytorch on efficientnet-pytorch 0.6.3, with PyTorch's module
 * names (state_dict keys identical to the original) and its "static same" padding.
 *   stem: pad → conv 3x3 s2 → BN → swish
 *   MBConv: [expand 1x1 → BN → swish] → pad → depthwise k×k → BN → swish → SE → project 1x1 → BN [→ drop-connect + x]
 *   (drop-connect + x: nn.DropConnect, one fused kernel in training mode, x + y in eval)
 *   SE: mean over H,W → 1x1 (bias) → swish → 1x1 (bias) → sigmoid → scale
 * Features f0..f5: the input, the stem, and the outputs of blocks stageIndexes[k] − 1.
 * Output stride 16 (DeepLabV3+): the last stage's depthwise convs run at stride 1, dilation 2, pad 2·⌊k/2⌋.
 * Each conv → BN [→ swish] runs through nn.convBatchNorm: one fused kernel in eval mode without recording
 * (y = act(conv(x)·s + t), the BN folded into s and t), the composition otherwise.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import type { Encoder } from './encoder.js';
import {
  blockSpecs,
  dilateLastStage,
  DROP_CONNECT_RATE,
  ENCODER_BN,
  HEAD_FILTERS,
  roundFilters,
  staticSamePad,
  STEM_FILTERS,
  type BlockSpec,
  type EfficientNetSpec,
} from './efficientnet-params.js';

const bn = (ctx: nn.InitContext, channels: number): nn.BatchNorm2d => new nn.BatchNorm2d(ctx, channels, ENCODER_BN);

export class MBConvBlock extends nn.Module {
  private readonly expandConv: nn.Conv2d | undefined;
  private readonly bn0: nn.BatchNorm2d | undefined;
  private readonly depthwiseConv: nn.Conv2d;
  private readonly bn1: nn.BatchNorm2d;
  private readonly seReduce: nn.Conv2d;
  private readonly seExpand: nn.Conv2d;
  private readonly projectConv: nn.Conv2d;
  private readonly bn2: nn.BatchNorm2d;
  /** Residual blocks only; its p is set by the encoder's drop-connect rate. */
  readonly dropConnect: nn.DropConnect | undefined;

  constructor(ctx: nn.InitContext, readonly spec: BlockSpec) {
    super(ctx);
    const expanded = spec.inputFilters * spec.expandRatio;
    if (spec.expandRatio !== 1) {
      this.expandConv = this.registerModule('_expand_conv', new nn.Conv2d(ctx.child('_expand_conv'), spec.inputFilters, expanded, 1, { bias: false }));
      this.bn0 = this.registerModule('_bn0', bn(ctx.child('_bn0'), expanded));
    }
    this.depthwiseConv = this.registerModule(
      '_depthwise_conv',
      new nn.Conv2d(ctx.child('_depthwise_conv'), expanded, expanded, spec.kernel, { stride: spec.stride, padding: spec.pad, dilation: spec.dilation, groups: expanded, bias: false }),
    );
    this.bn1 = this.registerModule('_bn1', bn(ctx.child('_bn1'), expanded));
    this.seReduce = this.registerModule('_se_reduce', new nn.Conv2d(ctx.child('_se_reduce'), expanded, spec.squeezed, 1));
    this.seExpand = this.registerModule('_se_expand', new nn.Conv2d(ctx.child('_se_expand'), spec.squeezed, expanded, 1));
    this.projectConv = this.registerModule('_project_conv', new nn.Conv2d(ctx.child('_project_conv'), expanded, spec.outputFilters, 1, { bias: false }));
    this.bn2 = this.registerModule('_bn2', bn(ctx.child('_bn2'), spec.outputFilters));
    // Parameter-free: no state_dict keys. Switched by train()/eval() like every module.
    if (spec.residual) this.dropConnect = this.registerModule('_drop_connect', new nn.DropConnect(0));
  }

  forward(input: Tensor): Tensor {
    let x = input;
    if (this.expandConv && this.bn0) x = nn.convBatchNorm(this.expandConv, this.bn0, x, 'silu');
    x = nn.convBatchNorm(this.depthwiseConv, this.bn1, x, 'silu');
    x = F.squeezeExcitation(x, this.seReduce.weight, this.seReduce.bias!, this.seExpand.weight, this.seExpand.bias!);
    x = nn.convBatchNorm(this.projectConv, this.bn2, x);
    return this.dropConnect ? this.dropConnect.forward([x, input]) : x;
  }
}

export interface EncoderOptions {
  inChannels?: number;
  /** 16: the last stage dilated instead of strided (smp's make_dilated for DeepLabV3+). Default 32. */
  outputStride?: 16 | 32;
  /** Per-block drop-connect base rate (0.2 in the original); per block p = rate · index / blocks. */
  dropConnectRate?: number;
  /** The deepest feature read (default 5): the blocks after f_depth's are `stateOnly`. */
  depth?: number;
}

export class EfficientNetEncoder extends nn.Module<Tensor, Tensor[]> implements Encoder {
  readonly blocks: MBConvBlock[];
  readonly outChannels: number[];
  readonly outputStride: 16 | 32;
  private readonly depth: number;
  #dropConnectRate = 0;
  private readonly convStem: nn.Conv2d;
  private readonly bn0: nn.BatchNorm2d;

  constructor(ctx: nn.InitContext, readonly spec: EfficientNetSpec, options: EncoderOptions = {}) {
    super(ctx);
    const inChannels = options.inChannels ?? 1;
    this.outputStride = options.outputStride ?? 32;
    const stem = roundFilters(STEM_FILTERS, spec.widthCoefficient);
    this.convStem = this.registerModule(
      '_conv_stem',
      new nn.Conv2d(ctx.child('_conv_stem'), inChannels, stem, 3, { stride: 2, padding: staticSamePad(3, 2, spec.resolution), bias: false }),
    );
    this.bn0 = this.registerModule('_bn0', bn(ctx.child('_bn0'), stem));
    const specs = this.outputStride === 16 ? dilateLastStage(blockSpecs(spec), spec) : blockSpecs(spec);
    const list = this.registerModule('_blocks', new nn.ModuleList<MBConvBlock>());
    // The block that makes f_k (k ≥ 2) is stageIndexes[k − 2] − 1; the blocks after f_depth's never run.
    const depth = (this.depth = options.depth ?? 5);
    const lastRun = depth >= 5 ? Infinity : depth < 2 ? -1 : spec.stageIndexes[depth - 2]! - 1;
    this.blocks = specs.map((block) => {
      const module = new MBConvBlock(ctx.child('_blocks').child(block.index), block);
      module.stateOnly = block.index > lastRun;
      list.append(module);
      return module;
    });
    // Present so state_dicts match the original; never run (smp's encoder stops at the last block).
    const head = roundFilters(HEAD_FILTERS, spec.widthCoefficient);
    this.registerModule('_conv_head', new nn.Conv2d(ctx.child('_conv_head'), specs.at(-1)!.outputFilters, head, 1, { bias: false })).stateOnly = true;
    this.registerModule('_bn1', bn(ctx.child('_bn1'), head)).stateOnly = true;
    this.outChannels = [inChannels, ...spec.outChannels.slice(1)];
    this.dropConnectRate = options.dropConnectRate ?? DROP_CONNECT_RATE;
  }

  /** The drop-connect base rate: block i of n drops its residual branch with p = rate · i / n (training only). */
  get dropConnectRate(): number {
    return this.#dropConnectRate;
  }

  set dropConnectRate(rate: number) {
    this.#dropConnectRate = rate;
    for (const block of this.blocks) if (block.dropConnect) block.dropConnect.p = rate * (block.spec.index / this.blocks.length);
  }

  /** f1 = swish(bn0(conv_stem(x))), stride 2. */
  stem(x: Tensor): Tensor {
    return nn.convBatchNorm(this.convStem, this.bn0, x, 'silu');
  }

  /** [f0, f1, f2, f3, f4, f5] at strides 1, 2, 4, 8, 16, 32 (f5 at 16 when dilated); `depth` < 5 stops after f_depth. */
  forward(x: Tensor): Tensor[] {
    const depth = this.depth;
    const features = [x];
    let y = this.stem(x);
    features.push(y);
    const taps = new Set(this.spec.stageIndexes.map((index) => index - 1));
    for (const block of this.blocks) {
      if (features.length > depth) break;
      y = block.forward(y);
      if (taps.has(block.spec.index)) features.push(y);
    }
    return features;
  }
}
