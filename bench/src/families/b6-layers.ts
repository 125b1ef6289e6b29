/**
 * Every convolution of Linknet on EfficientNet-B6 at 256x256, batch 8, as the model's own forward runs them: the
 * list is the traced eval forward's convolutions (autograd's tracedConvolution; `modelConvsFromTrace`), kept in
 * b6-layers.traced.ts so that the kernel families stay synchronous and device-free at import (Node and browser);
 * bench/test/definitions.test.ts traces the model and fails when the file differs from the trace
 * (ULSEG_UPDATE_TRACED=1 rewrites it). ORIGINAL.md §8 describes the network.
 *
 * Selection: the eight 1x1 shapes with the largest total cost (cost of one layer x how often the shape occurs:
 * together 64% of the model's MACs), the most expensive depthwise shape (5x5 over 432 channels at 32x32, blocks
 * 10-14) and decoder block 4's transposed convolution (the largest one, 14 channels 128→256). SE convolutions
 * (1x1 at 1x1 pixel, inside the fused squeeze-excitation op) and `_conv_head` (never run) are not in the trace.
 */
import { tracedConvolution, type Trace } from '@ulseg/autograd';
import type { ConvLayer } from './convolution.js';
import { B6_TRACED_CONVS } from './b6-layers.traced.js';

export const BATCH = 8;
export const IMAGE = 256;
/** The module path of decoder block 4's transposed convolution. */
const LAST_TRANSPOSED = 'decoder.blocks.4.block.1.0';

export interface ModelConv {
  /** The module path (the weight's state_dict key without `.weight`): `encoder._blocks.3._expand_conv`. */
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

/** The convolutions of a traced forward in execution order, their multiply-adds scaled from the traced batch to `batch`. */
export function modelConvsFromTrace(traced: Trace, batch: number): ModelConv[] {
  return traced.ops.flatMap((op) => {
    const conv = tracedConvolution(op);
    if (!conv) return [];
    const kind = conv.transposed ? 'transposed' : conv.groups > 1 && conv.groups === conv.inChannels ? 'depthwise' : 'dense';
    return [
      {
        name: (conv.weight ?? `op ${op.index}`).replace(/\.weight$/, ''),
        kind,
        Cin: conv.inChannels,
        Cout: conv.outChannels,
        k: conv.kernel[0],
        stride: conv.stride[0],
        H: conv.input[2]!,
        macs: (conv.multiplyAdds / conv.input[0]!) * batch,
      } satisfies ModelConv,
    ];
  });
}

/** Every convolution of the B6 forward at IMAGE x IMAGE, batch BATCH, in execution order (SE excluded). */
export function modelConvs(): ModelConv[] {
  return B6_TRACED_CONVS.map((conv) => ({ ...conv }));
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
  const transposed = shapes.find((shape) => shape.names.includes(LAST_TRANSPOSED));
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
