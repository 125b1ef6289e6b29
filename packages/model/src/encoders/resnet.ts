/**
 * torchvision's ResNet-18/34/50 as segmentation_models_pytorch 0.1.0's encoder (docs/ORIGINAL.md §10): no avgpool/fc,
 * the first conv built for the input channels, state_dict keys `conv1`, `bn1`, `layer{1..4}.{i}.…` (under
 * `encoder.` in a model). BN: eps 1e-5, momentum 0.1.
 *   stem: conv 7x7 s2 p3 → BN → ReLU = f1;  max pool 3x3 s2 p1 (−∞ padding) → layer1 = f2; layer2..4 = f3..f5
 *   BasicBlock(in→out, s):  relu(bn2(conv3x3(relu(bn1(conv3x3_s(x))))) + shortcut(x))
 *   Bottleneck(in→4w, s):   relu(bn3(conv1x1(relu(bn2(conv3x3_s(relu(bn1(conv1x1(x)))))))) + shortcut(x))
 *   shortcut = x, or downsample = conv1x1_s → BN where the stride or the channel count changes.
 * Dilated (output stride 16, smp's make_dilated on layer4): every conv of layer4 gets stride 1, and every k > 1 conv
 * dilation 2 with padding 2·⌊k/2⌋.
 */
import { F, nn, type Tensor } from '@ulseg/autograd';
import type { Encoder, EncoderBuildOptions } from './encoder.js';

export const RESNET_NAMES = ['resnet18', 'resnet34', 'resnet50'] as const;
export type ResNetName = (typeof RESNET_NAMES)[number];

interface ResNetSpec {
  block: 'basic' | 'bottleneck';
  layers: readonly [number, number, number, number];
}

const RESNETS: Record<ResNetName, ResNetSpec> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
};

const WIDTHS = [64, 128, 256, 512] as const;

interface ConvSpec {
  stride: number;
  dilation: number;
}

function conv(ctx: nn.InitContext, inChannels: number, outChannels: number, kernel: number, { stride, dilation }: ConvSpec): nn.Conv2d {
  const padding = kernel > 1 ? Math.floor(kernel / 2) * dilation : 0;
  return new nn.Conv2d(ctx, inChannels, outChannels, kernel, { stride, padding, dilation, bias: false });
}

class Downsample extends nn.Module {
  private readonly conv: nn.Conv2d;
  private readonly norm: nn.BatchNorm2d;

  constructor(ctx: nn.InitContext, inChannels: number, outChannels: number, stride: number) {
    super(ctx);
    this.conv = this.registerModule('0', conv(ctx.child(0), inChannels, outChannels, 1, { stride, dilation: 1 }));
    this.norm = this.registerModule('1', new nn.BatchNorm2d(ctx.child('1'), outChannels));
  }

  forward(x: Tensor): Tensor {
    return nn.convBatchNorm(this.conv, this.norm, x);
  }
}

/** BasicBlock (expansion 1) or Bottleneck (expansion 4, stride on the 3x3 conv as in torchvision ≥ 0.3). */
class ResidualBlock extends nn.Module {
  private readonly stages: [nn.Conv2d, nn.BatchNorm2d][] = [];
  private readonly downsample: Downsample | undefined;

  /** `stride`: torchvision's (it decides the downsample); a dilated block runs its convs at stride 1. */
  constructor(ctx: nn.InitContext, kind: ResNetSpec['block'], inChannels: number, width: number, stride: number, dilation: number) {
    super(ctx);
    const convStride = dilation === 1 ? stride : 1;
    const outChannels = kind === 'basic' ? width : width * 4;
    const add = (index: number, from: number, to: number, kernel: number, spec: ConvSpec): void => {
      const convolution = this.registerModule(`conv${index}`, conv(ctx.child(`conv${index}`), from, to, kernel, spec));
      const norm = this.registerModule(`bn${index}`, new nn.BatchNorm2d(ctx.child(`bn${index}`), to));
      this.stages.push([convolution, norm]);
    };
    if (kind === 'basic') {
      add(1, inChannels, width, 3, { stride: convStride, dilation });
      add(2, width, width, 3, { stride: 1, dilation });
    } else {
      add(1, inChannels, width, 1, { stride: 1, dilation: 1 });
      add(2, width, width, 3, { stride: convStride, dilation });
      add(3, width, outChannels, 1, { stride: 1, dilation: 1 });
    }
    // torchvision builds the downsample where the stride or the channel count changes; smp dilates afterwards.
    if (stride !== 1 || inChannels !== outChannels) {
      this.downsample = this.registerModule('downsample', new Downsample(ctx.child('downsample'), inChannels, outChannels, convStride));
    }
  }

  forward(x: Tensor): Tensor {
    let y = x;
    this.stages.forEach(([convolution, norm], index) => {
      y = nn.convBatchNorm(convolution, norm, y, index < this.stages.length - 1 ? 'relu' : 'none');
    });
    return F.relu(F.add(y, this.downsample ? this.downsample.forward(x) : x));
  }
}

export class ResNetEncoder extends nn.Module<Tensor, Tensor[]> implements Encoder {
  private readonly depth: number;
  readonly outChannels: number[];
  readonly outputStride: 16 | 32;
  private readonly conv1: nn.Conv2d;
  private readonly bn1: nn.BatchNorm2d;
  private readonly layers: ResidualBlock[][] = [];

  constructor(ctx: nn.InitContext, readonly name: ResNetName, options: EncoderBuildOptions = {}) {
    super(ctx);
    const spec = RESNETS[name];
    const inChannels = options.inChannels ?? 1;
    this.outputStride = options.outputStride ?? 32;
    const expansion = spec.block === 'basic' ? 1 : 4;
    const depth = (this.depth = options.depth ?? 5);
    this.conv1 = this.registerModule('conv1', new nn.Conv2d(ctx.child('conv1'), inChannels, 64, 7, { stride: 2, padding: 3, bias: false }));
    this.bn1 = this.registerModule('bn1', new nn.BatchNorm2d(ctx.child('bn1'), 64));
    let channels = 64;
    spec.layers.forEach((blocks, layer) => {
      const width = WIDTHS[layer]!;
      const dilated = layer === 3 && this.outputStride === 16;
      const list = this.registerModule(`layer${layer + 1}`, new nn.ModuleList<ResidualBlock>());
      // layer k + 1 makes f_{k+2}
      list.stateOnly = layer + 2 > depth;
      const built: ResidualBlock[] = [];
      for (let index = 0; index < blocks; index++) {
        const stride = index === 0 && layer > 0 ? 2 : 1;
        const block = new ResidualBlock(ctx.child(`layer${layer + 1}`).child(index), spec.block, channels, width, stride, dilated ? 2 : 1);
        list.append(block);
        built.push(block);
        channels = width * expansion;
      }
      this.layers.push(built);
    });
    this.outChannels = [inChannels, 64, ...WIDTHS.map((width) => width * expansion)];
  }

  /** [f0, f1, f2, f3, f4, f5] at strides 1, 2, 4, 8, 16, 32 (f5 at 16 when dilated); `depth` < 5 stops early. */
  forward(x: Tensor): Tensor[] {
    const depth = this.depth;
    const features = [x];
    let y = nn.convBatchNorm(this.conv1, this.bn1, x, 'relu');
    features.push(y);
    for (const [layer, blocks] of this.layers.entries()) {
      if (features.length > depth) break;
      if (layer === 0) y = F.maxPool2d(y, 3, { stride: 2, padding: 1 });
      for (const block of blocks) y = block.forward(y);
      features.push(y);
    }
    return features;
  }
}
