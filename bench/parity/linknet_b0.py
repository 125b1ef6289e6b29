"""Linknet on EfficientNet-B0 in plain PyTorch, with the state_dict keys and shapes of the original's
segmentation_models_pytorch 0.1.0 + efficientnet-pytorch 0.6.3 (docs/ORIGINAL.md §8), so a checkpoint of the
original, of ulseg, or of this file loads into any of the three.

  encoder: stem 3x3 s2 (1 -> 32, no bias) + BN + swish; 16 MBConv blocks
           [expand 1x1 + BN + swish] -> depthwise kxk stride s + BN + swish -> SE (mean, 1x1 + swish, 1x1, sigmoid,
           scale) -> project 1x1 + BN -> [drop-connect + residual when s = 1 and in = out];
           every conv pads "static same" for image_size 224 (0.6.3 uses 224 for every block): pad = max((ceil(224/s)
           - 1)·s + k - 224, 0), floor(pad/2) before, the rest after. BN eps 1e-3, momentum 0.01 (PyTorch convention:
           the weight of the new batch). Features f0 (input), stem, after blocks 3, 5, 9, 16.
  decoder: 5 blocks in -> out: 1x1 conv in/4 + BN + ReLU, ConvTranspose 4x4 s2 p1 (bias) + BN + ReLU, 1x1 conv out +
           BN + ReLU, + skip; 320->112 (+f4), 112->40 (+f3), 40->24 (+f2), 24->32 (+f1), 32->32. BN eps 1e-5, mom 0.1.
  head:    1x1 conv 32 -> 1 with bias.
Initialisation as smp: encoder PyTorch defaults; decoder 1x1 convs kaiming_uniform (fan_in, relu) with zero bias,
BN weight 1 / bias 0, the transposed conv PyTorch's default; head xavier_uniform, zero bias.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

# (repeats, kernel, stride, expansion, in, out) of EfficientNet-B0's seven stages; SE ratio 0.25 of the block input.
B0_STAGES = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
             (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]
B0_FEATURE_BLOCKS = (3, 5, 9, 16)
IMAGE_SIZE = 224
ENCODER_BN = dict(eps=1e-3, momentum=0.01)


def swish(x):
    return x * torch.sigmoid(x)


class Conv2dStaticSamePadding(nn.Conv2d):
    """efficientnet-pytorch's Conv2dStaticSamePadding: a fixed zero pad computed for IMAGE_SIZE, then the conv."""

    def __init__(self, cin, cout, kernel, stride=1, groups=1, bias=False):
        super().__init__(cin, cout, kernel, stride=stride, groups=groups, bias=bias)
        pad = max((math.ceil(IMAGE_SIZE / stride) - 1) * stride + kernel - IMAGE_SIZE, 0)
        self.pads = (pad // 2, pad - pad // 2, pad // 2, pad - pad // 2)  # left, right, top, bottom

    def forward(self, x):
        if any(self.pads):
            x = F.pad(x, self.pads)
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class MBConvBlock(nn.Module):
    def __init__(self, kernel, stride, expansion, cin, cout):
        super().__init__()
        middle = cin * expansion
        self.expansion, self.stride, self.cin, self.cout = expansion, stride, cin, cout
        if expansion != 1:
            self._expand_conv = Conv2dStaticSamePadding(cin, middle, 1)
            self._bn0 = nn.BatchNorm2d(middle, **ENCODER_BN)
        self._depthwise_conv = Conv2dStaticSamePadding(middle, middle, kernel, stride, groups=middle)
        self._bn1 = nn.BatchNorm2d(middle, **ENCODER_BN)
        squeezed = max(1, int(cin * 0.25))
        self._se_reduce = Conv2dStaticSamePadding(middle, squeezed, 1, bias=True)
        self._se_expand = Conv2dStaticSamePadding(squeezed, middle, 1, bias=True)
        self._project_conv = Conv2dStaticSamePadding(middle, cout, 1)
        self._bn2 = nn.BatchNorm2d(cout, **ENCODER_BN)

    def forward(self, x, drop_connect_rate):
        inputs = x
        if self.expansion != 1:
            x = swish(self._bn0(self._expand_conv(x)))
        x = swish(self._bn1(self._depthwise_conv(x)))
        s = F.adaptive_avg_pool2d(x, 1)
        s = self._se_expand(swish(self._se_reduce(s)))
        x = torch.sigmoid(s) * x
        x = self._bn2(self._project_conv(x))
        if self.stride == 1 and self.cin == self.cout:
            if drop_connect_rate and self.training:
                # efficientnet-pytorch's drop_connect: per sample, keep with 1 - p, survivors scaled by 1 / (1 - p).
                keep = 1 - drop_connect_rate
                mask = torch.floor(keep + torch.rand([x.shape[0], 1, 1, 1], dtype=x.dtype, device=x.device))
                x = x / keep * mask
            x = x + inputs
        return x


class EfficientNetB0Encoder(nn.Module):
    def __init__(self, in_channels=1, drop_connect_rate=0.2):
        super().__init__()
        self.drop_connect_rate = drop_connect_rate
        self._conv_stem = Conv2dStaticSamePadding(in_channels, 32, 3, 2)
        self._bn0 = nn.BatchNorm2d(32, **ENCODER_BN)
        blocks = []
        for repeats, kernel, stride, expansion, cin, cout in B0_STAGES:
            for index in range(repeats):
                blocks.append(MBConvBlock(kernel, stride if index == 0 else 1, expansion, cin if index == 0 else cout, cout))
        self._blocks = nn.ModuleList(blocks)
        # In the state_dict but never run (smp takes features before the head).
        self._conv_head = Conv2dStaticSamePadding(320, 1280, 1)
        self._bn1 = nn.BatchNorm2d(1280, **ENCODER_BN)

    def forward(self, x):
        features = [x]
        x = swish(self._bn0(self._conv_stem(x)))
        features.append(x)
        for index, block in enumerate(self._blocks):
            x = block(x, self.drop_connect_rate * index / len(self._blocks))
            if index + 1 in B0_FEATURE_BLOCKS:
                features.append(x)
        return features


class ConvBnReLU(nn.Sequential):
    def __init__(self, conv, channels):
        super().__init__(conv, nn.BatchNorm2d(channels), nn.ReLU(inplace=True))


class DecoderBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        middle = cin // 4
        self.block = nn.Sequential(
            ConvBnReLU(nn.Conv2d(cin, middle, 1, bias=False), middle),
            ConvBnReLU(nn.ConvTranspose2d(middle, middle, 4, stride=2, padding=1), middle),
            ConvBnReLU(nn.Conv2d(middle, cout, 1, bias=False), cout),
        )

    def forward(self, x, skip=None):
        x = self.block(x)
        return x if skip is None else x + skip


class LinknetDecoder(nn.Module):
    def __init__(self, encoder_channels=(1, 32, 24, 40, 112, 320), prefinal=32):
        super().__init__()
        channels = list(encoder_channels[1:][::-1]) + [prefinal]
        self.blocks = nn.ModuleList([DecoderBlock(channels[i], channels[i + 1]) for i in range(5)])

    def forward(self, features):
        head, *skips = features[1:][::-1]
        x = head
        for index, block in enumerate(self.blocks):
            x = block(x, skips[index] if index < len(skips) else None)
        return x


class LinknetB0(nn.Module):
    def __init__(self, in_channels=1, classes=1, drop_connect_rate=0.2):
        super().__init__()
        self.encoder = EfficientNetB0Encoder(in_channels, drop_connect_rate)
        self.decoder = LinknetDecoder((in_channels, 32, 24, 40, 112, 320))
        self.segmentation_head = nn.Sequential(nn.Conv2d(32, classes, 1))
        for module in self.decoder.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_uniform_(module.weight, mode='fan_in', nonlinearity='relu')
                if module.bias is not None:
                    nn.init.constant_(module.bias, 0)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)
        for module in self.segmentation_head.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.xavier_uniform_(module.weight)
                nn.init.constant_(module.bias, 0)

    def forward(self, x):
        return self.segmentation_head(self.decoder(self.encoder(x)))


def dice_loss(logits, target, smooth=1.0):
    """The original's Dice loss (ORIGINAL.md §4): 1 - (2·Σ p·t + 1) / (Σ p + Σ t + 1), sums over the whole batch."""
    p = torch.sigmoid(logits)
    return 1 - (2 * (p * target).sum() + smooth) / (p.sum() + target.sum() + smooth)
