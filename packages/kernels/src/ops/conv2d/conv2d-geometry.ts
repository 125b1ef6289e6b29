/**
 * Geometry of a 2-D convolution (NCHW, weight [Cout, C / groups, KH, KW]) shared by the conv2d, depthwise and
 * conv-transpose2d launchers: option normalisation, validation with KernelArgumentError, output size, and the
 * uniform fields every convolution kernel starts its Params struct with.
 *
 *   y[n, co, oh, ow] = sum_{ci, kh, kw} w[co, ci, kh, kw] x[n, g Cig + ci, oh sh + kh dh - pt, ow sw + kw dw - pl]
 *   with g = co / Cog, out-of-range input reads as 0; OH = floor((H + pt + pb - dh (KH - 1) - 1) / sh) + 1.
 */
import { d } from 'typegpu';
import { KernelArgumentError } from '../../device/errors.js';
import type { ParamsValues } from '../../runtime/params.js';
import { formatShape } from '../../runtime/tensor.js';

/**
 * Zero padding: one number for all four sides, [vertical, horizontal] (PyTorch conv2d), or [left, right, top, bottom]
 * (PyTorch F.pad order), e.g. [0, 1, 0, 1] for EfficientNet's static-same stride-2 3x3.
 */
export type Padding = number | readonly [number, number] | readonly [number, number, number, number];

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
}

export interface ConvGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  Cout: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pb: number;
  pl: number;
  pr: number;
  groups: number;
  /** Input channels per group (the weight's second dimension). */
  Cig: number;
  /** Output channels per group. */
  Cog: number;
}

function pair(kernel: string, label: string, value: number | readonly [number, number] | undefined, fallback: number): [number, number] {
  const [a, b] = typeof value === 'number' || value === undefined ? [value ?? fallback, value ?? fallback] : value;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a! < 1 || b! < 1) {
    throw new KernelArgumentError(`${kernel}: ${label} must be positive integers, got ${JSON.stringify(value)}`);
  }
  return [a!, b!];
}

/** [top, bottom, left, right] from any Padding form. */
export function normalizePadding(kernel: string, padding: Padding | undefined): [number, number, number, number] {
  let sides: number[];
  if (padding === undefined || typeof padding === 'number') sides = Array(4).fill(padding ?? 0);
  else if (padding.length === 2) sides = [padding[0], padding[0], padding[1], padding[1]];
  else if (padding.length === 4) sides = [padding[2], padding[3], padding[0], padding[1]];
  else sides = [];
  if (sides.length !== 4 || sides.some((side) => !Number.isInteger(side) || side < 0)) {
    throw new KernelArgumentError(
      `${kernel}: padding must be a non-negative integer, [vertical, horizontal] or [left, right, top, bottom]; got ${JSON.stringify(padding)}`,
    );
  }
  return sides as [number, number, number, number];
}

/** Validates x [N, C, H, W] and w [Cout, C / groups, KH, KW] and returns the geometry (throws naming the shapes). */
export function convGeometry(
  kernel: string,
  xShape: readonly number[],
  wShape: readonly number[],
  options: Conv2dOptions = {},
): ConvGeometry {
  const shapes = `x ${formatShape(xShape)} and weight ${formatShape(wShape)}`;
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new KernelArgumentError(`${kernel}: expects x [N, C, H, W] and weight [Cout, C / groups, KH, KW]; got ${shapes}`);
  }
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [Cout, Cig, KH, KW] = wShape as [number, number, number, number];
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new KernelArgumentError(`${kernel}: groups must be a positive integer, got ${groups}`);
  if (C % groups !== 0 || Cout % groups !== 0) {
    throw new KernelArgumentError(`${kernel}: groups = ${groups} must divide the input channels ${C} and the output channels ${Cout} (${shapes})`);
  }
  if (Cig !== C / groups) {
    throw new KernelArgumentError(
      `${kernel}: channel mismatch: weight has ${Cig} input channels per group, x has ${C} channels in ${groups} group(s) ` +
        `(${C / groups} per group) (${shapes})`,
    );
  }
  if (KH < 1 || KW < 1) throw new KernelArgumentError(`${kernel}: empty kernel in ${shapes}`);
  const [sh, sw] = pair(kernel, 'stride', options.stride, 1);
  const [dh, dw] = pair(kernel, 'dilation', options.dilation, 1);
  const [pt, pb, pl, pr] = normalizePadding(kernel, options.padding);
  const OH = Math.floor((H + pt + pb - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (KW - 1) - 1) / sw) + 1;
  if (OH < 1 || OW < 1) {
    throw new KernelArgumentError(
      `${kernel}: the output would be empty (${OH} x ${OW}): the padded input ${H + pt + pb} x ${W + pl + pr} is smaller ` +
        `than the dilated kernel ${dh * (KH - 1) + 1} x ${dw * (KW - 1) + 1} (${shapes})`,
    );
  }
  return { N, C, H, W, Cout, KH, KW, OH, OW, sh, sw, dh, dw, pt, pb, pl, pr, groups, Cig, Cog: Cout / groups };
}

export function outputShape(g: ConvGeometry): number[] {
  return [g.N, g.Cout, g.OH, g.OW];
}

/** The fields every convolution kernel's Params struct starts with (20 x u32; spread them first into paramsStruct). */
export const CONV_GEOMETRY_FIELDS = {
  N: d.u32, C: d.u32, H: d.u32, W: d.u32,
  Cout: d.u32, OH: d.u32, OW: d.u32, groups: d.u32,
  KH: d.u32, KW: d.u32, sh: d.u32, sw: d.u32,
  dh: d.u32, dw: d.u32, pt: d.u32, pl: d.u32,
  Cig: d.u32, Cog: d.u32, KHW: d.u32, OHW: d.u32,
};

/**
 * Integer division by a run-time divisor through float32 (exact for a < 2^24 after one correction each way): CPU
 * adapters scalarise vector integer division lane by lane, which made index math cost more than the arithmetic.
 */
export const FAST_DIVISION_WGSL = /* wgsl */ `
fn udiv(a: u32, d: u32) -> u32 {
  var q = u32(f32(a) / f32(d));
  q = select(q, q - 1u, q * d > a);
  q = select(q, q + 1u, (q + 1u) * d <= a);
  return q;
}
`;

/** Throws unless every index a kernel divides with FAST_DIVISION_WGSL stays below 2^24. */
export function checkIndexRange(kernel: string, extents: Record<string, number>): void {
  for (const [what, extent] of Object.entries(extents)) {
    if (extent > 2 ** 24) {
      throw new KernelArgumentError(`${kernel}: ${what} = ${extent} is over the 2^24 index range of its kernel; split the batch`);
    }
  }
}

/**
 * The values of CONV_GEOMETRY_FIELDS for `g` (KHW = KH·KW, OHW = OH·OW) with a kernel's own fields `rest` added
 * (Object.assign onto a fresh literal: spreading the 20 fields into a new object costs several times the write).
 */
export function geometryValues<Rest extends object>(g: ConvGeometry, rest: Rest): ParamsValues<typeof CONV_GEOMETRY_FIELDS> & Rest {
  const values = {
    N: g.N, C: g.C, H: g.H, W: g.W,
    Cout: g.Cout, OH: g.OH, OW: g.OW, groups: g.groups,
    KH: g.KH, KW: g.KW, sh: g.sh, sw: g.sw,
    dh: g.dh, dw: g.dw, pt: g.pt, pl: g.pl,
    Cig: g.Cig, Cog: g.Cog, KHW: g.KH * g.KW, OHW: g.OH * g.OW,
  };
  return Object.assign(values, rest);
}

/** Throws unless `tensor` has `shape`, naming the kernel, the role and both shapes. */
export function expectShape(kernel: string, role: string, actual: readonly number[], expected: readonly number[], context = ''): void {
  if (actual.length !== expected.length || actual.some((size, axis) => size !== expected[axis])) {
    throw new KernelArgumentError(
      `${kernel}: ${role} has shape ${formatShape(actual)}, expected ${formatShape(expected)}${context ? ` (${context})` : ''}`,
    );
  }
}
