/**
 * Builds the three rows of a convolution layer (forward, input gradient, weight gradient) for dense, depthwise and
 * transposed convolutions: ours in NCHW with PyTorch's weight layouts (depthwise = conv2d with groups = channels, as
 * F.conv2d; conv2d routes it to the depthwise kernels), the tfjs peer in NHWC (its native layout, where its fast
 * kernels live) with its own filter layout. Same arithmetic, same FLOP count.
 */
import { convGeometry, convTransposeGeometry, type GpuTensor } from '@ulseg/kernels';
import { f32, numel, type Benchmark, type Family, type Pass, type Tf, type TfTensor, type TfTensor4D } from '../definition.js';
import { LAUNCHERS, releaseResult, type Conv2d, type Conv2dBackwardInput, type Conv2dBackwardWeight, type ConvOptions } from './launchers.js';

export type ConvKind = 'dense' | 'depthwise' | 'transposed';

export interface ConvLayer {
  readonly kind: ConvKind;
  readonly N: number;
  readonly Cin: number;
  /** For depthwise, equal to Cin. */
  readonly Cout: number;
  readonly H: number;
  readonly W: number;
  readonly k: number;
  readonly stride: number;
  readonly pad: number;
  /** Prefix of the row names, e.g. `B6` for the model's layers. */
  readonly prefix?: string;
  readonly note?: string;
}

const FAMILY: Record<ConvKind, Family> = { dense: 'conv2d', depthwise: 'depthwise', transposed: 'conv-transpose2d' };
const PASSES = ['forward', 'backward-input', 'backward-weight'] as const;
const PASS_SHORT: Record<(typeof PASSES)[number], string> = { forward: 'fwd', 'backward-input': 'bwd-input', 'backward-weight': 'bwd-weight' };

const LAUNCHER_OF = {
  dense: [LAUNCHERS.conv2d, LAUNCHERS.conv2dBackwardInput, LAUNCHERS.conv2dBackwardWeight],
  depthwise: [LAUNCHERS.conv2d, LAUNCHERS.conv2dBackwardInput, LAUNCHERS.conv2dBackwardWeight],
  transposed: [LAUNCHERS.convTranspose2d, LAUNCHERS.convTranspose2dBackwardInput, LAUNCHERS.convTranspose2dBackwardWeight],
} as const;

/** Output size along one axis. */
/** The layer's tensor shapes and FLOPs; output sizes from the kernels' own geometry (the launchers' validation). */
export function layerShapes(layer: ConvLayer): { x: number[]; y: number[]; w: number[]; flops: number } {
  const { N, Cin, Cout, H, W, k, stride, pad } = layer;
  const x = [N, Cin, H, W];
  const w = layer.kind === 'dense' ? [Cout, Cin, k, k] : layer.kind === 'depthwise' ? [Cin, 1, k, k] : [Cin, Cout, k, k];
  const { OH, OW } =
    layer.kind === 'transposed'
      ? convTransposeGeometry('bench', x, w, { stride, padding: pad })
      : convGeometry('bench', x, w, { stride, padding: pad, groups: layer.kind === 'depthwise' ? Cin : 1 });
  const perOutput = layer.kind === 'depthwise' ? k * k : Cin * k * k;
  const macs = layer.kind === 'transposed' ? N * Cin * Cout * H * W * k * k : N * Cout * OH * OW * perOutput;
  return { x, y: [N, Cout, OH, OW], w, flops: 2 * macs };
}

export function layerLabel(layer: ConvLayer): string {
  const kind = layer.kind === 'dense' ? 'conv2d' : layer.kind === 'depthwise' ? 'depthwise' : 'convT';
  const stride = layer.stride > 1 ? ` s${layer.stride}` : '';
  const channels = layer.kind === 'depthwise' ? `${layer.Cin}ch` : `${layer.Cin}->${layer.Cout}`;
  return `${layer.prefix ? `${layer.prefix} ` : ''}${kind} ${layer.k}x${layer.k}${stride} ${channels} @${layer.H}x${layer.W} N${layer.N}`;
}

const nhwc = ([n, c, h, w]: readonly number[]): [number, number, number, number] => [n ?? 1, h ?? 1, w ?? 1, c ?? 1];

/** tfjs filter layout for the layer: conv [k,k,Cin,Cout], depthwise [k,k,C,1], transposed [k,k,Cout,Cin]. */
function tfFilterShape(layer: ConvLayer): [number, number, number, number] {
  const { k, Cin, Cout } = layer;
  return layer.kind === 'dense' ? [k, k, Cin, Cout] : layer.kind === 'depthwise' ? [k, k, Cin, 1] : [k, k, Cout, Cin];
}

function peerRun(tf: Tf, layer: ConvLayer, pass: Pass, shapes: ReturnType<typeof layerShapes>): { inputs: TfTensor[]; run: () => TfTensor } {
  const x = tf.randomUniform(nhwc(shapes.x), -1, 1) as TfTensor4D;
  const dy = tf.randomUniform(nhwc(shapes.y), -1, 1) as TfTensor4D;
  const filter = tf.randomUniform(tfFilterShape(layer), -1, 1) as TfTensor4D;
  const { stride: strides, pad } = layer;
  const filterShape = tfFilterShape(layer);
  const xShape = nhwc(shapes.x);
  const yShape = nhwc(shapes.y);
  const engine = tf.engine();
  const runs: Record<ConvKind, Record<string, () => TfTensor>> = {
    dense: {
      forward: () => tf.conv2d(x, filter, strides, pad),
      'backward-input': () => tf.conv2dTranspose(dy, filter, xShape, strides, pad),
      'backward-weight': () => engine.runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape }),
    },
    depthwise: {
      forward: () => tf.depthwiseConv2d(x, filter, strides, pad),
      'backward-input': () => engine.runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides, dilations: 1, pad, inputShape: xShape }),
      'backward-weight': () => engine.runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides, dilations: 1, pad, filterShape }),
    },
    transposed: {
      forward: () => tf.conv2dTranspose(x, filter, yShape, strides, pad),
      'backward-input': () => tf.conv2d(dy, filter, strides, pad),
      'backward-weight': () => engine.runKernel('Conv2DBackpropFilter', { x: dy, dy: x }, { strides, pad, dataFormat: 'NHWC', filterShape }),
    },
  };
  const run = runs[layer.kind][pass];
  if (!run) throw new Error(`no tfjs call for ${layer.kind} ${pass}`);
  return { inputs: [x, dy, filter], run };
}

const PEER_NOTE: Record<ConvKind, string> = {
  dense: 'tfjs NHWC: conv2d / conv2dTranspose (input grad) / Conv2DBackpropFilter kernel',
  depthwise: 'tfjs NHWC: depthwiseConv2d / DepthwiseConv2dNativeBackpropInput / ...BackpropFilter kernels',
  transposed: 'tfjs NHWC: conv2dTranspose / conv2d (input grad) / Conv2DBackpropFilter kernel (x and dy swapped)',
};

/** The forward, input-gradient and weight-gradient rows of one layer. */
export function convolutionRows(layer: ConvLayer): Benchmark[] {
  const shapes = layerShapes(layer);
  const label = layerLabel(layer);
  const options: ConvOptions = { stride: layer.stride, padding: layer.pad, ...(layer.kind === 'depthwise' ? { groups: layer.Cin } : {}) };
  const [forward, backwardInput, backwardWeight] = LAUNCHER_OF[layer.kind];
  return PASSES.map((pass): Benchmark => {
    const [a, b, out] =
      pass === 'forward' ? [shapes.x, shapes.w, shapes.y] : pass === 'backward-input' ? [shapes.y, shapes.w, shapes.x] : [shapes.x, shapes.y, shapes.w];
    const requirement = pass === 'forward' ? forward : pass === 'backward-input' ? backwardInput : backwardWeight;
    return {
      name: `${label} ${PASS_SHORT[pass]}`,
      family: FAMILY[layer.kind],
      pass,
      shape: { N: layer.N, Cin: layer.Cin, Cout: layer.Cout, H: layer.H, W: layer.W, k: layer.k, stride: layer.stride, pad: layer.pad },
      flops: shapes.flops,
      bytes: f32(numel(a) + numel(b) + numel(out)),
      metric: 'gflops',
      requires: [requirement],
      ...(layer.note ? { note: layer.note } : {}),
      setup({ gpu, launcher, random }) {
        const first = random(a);
        const second = random(b);
        const target = gpu.empty(out, `${label} out`);
        const keep: GpuTensor[] = [first, second, target];
        let record: () => unknown;
        if (pass === 'forward') {
          const call = launcher<Conv2d>(requirement.name);
          record = () => call(gpu, first, second, { ...options, out: target });
        } else if (pass === 'backward-input') {
          const call = launcher<Conv2dBackwardInput>(requirement.name);
          record = () => call(gpu, first, second, shapes.x, { ...options, out: target });
        } else {
          const call = launcher<Conv2dBackwardWeight>(requirement.name);
          record = () => call(gpu, first, second, shapes.w, { ...options, out: target });
        }
        return {
          run: () => releaseResult(gpu, record(), keep),
          dispose: () => keep.forEach((tensor) => gpu.release(tensor)),
        };
      },
      peer: {
        note: PEER_NOTE[layer.kind],
        setup(tf) {
          const { inputs, run } = peerRun(tf, layer, pass, shapes);
          return { run, dispose: () => inputs.forEach((tensor) => tensor.dispose()) };
        },
      },
    };
  });
}
