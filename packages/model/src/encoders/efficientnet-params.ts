/**
 * EfficientNet-B0…B7 as data (efficientnet-pytorch 0.6.3 and segmentation_models_pytorch's encoder table):
 * compound coefficients, the B0 block list, filter/repeat rounding, "static same" padding, and smp's feature taps.
 * https://arxiv.org/abs/1905.11946
 */

export const EFFICIENTNET_VARIANTS = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'] as const;
export type EfficientNetVariant = (typeof EFFICIENTNET_VARIANTS)[number];
export type EncoderName = `efficientnet-${EfficientNetVariant}`;

export interface EfficientNetSpec {
  widthCoefficient: number;
  depthCoefficient: number;
  /** The resolution the variant was designed for: "static same" pads are computed for it, whatever the input. */
  resolution: number;
  /** smp's encoder out_channels f0..f5 (f0 is the input's channel count, 3 in smp's table). */
  outChannels: readonly [number, number, number, number, number, number];
  /** smp's stage indexes: f2..f5 are the outputs of blocks stageIndexes[k] − 1. */
  stageIndexes: readonly [number, number, number, number];
}

export const ENCODERS: Record<EncoderName, EfficientNetSpec> = {
  'efficientnet-b0': { widthCoefficient: 1.0, depthCoefficient: 1.0, resolution: 224, outChannels: [3, 32, 24, 40, 112, 320], stageIndexes: [3, 5, 9, 16] },
  'efficientnet-b1': { widthCoefficient: 1.0, depthCoefficient: 1.1, resolution: 240, outChannels: [3, 32, 24, 40, 112, 320], stageIndexes: [5, 8, 16, 23] },
  'efficientnet-b2': { widthCoefficient: 1.1, depthCoefficient: 1.2, resolution: 260, outChannels: [3, 32, 24, 48, 120, 352], stageIndexes: [5, 8, 16, 23] },
  'efficientnet-b3': { widthCoefficient: 1.2, depthCoefficient: 1.4, resolution: 300, outChannels: [3, 40, 32, 48, 136, 384], stageIndexes: [5, 8, 18, 26] },
  'efficientnet-b4': { widthCoefficient: 1.4, depthCoefficient: 1.8, resolution: 380, outChannels: [3, 48, 32, 56, 160, 448], stageIndexes: [6, 10, 22, 32] },
  'efficientnet-b5': { widthCoefficient: 1.6, depthCoefficient: 2.2, resolution: 456, outChannels: [3, 48, 40, 64, 176, 512], stageIndexes: [8, 13, 27, 39] },
  'efficientnet-b6': { widthCoefficient: 1.8, depthCoefficient: 2.6, resolution: 528, outChannels: [3, 56, 40, 72, 200, 576], stageIndexes: [9, 15, 31, 45] },
  'efficientnet-b7': { widthCoefficient: 2.0, depthCoefficient: 3.1, resolution: 600, outChannels: [3, 64, 48, 80, 224, 640], stageIndexes: [11, 18, 38, 55] },
};

/** B0's stages: (repeats, kernel, stride, expand ratio, input filters, output filters); SE ratio 0.25. */
export const B0_STAGES: readonly (readonly [number, number, number, number, number, number])[] = [
  [1, 3, 1, 1, 32, 16],
  [2, 3, 2, 6, 16, 24],
  [2, 5, 2, 6, 24, 40],
  [3, 3, 2, 6, 40, 80],
  [3, 5, 1, 6, 80, 112],
  [4, 5, 2, 6, 112, 192],
  [1, 3, 1, 6, 192, 320],
];

export const SE_RATIO = 0.25;
export const STEM_FILTERS = 32;
export const HEAD_FILTERS = 1280;
/** Encoder BatchNorm: PyTorch momentum 1 − 0.99 (as float64: 0.010000000000000009) and eps 1e-3. */
export const ENCODER_BN = { momentum: 1 - 0.99, eps: 1e-3 } as const;
export const DROP_CONNECT_RATE = 0.2;

/** round_filters: scale by the width coefficient, round to a multiple of 8, never more than 10% down. */
export function roundFilters(filters: number, width: number): number {
  const scaled = filters * width;
  let rounded = Math.max(8, Math.floor((scaled + 4) / 8) * 8);
  if (rounded < 0.9 * scaled) rounded += 8;
  return rounded;
}

/** round_repeats: ceil(depth · repeats). */
export function roundRepeats(repeats: number, depth: number): number {
  return Math.ceil(depth * repeats);
}

export interface BlockSpec {
  index: number;
  inputFilters: number;
  outputFilters: number;
  expandRatio: number;
  kernel: number;
  stride: number;
  /** Squeezed channels of the SE: max(1, floor(inputFilters · 0.25)). */
  squeezed: number;
  /** [left, right, top, bottom] of the depthwise conv's static-same pad. */
  pad: [number, number, number, number];
  /** Residual (and drop-connect) when stride 1 and input = output filters (decided before any dilation). */
  residual: boolean;
  /** Depthwise dilation: 2 in the last stage of the dilated encoder (output stride 16), else 1. */
  dilation: number;
}

/** "Static same" pad for kernel k, stride s at image size: max((ceil(I/s) − 1)·s + k − I, 0), split floor/ceil. */
export function staticSamePad(kernel: number, stride: number, imageSize: number): [number, number, number, number] {
  const total = Math.max((Math.ceil(imageSize / stride) - 1) * stride + kernel - imageSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before, before, total - before];
}

export function blockSpecs(spec: EfficientNetSpec): BlockSpec[] {
  const blocks: BlockSpec[] = [];
  for (const [repeats, kernel, stride, expandRatio, input, output] of B0_STAGES) {
    const inputFilters = roundFilters(input, spec.widthCoefficient);
    const outputFilters = roundFilters(output, spec.widthCoefficient);
    const count = roundRepeats(repeats, spec.depthCoefficient);
    for (let repeat = 0; repeat < count; repeat++) {
      const blockInput = repeat === 0 ? inputFilters : outputFilters;
      const blockStride = repeat === 0 ? stride : 1;
      blocks.push({
        index: blocks.length,
        inputFilters: blockInput,
        outputFilters,
        expandRatio,
        kernel,
        stride: blockStride,
        squeezed: Math.max(1, Math.floor(blockInput * SE_RATIO)),
        pad: staticSamePad(kernel, blockStride, spec.resolution),
        residual: blockStride === 1 && blockInput === outputFilters,
        dilation: 1,
      });
    }
  }
  return blocks;
}

/**
 * smp's make_dilated on the last stage (blocks stageIndexes[2] onwards) for output stride 16: every conv at stride 1
 * with dilation 2 and a symmetric pad 2·⌊k/2⌋ done by the conv (0.6.3's static pad removed); residuals unchanged.
 */
export function dilateLastStage(blocks: readonly BlockSpec[], spec: EfficientNetSpec): BlockSpec[] {
  return blocks.map((block) => {
    if (block.index < spec.stageIndexes[2]) return block;
    const pad = 2 * Math.floor(block.kernel / 2);
    return { ...block, stride: 1, dilation: 2, pad: [pad, pad, pad, pad] };
  });
}

export function encoderSpec(name: string): EfficientNetSpec {
  const spec = ENCODERS[name as EncoderName];
  if (!spec) throw new Error(`unknown encoder '${name}'. Known: ${Object.keys(ENCODERS).join(', ')}`);
  return spec;
}
