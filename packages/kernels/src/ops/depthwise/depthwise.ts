/**
 * Depthwise convolution fast path (groups = C = Cout, kernel 3 or 5, stride 1 or 2, dilation 1, any padding):
 * forward with register reuse along W (fused bias / scale / activation), input gradient, and weight gradient as a
 * workgroup reduction per (channel, chunk of N·OH·OW) whose partial sums a second pass adds, or, for short N·OH·OW,
 * one lane per (channel, kernel row) summing it all (`lanes`). conv2d routes here.
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { flatGrid } from '../../runtime/grid.js';
import type { KernelSource } from '../../runtime/kernel.js';
import type { GpuTensor } from '../../runtime/tensor.js';
import { convGeometry, expectShape, geometryValues, outputShape, type Conv2dOptions, type ConvGeometry } from '../conv2d/conv2d-geometry.js';
import { activationCode, epilogueFlags, type Activation } from '../gemm/tiles.js';
import { reduce } from '../reduce/reduce.js';
import {
  DEPTHWISE_BACKWARD_INPUT_WGSL,
  DEPTHWISE_BACKWARD_WEIGHT_LANES_WGSL,
  DEPTHWISE_BACKWARD_WEIGHT_WGSL,
  DEPTHWISE_INPUT_PARAMS,
  DEPTHWISE_OUTPUTS,
  DEPTHWISE_PARAMS,
  DEPTHWISE_WEIGHT_PARAMS,
  depthwiseForwardWgsl,
  type DepthwiseOutputs,
} from './depthwise.wgsl.js';

export { DEPTHWISE_OUTPUTS, type DepthwiseOutputs };

export interface DepthwiseOptions extends Conv2dOptions {
  bias?: GpuTensor;
  scale?: GpuTensor;
  activation?: Activation;
  out?: GpuTensor;
  /** Adjacent outputs of a row per lane in the forward; default the device profile's `depthwiseOutputs`. */
  outputsPerLane?: DepthwiseOutputs;
}

/** The forward's code for each T, built once (its pipeline key is the code). */
const FORWARD_WGSL = new Map<DepthwiseOutputs, string>(DEPTHWISE_OUTPUTS.map((outputs) => [outputs, depthwiseForwardWgsl(outputs)]));

const T = 8;
const WORKGROUP_SIZE = 64;

/** True when the geometry fits these kernels. */
export function depthwiseFastPath(g: ConvGeometry): boolean {
  return (
    g.groups === g.C && g.Cout === g.C && g.KH === g.KW && (g.KH === 3 || g.KH === 5) &&
    g.sh === g.sw && (g.sh === 1 || g.sh === 2) && g.dh === 1 && g.dw === 1
  );
}

function geometry(kernel: string, xShape: readonly number[], wShape: readonly number[], options: Conv2dOptions): ConvGeometry {
  const g = convGeometry(kernel, xShape, wShape, { ...options, groups: options.groups ?? xShape[1] });
  if (!depthwiseFastPath(g)) {
    throw new KernelArgumentError(
      `${kernel}: needs groups = C = Cout, a square 3x3 or 5x5 kernel, equal strides 1 or 2 and dilation 1; got x ` +
        `[${xShape.join(', ')}], weight [${wShape.join(', ')}], ${JSON.stringify(options)} (use conv2d for other shapes)`,
    );
  }
  return g;
}

function kernel(name: string, code: string, g: ConvGeometry): KernelSource {
  return { name, code, constants: { K: g.KH, S: g.sh, WORKGROUP_SIZE } };
}

/** y = act(depthwise(x, w) * scale + bias): [N, C, OH, OW]. */
export function depthwiseConv2d(gpu: Gpu, x: GpuTensor, w: GpuTensor, options: DepthwiseOptions = {}): GpuTensor {
  const name = 'depthwiseConv2d';
  const g = geometry(name, x.shape, w.shape, options);
  const shape = outputShape(g);
  const out = options.out ?? gpu.empty(shape, name);
  expectShape(name, 'output', out.shape, shape);
  if (options.bias) expectShape(name, 'bias', options.bias.shape, [g.C], 'one per channel');
  if (options.scale) expectShape(name, 'scale', options.scale.shape, [g.C], 'one per channel');
  for (const input of [x, w, options.bias, options.scale]) {
    if (input && input.buffer === out.buffer) throw new KernelArgumentError(`${name}: output must not alias an input buffer`);
  }
  const outputs = options.outputsPerLane ?? gpu.deviceProfile.depthwiseOutputs;
  const code = FORWARD_WGSL.get(outputs);
  if (!code) throw new KernelArgumentError(`${name}: outputsPerLane ${outputs} is not one of ${DEPTHWISE_OUTPUTS.join(', ')}`);
  const blocks = Math.ceil(g.OW / outputs);
  const count = g.N * g.C * g.OH * blocks;
  const flags = epilogueFlags({ scale: Boolean(options.scale), shift: Boolean(options.bias), act: activationCode(name, options.activation) });
  gpu.dispatch({
    kernel: kernel(name, code, g),
    uniforms: DEPTHWISE_PARAMS.write(geometryValues(g, { flags, blocks, count })),
    tensors: [x, w, options.scale ?? w, options.bias ?? w, out],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}

/** dL/dx of the depthwise convolution: dy [N, C, OH, OW] → [N, C, H, W]. */
export function depthwiseConv2dBackwardInput(
  gpu: Gpu,
  dy: GpuTensor,
  w: GpuTensor,
  inputShape: readonly number[],
  options: Conv2dOptions & { out?: GpuTensor } = {},
): GpuTensor {
  const name = 'depthwiseConv2dBackwardInput';
  const g = geometry(name, inputShape, w.shape, options);
  expectShape(name, 'dy', dy.shape, outputShape(g));
  const out = options.out ?? gpu.empty(inputShape, name);
  expectShape(name, 'output', out.shape, inputShape);
  if (out.buffer === dy.buffer || out.buffer === w.buffer) throw new KernelArgumentError(`${name}: output must not alias an input buffer`);
  const blocks = Math.ceil((g.W + g.pl) / T);
  const count = g.N * g.C * g.H * blocks;
  gpu.dispatch({
    kernel: kernel(name, DEPTHWISE_BACKWARD_INPUT_WGSL, g),
    uniforms: DEPTHWISE_INPUT_PARAMS.write(geometryValues(g, { blocks, count })),
    tensors: [dy, w, out],
    workgroups: flatGrid(count, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}

/** Items (T outputs of one row) one workgroup sums per chunk; fewer chunks keep the second pass short. */
const ITEMS_PER_CHUNK = WORKGROUP_SIZE * 16;

/** Most items (N·OH·⌈OW / T⌉) for which `auto` takes the lanes layout of the weight gradient. */
export const DEPTHWISE_WEIGHT_LANES_MAX_ITEMS = 256;

/**
 * Weight-gradient layout: `workgroup` (a workgroup per channel and chunk, partial sums added by `reduce`), `lanes`
 * (a lane per channel and kernel row, no barrier, no second pass), `auto` (lanes when the device profile's
 * depthwiseWeightLanes is on and N·OH·⌈OW / T⌉ ≤ DEPTHWISE_WEIGHT_LANES_MAX_ITEMS).
 */
export type DepthwiseWeightLayout = 'auto' | 'workgroup' | 'lanes';

/** dL/dw of the depthwise convolution: [C, 1, K, K]. */
export function depthwiseConv2dBackwardWeight(
  gpu: Gpu,
  x: GpuTensor,
  dy: GpuTensor,
  weightShape: readonly number[],
  options: Conv2dOptions & { out?: GpuTensor; layout?: DepthwiseWeightLayout } = {},
): GpuTensor {
  const name = 'depthwiseConv2dBackwardWeight';
  const g = geometry(name, x.shape, weightShape, options);
  expectShape(name, 'dy', dy.shape, outputShape(g));
  const out = options.out ?? gpu.empty(weightShape, name);
  expectShape(name, 'output', out.shape, weightShape);
  if (out.buffer === dy.buffer || out.buffer === x.buffer) throw new KernelArgumentError(`${name}: output must not alias an input buffer`);
  const blocks = Math.ceil(g.OW / T);
  const items = g.N * g.OH * blocks;
  const layout = options.layout ?? 'auto';
  if (layout === 'lanes' || (layout === 'auto' && gpu.deviceProfile.depthwiseWeightLanes && items <= DEPTHWISE_WEIGHT_LANES_MAX_ITEMS)) {
    const lanes = g.C * g.KH;
    gpu.dispatch({
      kernel: kernel(`${name}.lanes`, DEPTHWISE_BACKWARD_WEIGHT_LANES_WGSL, g),
      uniforms: DEPTHWISE_WEIGHT_PARAMS.write(geometryValues(g, { blocks, items, chunk: items, splits: 1 })),
      tensors: [x, dy, out],
      workgroups: flatGrid(lanes, WORKGROUP_SIZE, gpu.limits.maxComputeWorkgroupsPerDimension),
    });
    return out;
  }
  const fit = Math.max(1, Math.floor(gpu.limits.maxStorageBufferBindingSize / (4 * g.C * g.KH * g.KW)));
  const splits = Math.min(Math.ceil(items / ITEMS_PER_CHUNK), gpu.limits.maxComputeWorkgroupsPerDimension, fit);
  const chunk = Math.ceil(items / splits);
  if (g.C > gpu.limits.maxComputeWorkgroupsPerDimension) {
    throw new KernelArgumentError(`${name}: ${g.C} channels exceed maxComputeWorkgroupsPerDimension (${gpu.limits.maxComputeWorkgroupsPerDimension})`);
  }
  const size = g.C * g.KH * g.KW;
  const target = splits > 1 ? gpu.empty([splits, size], `${name} partial`) : out;
  gpu.dispatch({
    kernel: kernel(name, DEPTHWISE_BACKWARD_WEIGHT_WGSL, g),
    uniforms: DEPTHWISE_WEIGHT_PARAMS.write(geometryValues(g, { blocks, items, chunk, splits })),
    tensors: [x, dy, target],
    workgroups: [splits, g.C],
  });
  if (splits > 1) {
    reduce(gpu, 'sum', target, { axes: [0], out: { ...out, shape: [size] } });
    gpu.release(target);
  }
  return out;
}
