/**
 * conv2d backward: input gradient (phase-decomposed implicit GEMM, any stride / dilation / padding / groups),
 * weight gradient (implicit GEMM over N·OH·OW in chunks whose partial sums a second pass adds), bias gradient
 * (sum over N, OH, OW). 1x1 stride-1 convolutions take gemm; depthwise 3x3 / 5x5 the depthwise kernels; with the
 * profile's convIm2col, other ungrouped ones im2col / col2im and gemm (conv2d-im2col.ts).
 */
import { KernelArgumentError } from '../../device/errors.js';
import type { Gpu } from '../../runtime/gpu.js';
import { formatShape, numel, type GpuTensor } from '../../runtime/tensor.js';
import { depthwiseConv2dBackwardInput, depthwiseConv2dBackwardWeight, depthwiseFastPath } from '../depthwise/depthwise.js';
import { gemm } from '../gemm/gemm.js';
import type { GemmVariant } from '../../device/profile.js';
import { activationCode, chooseTile, epilogueFlags, gemmModule, implicitGemmVariant, tileCols, tileGrid, tileRows, type Activation } from '../gemm/tiles.js';
import { reduce } from '../reduce/reduce.js';
import { CONV2D_BACKWARD_INPUT_HEADER_WGSL, CONV2D_INPUT_PARAMS } from './conv2d-backward-input.wgsl.js';
import { CONV2D_BACKWARD_WEIGHT_HEADER_WGSL, CONV2D_WEIGHT_PARAMS } from './conv2d.wgsl.js';
import { convResult, gemmRoute, isPointwise } from './conv2d.js';
import { checkIndexRange, convGeometry, geometryValues, type Conv2dOptions, type ConvGeometry } from './conv2d-geometry.js';
import { conv2dBackwardInputIm2col, conv2dBackwardWeightIm2col, im2colPlan, type Im2colChoice } from './conv2d-im2col.js';

export interface Conv2dBackwardInputOptions extends Conv2dOptions, Im2colChoice {
  out?: GpuTensor;
  /** Epilogue on dx per input channel (used by convTranspose2d, whose forward this is). */
  bias?: GpuTensor;
  scale?: GpuTensor;
  activation?: Activation;
  /** Force the phase-decomposed kernel (skip the gemm and depthwise routes). */
  general?: boolean;
  /** The GEMM core of the routes through gemm (else the profile's `gemm`); the im2col route too; the implicit GEMM takes only 'tiled'. */
  variant?: GemmVariant;
}

export interface Conv2dBackwardWeightOptions extends Conv2dOptions, Im2colChoice {
  out?: GpuTensor;
  general?: boolean;
  /** The GEMM core of the routes through gemm (else the profile's `gemm`); the im2col route too; the implicit GEMM takes only 'tiled'. */
  variant?: GemmVariant;
  /** Chunks of N·OH·OW reduced separately, then summed; chosen from the shape when omitted. */
  splits?: number;
}

const INPUT = 'conv2dBackwardInput';
const WEIGHT = 'conv2dBackwardWeight';
const BIAS = 'conv2dBackwardBias';
const MAX_STRIDE = 8;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * One axis of the phase decomposition: for each phase q < stride, the first output index i0 with (i0 + pad) % stride
 * = q, how many such indices are below `size`, the first tap t0 with t0 · dilation % stride = q, and the tap count.
 */
export function phaseTable(size: number, stride: number, dilation: number, pad: number, taps: number): number[] {
  const table: number[] = [];
  const step = stride / gcd(stride, dilation);
  for (let q = 0; q < stride; q++) {
    const first = (((q - pad) % stride) + stride) % stride;
    const count = first < size ? Math.ceil((size - first) / stride) : 0;
    let tap0 = -1;
    for (let t = 0; t < Math.min(taps, step); t++) {
      if ((t * dilation) % stride === q) {
        tap0 = t;
        break;
      }
    }
    const tapCount = tap0 < 0 ? 0 : Math.ceil((taps - tap0) / step);
    table.push(first, count, Math.max(tap0, 0), tapCount);
  }
  return table;
}

/**
 * The phase decomposition of the input gradient of a convolution of geometry g: the row and column phase tables, the
 * largest phase's rows and columns, the sh·sw phases, and the tap steps sh / gcd(sh, dh), sw / gcd(sw, dw).
 */
export function inputGradientPhases(
  op: string,
  g: ConvGeometry,
): { rows: number[]; cols: number[]; maxRows: number; maxCols: number; phases: number; stepH: number; stepW: number } {
  if (g.sh > MAX_STRIDE || g.sw > MAX_STRIDE) {
    throw new KernelArgumentError(`${op}: stride ${g.sh} x ${g.sw} is over the supported ${MAX_STRIDE} (phase tables)`);
  }
  const rows = phaseTable(g.H, g.sh, g.dh, g.pt, g.KH);
  const cols = phaseTable(g.W, g.sw, g.dw, g.pl, g.KW);
  return {
    rows,
    cols,
    maxRows: Math.max(...rows.filter((_, index) => index % 4 === 1)),
    maxCols: Math.max(...cols.filter((_, index) => index % 4 === 1)),
    phases: g.sh * g.sw,
    stepH: g.sh / gcd(g.sh, g.dh),
    stepW: g.sw / gcd(g.sw, g.dw),
  };
}

/** dL/dx for y = conv2d(x, w): dy [N, Cout, OH, OW] → dx with `inputShape` [N, C, H, W]. */
export function conv2dBackwardInput(
  gpu: Gpu,
  dy: GpuTensor,
  w: GpuTensor,
  inputShape: readonly number[],
  options: Conv2dBackwardInputOptions = {},
): GpuTensor {
  const g = convGeometry(INPUT, inputShape, w.shape, options);
  const of = `input ${formatShape(inputShape)} and weight ${formatShape(w.shape)}`;
  const out = convResult(gpu, INPUT, g, { dy: { tensor: dy, of }, shape: inputShape, channels: g.C, inputs: [dy, w] }, options);
  const act = activationCode(INPUT, options.activation);
  const plain = !options.bias && !options.scale && act === 0;
  if (!options.general && isPointwise(g) && g.H * g.W === 1) {
    // dx[n, c] = Σ_co dy[n, co] w[co, c]
    gemm(gpu, { ...dy, shape: [g.N, g.Cout] }, { ...w, shape: [g.Cout, g.C] }, { ...gemmRoute(options), channelAxis: 'column', out: { ...out, shape: [g.N, g.C] } });
    return out;
  }
  if (!options.general && isPointwise(g)) {
    gemm(gpu, { ...w, shape: [g.Cout, g.C] }, { ...dy, shape: [g.N, g.Cout, g.H * g.W] }, { ...gemmRoute(options), transposeA: true, out: { ...out, shape: [g.N, g.C, g.H * g.W] } });
    return out;
  }
  if (!options.general && plain && depthwiseFastPath(g)) return depthwiseConv2dBackwardInput(gpu, dy, w, inputShape, { ...options, out });
  // col2im(Wᵀ · dy) has no epilogue: convTranspose2d's fused bias / activation stay on the phase kernel.
  const plan = options.general || !plain ? null : im2colPlan(gpu, g, options);
  if (plan) {
    conv2dBackwardInputIm2col(gpu, dy, w, g, out, plan, options.variant);
    return out;
  }
  const { rows, cols, maxRows, maxCols, phases, stepH, stepW } = inputGradientPhases(INPUT, g);
  checkIndexRange(INPUT, { 'Cout / groups · KH · KW': g.Cog * g.KH * g.KW, 'H · W': g.H * g.W });
  const tile = chooseTile(gpu, INPUT, g.Cig, maxRows * maxCols, implicitGemmVariant(INPUT, options.variant ?? gpu.deviceProfile.conv));
  const uniforms = CONV2D_INPUT_PARAMS.write(
    geometryValues(g, {
      phases,
      step_h: stepH,
      step_w: stepW,
      flags: epilogueFlags({ scale: Boolean(options.scale), shift: Boolean(options.bias), act }),
      rows,
      cols,
    }),
  );
  gpu.dispatch({
    kernel: gemmModule(INPUT, CONV2D_BACKWARD_INPUT_HEADER_WGSL, tile),
    uniforms,
    tensors: [dy, w, options.scale ?? w, options.bias ?? w, out],
    workgroups: tileGrid(gpu, INPUT, tile, g.Cig, maxRows * maxCols, g.N * g.groups * phases),
  });
  return out;
}

/** The longest chunk of N·OH·OW one workgroup sums (float32 accuracy). */
const MAX_CHUNK = 16384;
const MAX_SPLITS = 256;

export function weightSplits(gpu: Gpu, tiles: number, total: number, bk: number, requested: number | undefined): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new KernelArgumentError(`${WEIGHT}: splits must be a positive integer, got ${requested}`);
    return requested;
  }
  const target = gpu.deviceProfile.weightTargetWorkgroups;
  const forParallelism = Math.ceil(target / tiles);
  const forAccuracy = Math.ceil(total / MAX_CHUNK);
  return Math.max(1, Math.min(MAX_SPLITS, Math.ceil(total / (4 * bk)), Math.max(forParallelism, forAccuracy)));
}

/** dL/dw for y = conv2d(x, w): x [N, C, H, W], dy [N, Cout, OH, OW] → dw with `weightShape` [Cout, C / groups, KH, KW]. */
export function conv2dBackwardWeight(
  gpu: Gpu,
  x: GpuTensor,
  dy: GpuTensor,
  weightShape: readonly number[],
  options: Conv2dBackwardWeightOptions = {},
): GpuTensor {
  const g = convGeometry(WEIGHT, x.shape, weightShape, options);
  const of = `x ${formatShape(x.shape)} and weight ${formatShape(weightShape)}`;
  const out = convResult(gpu, WEIGHT, g, { dy: { tensor: dy, of }, shape: weightShape, channels: g.Cout, inputs: [x, dy] }, { out: options.out });
  if (!options.general && options.splits === undefined && isPointwise(g)) {
    // dw[co, c] = Σ_n dy[n] [Cout, HW] · x[n]ᵀ [HW, C]: one gemm summed over the batch (and split along HW).
    const pixels = g.H * g.W;
    if (pixels === 1) {
      gemm(gpu, { ...dy, shape: [g.N, g.Cout] }, { ...x, shape: [g.N, g.C] }, { transposeA: true, out: { ...out, shape: [g.Cout, g.C] }, variant: options.variant });
    } else {
      gemm(gpu, { ...dy, shape: [g.N, g.Cout, pixels] }, { ...x, shape: [g.N, g.C, pixels] }, {
        transposeB: true,
        sumBatch: true,
        out: { ...out, shape: [g.Cout, g.C] },
        variant: options.variant,
      });
    }
    return out;
  }
  if (!options.general && options.splits === undefined && depthwiseFastPath(g)) {
    return depthwiseConv2dBackwardWeight(gpu, x, dy, weightShape, { ...options, out });
  }
  const plan = options.general || options.splits !== undefined ? null : im2colPlan(gpu, g, options);
  if (plan) {
    conv2dBackwardWeightIm2col(gpu, x, dy, g, out, plan, options.variant);
    return out;
  }
  return implicitWeightGradient(gpu, x, dy, g, out, options.splits, options.variant);
}

function implicitWeightGradient(
  gpu: Gpu,
  x: GpuTensor,
  dy: GpuTensor,
  g: ConvGeometry,
  out: GpuTensor,
  requested: number | undefined,
  variant: GemmVariant | undefined,
): GpuTensor {
  const total = g.N * g.OH * g.OW;
  const columns = g.Cig * g.KH * g.KW;
  checkIndexRange(WEIGHT, { 'N · OH · OW': total, 'C / groups · KH · KW': columns });
  const tile = chooseTile(gpu, WEIGHT, g.Cog, columns, implicitGemmVariant(WEIGHT, variant ?? gpu.deviceProfile.conv));
  const tiles = Math.ceil(g.Cog / tileRows(tile)) * Math.ceil(columns / tileCols(tile)) * g.groups;
  const fit = Math.max(1, Math.floor(gpu.limits.maxStorageBufferBindingSize / (4 * numel(out.shape))));
  let splits = Math.min(weightSplits(gpu, tiles, total, tile.bk, requested), requested ?? fit);
  const chunk = Math.ceil(Math.ceil(total / splits) / tile.bk) * tile.bk;
  splits = Math.ceil(total / chunk);
  const size = numel(out.shape);
  const target = splits > 1 ? gpu.empty([splits, size], `${WEIGHT} partial`) : out;
  gpu.dispatch({
    kernel: gemmModule(WEIGHT, CONV2D_BACKWARD_WEIGHT_HEADER_WGSL, tile),
    uniforms: CONV2D_WEIGHT_PARAMS.write(geometryValues(g, { splits, k_chunk: chunk, k_total: total })),
    tensors: [dy, x, target],
    workgroups: tileGrid(gpu, WEIGHT, tile, g.Cog, columns, g.groups * splits),
  });
  if (splits > 1) {
    reduce(gpu, 'sum', target, { axes: [0], out: { ...out, shape: [size] } });
    gpu.release(target);
  }
  return out;
}

/** dL/dbias = sum of dy over N, OH, OW: [Cout]. */
export function conv2dBackwardBias(gpu: Gpu, dy: GpuTensor, out?: GpuTensor): GpuTensor {
  if (dy.shape.length !== 4) throw new KernelArgumentError(`${BIAS}: expects dy [N, Cout, OH, OW], got ${formatShape(dy.shape)}`);
  return reduce(gpu, 'sum', dy, { axes: [0, 2, 3], out: out ?? gpu.empty([dy.shape[1]!], BIAS) });
}
