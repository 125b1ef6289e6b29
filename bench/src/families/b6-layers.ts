/**
 * Every convolution of Linknet on EfficientNet-B6 at 256x256, batch 8, derived from the rules of ORIGINAL.md §8
 * (B0 base blocks, width 1.8, depth 2.6, round_filters, round_repeats; Linknet decoder channels), and the ten most
 * expensive layer shapes the bench measures. The test checks the derivation against
 * test/fixtures/b6/static_padding.json (every encoder conv's in/out/kernel/stride/groups).
 *
 * Selection: the eight 1x1 shapes with the largest total cost (cost of one layer x how often the shape occurs:
 * together 64% of the model's MACs), the most expensive depthwise shape (5x5 over 432 channels at 32x32, blocks
 * 10-14) and decoder block 4's transposed convolution (the largest one, 14 channels 128→256). SE convolutions
 * (1x1 at 1x1 pixel) and `_conv_head` (never run) are left out.
 */
import type { ConvLayer } from './convolution.js';

/** EfficientNet-B0 blocks: repeats, kernel, stride, expand ratio, in, out. */
const BASE_BLOCKS = [
  [1, 3, 1, 1, 32, 16],
  [2, 3, 2, 6, 16, 24],
  [2, 5, 2, 6, 24, 40],
  [3, 3, 2, 6, 40, 80],
  [3, 5, 1, 6, 80, 112],
  [4, 5, 2, 6, 112, 192],
  [1, 3, 1, 6, 192, 320],
] as const;
const WIDTH = 1.8;
const DEPTH = 2.6;
/** Linknet decoder blocks for b6: in → out channels, input size at 256x256. */
const DECODER = [
  [576, 200, 8],
  [200, 72, 16],
  [72, 40, 32],
  [40, 56, 64],
  [56, 32, 128],
] as const;

export const BATCH = 8;
export const IMAGE = 256;

export function roundFilters(filters: number): number {
  const scaled = filters * WIDTH;
  let rounded = Math.max(8, Math.floor((scaled + 4) / 8) * 8);
  if (rounded < 0.9 * scaled) rounded += 8;
  return rounded;
}

export const roundRepeats = (repeats: number): number => Math.ceil(DEPTH * repeats);

export interface ModelConv {
  /** state_dict prefix style: `encoder._blocks.3._expand_conv`, `decoder.blocks.4.convT`. */
  readonly name: string;
  readonly kind: 'dense' | 'depthwise' | 'transposed';
  readonly Cin: number;
  readonly Cout: number;
  readonly k: number;
  readonly stride: number;
  /** Input height (= width). */
  readonly H: number;
  readonly macs: number;
}

const samePad = (size: number, stride: number): number => Math.ceil(size / stride);

/** Every convolution of the forward pass at IMAGE x IMAGE, batch BATCH, in execution order (SE excluded). */
export function modelConvs(): ModelConv[] {
  const convs: ModelConv[] = [];
  const add = (name: string, kind: ModelConv['kind'], Cin: number, Cout: number, k: number, stride: number, H: number): number => {
    const Ho = kind === 'transposed' ? H * stride : samePad(H, stride);
    const perOutput = kind === 'depthwise' ? k * k : kind === 'transposed' ? 0 : Cin * k * k;
    const macs = kind === 'transposed' ? BATCH * Cin * Cout * H * H * k * k : BATCH * Cout * Ho * Ho * perOutput;
    convs.push({ name, kind, Cin, Cout, k, stride, H, macs });
    return Ho;
  };
  let size = add('encoder._conv_stem', 'dense', 1, roundFilters(32), 3, 2, IMAGE);
  let block = 0;
  for (const [repeats, k, stride, expand, input, output] of BASE_BLOCKS) {
    for (let repeat = 0; repeat < roundRepeats(repeats); repeat++, block++) {
      const Cin = roundFilters(repeat === 0 ? input : output);
      const Cout = roundFilters(output);
      const expanded = Cin * expand;
      const prefix = `encoder._blocks.${block}`;
      if (expand !== 1) add(`${prefix}._expand_conv`, 'dense', Cin, expanded, 1, 1, size);
      size = add(`${prefix}._depthwise_conv`, 'depthwise', expanded, expanded, k, repeat === 0 ? stride : 1, size);
      add(`${prefix}._project_conv`, 'dense', expanded, Cout, 1, 1, size);
    }
  }
  DECODER.forEach(([input, output, H], index) => {
    const middle = input / 4;
    add(`decoder.blocks.${index}.conv1`, 'dense', input, middle, 1, 1, H);
    add(`decoder.blocks.${index}.convT`, 'transposed', middle, middle, 4, 2, H);
    add(`decoder.blocks.${index}.conv2`, 'dense', middle, output, 1, 1, H * 2);
  });
  add('segmentation_head.0', 'dense', 32, 1, 1, 1, IMAGE);
  return convs;
}

export interface LayerShape {
  readonly kind: ModelConv['kind'];
  readonly Cin: number;
  readonly Cout: number;
  readonly k: number;
  readonly stride: number;
  readonly H: number;
  /** MACs of all layers of this shape. */
  readonly totalMacs: number;
  readonly names: readonly string[];
}

/** Layers grouped by shape, most expensive (total MACs) first. */
export function layerShapes(convs = modelConvs()): LayerShape[] {
  const groups = new Map<string, { shape: Omit<LayerShape, 'totalMacs' | 'names'>; totalMacs: number; names: string[] }>();
  for (const conv of convs) {
    const key = `${conv.kind} ${conv.Cin} ${conv.Cout} ${conv.k} ${conv.stride} ${conv.H}`;
    const group = groups.get(key) ?? { shape: { kind: conv.kind, Cin: conv.Cin, Cout: conv.Cout, k: conv.k, stride: conv.stride, H: conv.H }, totalMacs: 0, names: [] };
    group.totalMacs += conv.macs;
    group.names.push(conv.name);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((group) => ({ ...group.shape, totalMacs: group.totalMacs, names: group.names }))
    .sort((a, b) => b.totalMacs - a.totalMacs);
}

const blocksOf = (names: readonly string[]): string => {
  const numbers = names.map((name) => /_blocks\.(\d+)/.exec(name)?.[1]).filter((value): value is string => value !== undefined);
  if (numbers.length === 0) return names.join(', ');
  const first = numbers[0];
  const last = numbers[numbers.length - 1];
  return numbers.length === 1 ? `block ${first}` : `blocks ${first}-${last}`;
};

/** The ten layer shapes the bench measures (see the selection rule above), as convolution rows' layers. */
export function tenMostExpensive(): ConvLayer[] {
  const shapes = layerShapes();
  const total = shapes.reduce((sum, shape) => sum + shape.totalMacs, 0);
  const pointwise = shapes.filter((shape) => shape.kind === 'dense' && shape.k === 1).slice(0, 8);
  const depthwise = shapes.find((shape) => shape.kind === 'depthwise' && shape.stride === 1);
  const transposed = shapes.find((shape) => shape.names.includes('decoder.blocks.4.convT'));
  const chosen = [...pointwise, ...(depthwise ? [depthwise] : []), ...(transposed ? [transposed] : [])];
  return chosen.map((shape) => {
    const role = shape.names[0]?.includes('_expand_conv') ? 'expand' : shape.names[0]?.includes('_project_conv') ? 'project' : '';
    const share = ((100 * shape.totalMacs) / total).toFixed(1);
    return {
      kind: shape.kind,
      N: BATCH,
      Cin: shape.Cin,
      Cout: shape.Cout,
      H: shape.H,
      W: shape.H,
      k: shape.k,
      stride: shape.stride,
      pad: shape.kind === 'transposed' ? 1 : (shape.k - 1) / 2,
      prefix: 'B6',
      note: `Linknet-B6 ${blocksOf(shape.names)}${role ? ` ${role}` : ''}, x${shape.names.length}, ${share}% of the model's MACs`,
    };
  });
}
