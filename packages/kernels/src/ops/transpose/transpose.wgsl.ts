import { d } from 'typegpu';
import { paramsStruct } from '../../runtime/params.js';
import { output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';

export const TRANSPOSE_PARAMS = paramsStruct('Params', {
  count: d.u32,
  start: d.u32,
  outer: d.u32,
  middle: d.u32,
  inner: d.u32,
});

/**
 * x: [outer, middle, inner] -> y: [middle, outer, inner], y[b, a, i] = x[a, b, i] (torch.transpose(x, 0, 1) of the
 * 3-D view, made contiguous). Output element e = (b outer + a) inner + i.
 * main4: lane v takes y elements 4v .. 4v+3 through vec4 views; needs inner % 4 == 0 (the four share (a, b), and the
 *        source run x[a, b, i .. i+3] is 16-byte aligned).
 * main:  lane takes y element e in [start, count).
 */
export const TRANSPOSE_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 256u;

${TRANSPOSE_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, output('y', 'y4')],
  functions: /* wgsl */ `
fn source_index(e: u32) -> u32 {
  let i = e % params.inner;
  let rest = e / params.inner;
  let a = rest % params.outer;
  let b = rest / params.outer;
  return (a * params.middle + b) * params.inner + i;
}
`,
  vector: 'y4[v] = x4[source_index(4u * v) / 4u];',
  scalar: 'y[i] = x[source_index(i)];',
})}`;
