/**
 * Dense convolutions (groups 1, kernel larger than 1x1) as an explicit im2col buffer and a gemm on the profile's GEMM
 * core, the device profile's `convIm2col` route (the implicit-GEMM kernels run on the tiled core only):
 *   forward          cols[n] = im2col(x[n]) [K, P],  y[n] = act(scale ⊙ W [Cout, K] · cols[n] + bias)
 *   input gradient   dcols[n] = Wᵀ [K, Cout] · dy[n] [Cout, P],  dx[n] = col2im(dcols[n])   (Wᵀ copied once: the gemm
 *                    cores read an operand whose K is its row axis faster than a transposed one)
 *   weight gradient  dW [Cout, K] = Σ_n dy[n] [Cout, P] · cols[n]ᵀ [P, K]
 * with K = C·KH·KW and P = OH·OW. The cols buffer is 4·K·P bytes per image: the batch runs in chunks of images whose
 * cols fit IM2COL_BUDGET_BYTES (and one storage binding); a convolution whose single image does not fit declines
 * (null plan) and takes the implicit kernels, as do grouped convolutions (one weight per group is not a batched gemm).
 */
import type { Gpu } from '../../runtime/gpu.js';
import { numel, type GpuTensor } from '../../runtime/tensor.js';
import type { GemmVariant } from '../../device/profile.js';
import { col2im } from '../col2im/col2im.js';
import { gemm } from '../gemm/gemm.js';
import type { Activation } from '../gemm/tiles.js';
import { im2col } from '../im2col/im2col.js';
import { reduce } from '../reduce/reduce.js';
import { transpose01 } from '../transpose/transpose.js';
import type { ConvGeometry } from './conv2d-geometry.js';

/** The largest cols buffer the route allocates (per chunk of images). */
export const IM2COL_BUDGET_BYTES = 64 * 1024 * 1024;

export interface Im2colChoice {
  /** Take the im2col route where it applies (true) or never (false); the device profile's `convIm2col` when omitted. */
  im2col?: boolean;
  /** Bytes of cols per chunk (default IM2COL_BUDGET_BYTES, at most maxStorageBufferBindingSize); tests force chunks. */
  im2colBudget?: number;
}

export interface Im2colPlan {
  /** Images per chunk. */
  readonly images: number;
  /** Rows of cols: C·KH·KW. */
  readonly K: number;
  /** Output pixels: OH·OW. */
  readonly P: number;
}

/** The route's chunking for geometry g, or null where it declines (off, grouped, 1x1, one image over the budget). */
export function im2colPlan(gpu: Gpu, g: ConvGeometry, choice: Im2colChoice): Im2colPlan | null {
  if (!(choice.im2col ?? gpu.deviceProfile.convIm2col)) return null;
  if (g.groups !== 1 || g.KH * g.KW === 1) return null;
  const K = g.C * g.KH * g.KW;
  const P = g.OH * g.OW;
  const budget = Math.min(choice.im2colBudget ?? IM2COL_BUDGET_BYTES, gpu.limits.maxStorageBufferBindingSize);
  const images = Math.min(g.N, Math.floor(budget / (4 * K * P)));
  // im2col and col2im index rows and vec4 groups through float32 division (below 2^24).
  if (images < 1 || images * K > 2 ** 24 || (images * K * P) / 4 > 2 ** 24 || images * g.C * g.H > 2 ** 24) return null;
  return { images, K, P };
}

/**
 * Images [n0, n0 + n) of an [N, ...] tensor as a view when its offset is a valid binding offset, else as a copy
 * (`copied`: the caller releases it, or for an output copies it back).
 */
function imageSlice(gpu: Gpu, tensor: GpuTensor, n0: number, n: number, read: boolean): { view: GpuTensor; copied: boolean } {
  const per = numel(tensor.shape) / tensor.shape[0]!;
  const shape = [n, ...tensor.shape.slice(1)];
  const offset = (tensor.offset ?? 0) + n0 * per;
  const view: GpuTensor = { ...tensor, shape, offset };
  if (n === tensor.shape[0] || (offset * 4) % gpu.limits.minStorageBufferOffsetAlignment === 0) return { view, copied: false };
  const copy = gpu.empty(shape, 'conv2d im2col slice');
  if (read) gpu.copy(view, copy);
  return { view: copy, copied: true };
}

/** Runs `body` on each chunk of images [n0, n0 + n). */
function forChunks(N: number, images: number, body: (n0: number, n: number) => void): void {
  for (let n0 = 0; n0 < N; n0 += images) body(n0, Math.min(images, N - n0));
}

export interface Im2colForwardOptions {
  bias?: GpuTensor;
  scale?: GpuTensor;
  activation?: Activation;
  variant?: GemmVariant;
}

/** y = act(scale ⊙ conv2d(x, w) + bias) into `out` [N, Cout, OH, OW]. */
export function conv2dIm2col(gpu: Gpu, x: GpuTensor, w: GpuTensor, g: ConvGeometry, out: GpuTensor, plan: Im2colPlan, options: Im2colForwardOptions): void {
  const { images, K, P } = plan;
  const cols = gpu.empty([images, K, P], 'conv2d im2col');
  const conv = { stride: [g.sh, g.sw] as const, padding: [g.pl, g.pr, g.pt, g.pb] as const, dilation: [g.dh, g.dw] as const };
  forChunks(g.N, images, (n0, n) => {
    const xs = imageSlice(gpu, x, n0, n, true);
    const ys = imageSlice(gpu, out, n0, n, false);
    const chunk = { ...cols, shape: [n, K, P] };
    im2col(gpu, xs.view, [g.KH, g.KW], { ...conv, out: chunk });
    gemm(gpu, { ...w, shape: [g.Cout, K] }, chunk, { ...options, out: { ...ys.view, shape: [n, g.Cout, P] }, splitK: 1 });
    if (xs.copied) gpu.release(xs.view);
    if (ys.copied) {
      gpu.copy(ys.view, { ...out, shape: ys.view.shape, offset: (out.offset ?? 0) + n0 * g.Cout * P });
      gpu.release(ys.view);
    }
  });
  gpu.release(cols);
}

/** dx = col2im(Wᵀ · dy) into `out` [N, C, H, W]. */
export function conv2dBackwardInputIm2col(gpu: Gpu, dy: GpuTensor, w: GpuTensor, g: ConvGeometry, out: GpuTensor, plan: Im2colPlan, variant?: GemmVariant): void {
  const { images, K, P } = plan;
  const dcols = gpu.empty([images, K, P], 'conv2dBackwardInput dcols');
  const wt = transpose01(gpu, w, [g.Cout, K, 1]);
  const conv = { stride: [g.sh, g.sw] as const, padding: [g.pl, g.pr, g.pt, g.pb] as const, dilation: [g.dh, g.dw] as const };
  forChunks(g.N, images, (n0, n) => {
    const dys = imageSlice(gpu, dy, n0, n, true);
    const dxs = imageSlice(gpu, out, n0, n, false);
    const chunk = { ...dcols, shape: [n, K, P] };
    gemm(gpu, { ...wt, shape: [K, g.Cout] }, { ...dys.view, shape: [n, g.Cout, P] }, { out: chunk, splitK: 1, variant });
    col2im(gpu, chunk, dxs.view.shape, [g.KH, g.KW], { ...conv, out: dxs.view });
    if (dys.copied) gpu.release(dys.view);
    if (dxs.copied) {
      gpu.copy(dxs.view, { ...out, shape: dxs.view.shape, offset: (out.offset ?? 0) + n0 * g.C * g.H * g.W });
      gpu.release(dxs.view);
    }
  });
  gpu.release(dcols);
  gpu.release(wt);
}

/** dW = Σ_n dy[n] · cols[n]ᵀ into `out` [Cout, C, KH, KW]; chunks' partial sums are added by `reduce`. */
export function conv2dBackwardWeightIm2col(gpu: Gpu, x: GpuTensor, dy: GpuTensor, g: ConvGeometry, out: GpuTensor, plan: Im2colPlan, variant?: GemmVariant): void {
  const { images, K, P } = plan;
  const chunks = Math.ceil(g.N / images);
  const size = g.Cout * K;
  const cols = gpu.empty([images, K, P], 'conv2dBackwardWeight im2col');
  const partials = chunks > 1 ? gpu.empty([chunks, size], 'conv2dBackwardWeight im2col partial') : null;
  const conv = { stride: [g.sh, g.sw] as const, padding: [g.pl, g.pr, g.pt, g.pb] as const, dilation: [g.dh, g.dw] as const };
  forChunks(g.N, images, (n0, n) => {
    const xs = imageSlice(gpu, x, n0, n, true);
    const dys = imageSlice(gpu, dy, n0, n, true);
    const chunk = { ...cols, shape: [n, K, P] };
    im2col(gpu, xs.view, [g.KH, g.KW], { ...conv, out: chunk });
    const target = partials ? gpu.empty([g.Cout, K], 'conv2dBackwardWeight im2col chunk') : { ...out, shape: [g.Cout, K] };
    if (n === 1) {
      gemm(gpu, { ...dys.view, shape: [g.Cout, P] }, { ...chunk, shape: [K, P] }, { transposeB: true, out: target, variant });
    } else {
      gemm(gpu, { ...dys.view, shape: [n, g.Cout, P] }, chunk, { transposeB: true, sumBatch: true, out: target, variant });
    }
    if (partials) {
      gpu.copy(target, { ...partials, shape: [size], offset: (n0 / images) * size });
      gpu.release(target);
    }
    if (xs.copied) gpu.release(xs.view);
    if (dys.copied) gpu.release(dys.view);
  });
  gpu.release(cols);
  if (partials) {
    reduce(gpu, 'sum', partials, { axes: [0], out: { ...out, shape: [size] } });
    gpu.release(partials);
  }
}
