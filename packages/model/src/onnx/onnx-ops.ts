/**
 * One ONNX mapping per traced op kind (an autograd op's name), eval-mode semantics. A network needs no entry of its
 * own: the export traces its forward and maps each op it ran.
 *
 *   conv2d            → Conv (pads = the op's padding as ONNX [top, left, bottom, right]; EfficientNet's "static
 *                       same" pads are explicit asymmetric pads, e.g. [0, 0, 1, 1] for k3 s2)
 *   convTranspose2d   → ConvTranspose (weight [Cin, Cout, k, k], as in PyTorch)
 *   batchNorm2d       → BatchNormalization (y = (x − running_mean)/√(running_var + eps)·weight + bias; eval only)
 *   convBatchNorm     → Conv or ConvTranspose → BatchNormalization → activation (the fused eval form, unfused)
 *   relu → Relu; sigmoid → Sigmoid; silu(x) = x·σ(x) → Mul(x, Sigmoid(x))
 *   add, sub, mul, div → Add, Sub, Mul, Div (numpy broadcasting, as ours)
 *   adaptiveAvgPool2d → GlobalAveragePool (output 1x1); AveragePool with kernel = stride = input/output when the
 *                       output divides the input (PyTorch's windows are then those); otherwise (uneven, overlapping
 *                       windows) two MatMuls against constant pooling matrices, Y = P_h · X · P_wᵀ, where an n-long
 *                       axis pooled to o has P[k, i] = 1/(e_k − s_k) for s_k ≤ i < e_k, else 0, with PyTorch's window
 *                       [s_k, e_k) = [⌊k·n/o⌋, ⌈(k+1)·n/o⌉); P_h [o_h, H] and P_wᵀ [W, o_w] are initializers (H and W
 *                       are fixed by the export's size), entries computed in float64 and stored float32
 *   maxPool2d         → MaxPool (−∞ padding as pads [top, left, bottom, right], stride default = kernel)
 *   cat               → Concat (axis = the op's dimension)
 *   interpolate       → Resize to the op's output size (`sizes` = Shape(x)[0:2] ++ the traced [H, W]): nearest as PyTorch's
 *                       (asymmetric coordinates, floor: src = ⌊dst·in/out⌋), bilinear with align_corners
 *                       (src = dst·(in − 1)/(out − 1)) or without (pytorch_half_pixel: src = (dst + ½)·in/out − ½)
 *   groupNorm         → (opset 17 has no GroupNormalization) Reshape [N, G, C/G·H·W] → InstanceNormalization
 *                       (scale 1, bias 0: per-group mean and biased variance) → Reshape to x's shape → Mul γ[C, 1, …]
 *                       → Add β[C, 1, …]
 *   dropout, dropout2d, dropConnect: not mapped; in eval mode they return their input without running an op
 *   channelScale x·s[n, c] → Mul
 *   squeezeExcitation → GlobalAveragePool → Conv → x·σ(x) → Conv → Sigmoid → Mul (the fused SE, unfused)
 */
import { dims4, normalizePadding, type Padding } from '@ulseg/kernels';
import type { TracedOp } from '@ulseg/autograd';
import type { AttributeValue, GraphBuilder } from './graph-builder.js';

export interface MappingContext {
  readonly graph: GraphBuilder;
  /** ONNX value names of the op's inputs, in order. */
  readonly inputs: readonly string[];
  /** ONNX value names of its tensor-valued attributes. */
  readonly tensorAttributes: Readonly<Record<string, string>>;
  /** Node name prefix: the module path of the op's first parameter, or of what made its first input. */
  readonly scope: string;
}

/** Emits the op's nodes; returns the name of the value that stands for its output. */
export type OnnxMapping = (op: TracedOp, context: MappingContext) => string;

interface ConvAttributes {
  stride?: number | readonly [number, number];
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
}

function pair(value: number | readonly [number, number] | undefined): [number, number] {
  if (value === undefined) return [1, 1];
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

function kernelShape(op: TracedOp): { ints: number[] } {
  const [, , kernelHeight, kernelWidth] = dims4(op.inputs[1]!.shape);
  return { ints: [kernelHeight, kernelWidth] };
}

function convAttributes(op: TracedOp, options: ConvAttributes): Record<string, AttributeValue> {
  const [top, bottom, left, right] = normalizePadding(`exportOnnx: ${op.op}`, options.padding);
  return {
    kernel_shape: kernelShape(op),
    strides: { ints: pair(options.stride) },
    pads: { ints: [top, left, bottom, right] },
    dilations: { ints: pair(options.dilation) },
    group: { int: options.groups ?? 1 },
  };
}

function convTransposeAttributes(op: TracedOp, options: { stride?: number; padding?: number }): Record<string, AttributeValue> {
  const padding = options.padding ?? 0;
  return { kernel_shape: kernelShape(op), strides: { ints: pair(options.stride) }, pads: { ints: [padding, padding, padding, padding] }, group: { int: 1 } };
}

/**
 * PyTorch's adaptive average pooling of an n-long axis to o as a matrix P [o, n] (row k averages window k), or its
 * transpose Pᵀ [n, o] when `transposed`; row-major float32 of float64 entries.
 */
export function adaptivePoolMatrix(n: number, o: number, transposed: boolean): Float32Array {
  const matrix = new Float32Array(n * o);
  for (let k = 0; k < o; k++) {
    const start = Math.floor((k * n) / o);
    const end = Math.ceil(((k + 1) * n) / o);
    const weight = 1 / (end - start);
    for (let i = start; i < end; i++) matrix[transposed ? i * o + k : k * n + i] = weight;
  }
  return matrix;
}

const swish = (graph: GraphBuilder, scope: string, x: string): string => graph.node(scope, 'Mul', [x, graph.node(scope, 'Sigmoid', [x])]);

function activation(graph: GraphBuilder, scope: string, x: string, kind: string): string {
  if (kind === 'none') return x;
  if (kind === 'relu') return graph.node(scope, 'Relu', [x]);
  if (kind === 'silu') return swish(graph, scope, x);
  if (kind === 'sigmoid') return graph.node(scope, 'Sigmoid', [x]);
  throw new Error(`exportOnnx: no ONNX form for the activation '${kind}'`);
}

const elementwise =
  (opType: string): OnnxMapping =>
  (_, { graph, inputs, scope }) =>
    graph.node(scope, opType, inputs);

export const ONNX_MAPPINGS: Readonly<Record<string, OnnxMapping>> = {
  conv2d: (op, { graph, inputs, scope }) => graph.node(scope, 'Conv', inputs, convAttributes(op, op.attributes as ConvAttributes)),
  convTranspose2d: (op, { graph, inputs, scope }) =>
    graph.node(scope, 'ConvTranspose', inputs, convTransposeAttributes(op, op.attributes as { stride?: number; padding?: number })),
  batchNorm2d: (op, { graph, inputs: [x, weight, bias], tensorAttributes, scope }) => {
    const { training, eps } = op.attributes as { training: boolean; eps: number };
    if (training) throw new Error('exportOnnx: batchNorm2d ran in training mode; the export traces the eval-mode forward');
    const { runningMean, runningVar } = tensorAttributes;
    return graph.node(scope, 'BatchNormalization', [x!, weight!, bias!, runningMean!, runningVar!], { epsilon: { float: eps } });
  },
  convBatchNorm: (op, { graph, inputs: [x, weight, gamma, beta, mean, variance, convBias], scope }) => {
    const { transposed, options, eps, activation: kind } = op.attributes as { transposed: boolean; options: ConvAttributes; eps: number; activation: string };
    const convInputs = convBias ? [x!, weight!, convBias] : [x!, weight!];
    const y = transposed
      ? graph.node(scope, 'ConvTranspose', convInputs, convTransposeAttributes(op, options as { stride?: number; padding?: number }))
      : graph.node(scope, 'Conv', convInputs, convAttributes(op, options));
    const normalised = graph.node(scope, 'BatchNormalization', [y, gamma!, beta!, mean!, variance!], { epsilon: { float: eps } });
    return activation(graph, scope, normalised, kind);
  },
  relu: elementwise('Relu'),
  sigmoid: elementwise('Sigmoid'),
  silu: (_, { graph, inputs: [x], scope }) => swish(graph, scope, x!),
  add: elementwise('Add'),
  sub: elementwise('Sub'),
  mul: elementwise('Mul'),
  div: elementwise('Div'),
  adaptiveAvgPool2d: (op, { graph, inputs: [x], scope }) => {
    const size = Array.isArray(op.attributes) ? (op.attributes as [number, number]) : [1, 1];
    if (size[0] === 1 && size[1] === 1) return graph.node(scope, 'GlobalAveragePool', [x!]);
    const [, , height, width] = dims4(op.inputs[0]!.shape);
    const [outHeight, outWidth] = size as [number, number];
    if (height % outHeight === 0 && width % outWidth === 0) {
      const kernel = [height / outHeight, width / outWidth];
      return graph.node(scope, 'AveragePool', [x!], { kernel_shape: { ints: kernel }, strides: { ints: kernel }, pads: { ints: [0, 0, 0, 0] } });
    }
    // Y = P_h · X · P_wᵀ: X [N, C, H, W] · P_wᵀ [W, o_w] → [N, C, H, o_w]; P_h [o_h, H] · that → [N, C, o_h, o_w].
    const columns = graph.constantInitializer(`adaptive_avg_pool.${width}to${outWidth}.columns`, [width, outWidth], adaptivePoolMatrix(width, outWidth, true));
    const rows = graph.constantInitializer(`adaptive_avg_pool.${height}to${outHeight}.rows`, [outHeight, height], adaptivePoolMatrix(height, outHeight, false));
    return graph.node(scope, 'MatMul', [rows, graph.node(scope, 'MatMul', [x!, columns])]);
  },
  maxPool2d: (op, { graph, inputs, scope }) => {
    const { kernelSize, options = {} } = op.attributes as { kernelSize: number | [number, number]; options?: { stride?: number | [number, number]; padding?: number | [number, number] } };
    const kernel = pair(kernelSize);
    const [padHeight, padWidth] = options.padding === undefined ? [0, 0] : pair(options.padding);
    return graph.node(scope, 'MaxPool', inputs, {
      kernel_shape: { ints: kernel },
      strides: { ints: options.stride === undefined ? kernel : pair(options.stride) },
      pads: { ints: [padHeight, padWidth, padHeight, padWidth] },
    });
  },
  cat: (op, { graph, inputs, scope }) => graph.node(scope, 'Concat', inputs, { axis: { int: op.attributes as number } }),
  interpolate: (op, { graph, inputs: [x], scope }) => {
    const { mode, alignCorners } = op.attributes as { mode: 'nearest' | 'bilinear'; alignCorners: boolean };
    // sizes = [N, C] of x (so a dynamic batch stays dynamic) followed by the traced output height and width.
    const batchChannels = graph.node(scope, 'Shape', [x!], { end: { int: 2 } });
    const spatial = graph.node(scope, 'Constant', [], { value_ints: { ints: op.shape.slice(2) } });
    const sizes = graph.node(scope, 'Concat', [batchChannels, spatial], { axis: { int: 0 } });
    const attributes: Record<string, AttributeValue> =
      mode === 'nearest'
        ? { mode: { string: 'nearest' }, coordinate_transformation_mode: { string: 'asymmetric' }, nearest_mode: { string: 'floor' } }
        : { mode: { string: 'linear' }, coordinate_transformation_mode: { string: alignCorners ? 'align_corners' : 'pytorch_half_pixel' } };
    // Inputs X, roi, scales, sizes: roi and scales left out (empty names), the output size given.
    return graph.node(scope, 'Resize', [x!, '', '', sizes], attributes);
  },
  groupNorm: (op, { graph, inputs: [x, weight, bias], scope }) => {
    const { groups, eps } = op.attributes as { groups: number; eps: number };
    const channels = op.shape[1]!;
    const grouped = graph.node(scope, 'Reshape', [x!, graph.node(scope, 'Constant', [], { value_ints: { ints: [0, groups, -1] } })]);
    const unit = (value: number): string => graph.node(scope, 'Constant', [], { value_floats: { floats: new Array<number>(groups).fill(value) } });
    const normalised = graph.node(scope, 'InstanceNormalization', [grouped, unit(1), unit(0)], { epsilon: { float: eps } });
    const restored = graph.node(scope, 'Reshape', [normalised, graph.node(scope, 'Shape', [x!])]);
    const perChannel = graph.node(scope, 'Constant', [], { value_ints: { ints: [channels, ...op.shape.slice(2).map(() => 1)] } });
    const scaled = graph.node(scope, 'Mul', [restored, graph.node(scope, 'Reshape', [weight!, perChannel])]);
    return graph.node(scope, 'Add', [scaled, graph.node(scope, 'Reshape', [bias!, perChannel])]);
  },
  channelScale: elementwise('Mul'),
  squeezeExcitation: (_, { graph, inputs: [x, reduceWeight, reduceBias, expandWeight, expandBias], scope }) => {
    const unit = { kernel_shape: { ints: [1, 1] }, strides: { ints: [1, 1] }, pads: { ints: [0, 0, 0, 0] }, dilations: { ints: [1, 1] }, group: { int: 1 } };
    const squeezed = graph.node(scope, 'GlobalAveragePool', [x!]);
    const reduced = swish(graph, scope, graph.node(scope, 'Conv', [squeezed, reduceWeight!, reduceBias!], unit));
    const gate = graph.node(scope, 'Sigmoid', [graph.node(scope, 'Conv', [reduced, expandWeight!, expandBias!], unit)]);
    return graph.node(scope, 'Mul', [x!, gate]);
  },
};
