import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';
import { workgroupReduceWgsl } from '../../wgsl/workgroup-reduce.wgsl.js';

/** Shape and strides of up to 8 kept and 8 reduced axes, each list in two vec4 slots (uniform arrays have a 16-byte stride). */
const REDUCE_AXES_FIELDS = {
  kept_shape: d.arrayOf(d.vec4u, 2),
  kept_strides: d.arrayOf(d.vec4u, 2),
  reduced_shape: d.arrayOf(d.vec4u, 2),
  reduced_strides: d.arrayOf(d.vec4u, 2),
};
export const REDUCE_PARAMS = paramsStruct('Params', {
  outer: d.u32,
  inner: d.u32,
  chunks: d.u32,
  kept_rank: d.u32,
  reduced_rank: d.u32,
  scale: d.f32,
  ...REDUCE_AXES_FIELDS,
});
/** The plane kernel: REDUCE_PARAMS' shapes and strides, with the innermost reduced run and the segments a lane reads. */
export const REDUCE_PLANE_PARAMS = paramsStruct('Params', {
  outer: d.u32,
  inner: d.u32,
  run: d.u32,
  splits: d.u32,
  segment: d.u32,
  kept_rank: d.u32,
  reduced_rank: d.u32,
  scale: d.f32,
  ...REDUCE_AXES_FIELDS,
});
export const REDUCE_LEADING_PARAMS = paramsStruct('Params', { count: d.u32, start: d.u32, rows: d.u32, scale: d.f32 });

/** kept_offset(o), reduced_offset(r): a flat output / reduced index to an element offset through Params' (shape, strides). */
const OFFSETS_WGSL = /* wgsl */ `
fn kept_offset(o: u32) -> u32 {
  var rest = o;
  var offset = 0u;
  for (var axis = i32(params.kept_rank) - 1; axis >= 0; axis--) {
    let size = params.kept_shape[axis / 4][axis % 4];
    offset += (rest % size) * params.kept_strides[axis / 4][axis % 4];
    rest = rest / size;
  }
  return offset;
}

fn reduced_offset(r: u32) -> u32 {
  var rest = r;
  var offset = 0u;
  for (var axis = i32(params.reduced_rank) - 1; axis >= 0; axis--) {
    let size = params.reduced_shape[axis / 4][axis % 4];
    offset += (rest % size) * params.reduced_strides[axis / 4][axis % 4];
    rest = rest / size;
  }
  return offset;
}
`;

/** OP's identity and combine (0 sum, 1 max) on f32 and on vec4<f32>, and fold4: the combine of a vec4's four values. */
const REDUCE_OP_WGSL = /* wgsl */ `
fn identity() -> f32 {
  return select(0.0, -3.4028234663852886e38, OP == 1u);
}

fn combine(u: f32, v: f32) -> f32 {
  return select(u + v, max(u, v), OP == 1u);
}

fn combine_vec4(u: vec4<f32>, v: vec4<f32>) -> vec4<f32> {
  return select(u + v, max(u, v), OP == 1u);
}

fn fold4(v: vec4<f32>) -> f32 {
  return select((v.x + v.y) + (v.z + v.w), max(max(v.x, v.y), max(v.z, v.w)), OP == 1u);
}
`;

/**
 * WGSL statements adding `value` into the running `acc`: max, or a Kahan-compensated sum (`compensation` its running
 * correction), as OP says. Every pass that folds values one at a time uses it.
 */
const foldStep = (value: string, indent: string): string =>
  [
    'if (OP == 1u) {',
    `  acc = max(acc, ${value});`,
    '} else {',
    `  let term = ${value} - compensation;`,
    '  let next = acc + term;',
    '  compensation = (next - acc) - term;',
    '  acc = next;',
    '}',
  ]
    .map((line) => indent + line)
    .join('\n');

export const REDUCE_WGSL = /* wgsl */ `
// One pass of a tree reduction.
// x viewed as [outer, inner]: output o reads x at kept(o) + reduced(r), r in [0, inner), where kept and reduced
// map a flat index to an offset through (shape, strides) of rank <= 8.
// Workgroup (c, o) reduces r in [c * CHUNK, (c + 1) * CHUNK), CHUNK = WORKGROUP_SIZE * PER_THREAD, and writes
// partial[o * chunks + c]; the last pass has chunks = 1 and multiplies by scale (1/inner for mean).
// OP: 0 sum, 1 max.
override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;
override PER_THREAD: u32 = 8u;

${REDUCE_PARAMS.wgsl}

${bindingsWgsl(['x', output('partial')])}${REDUCE_OP_WGSL}
${workgroupReduceWgsl({ name: 'workgroup_combine', combine: (a, b) => `combine(${a}, ${b})`, reusable: false })}
${OFFSETS_WGSL}${FLAT_INDEX_WGSL}
// Few elements per output (inner <= SERIAL_LIMIT): one thread per output, Kahan-compensated, one pass. The innermost
// reduced axis (size S, stride t) is walked by adding t; reduced_offset runs once per row of S elements.
@compute @workgroup_size(WORKGROUP_SIZE)
fn serial(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = flat_index(gid, groups, WORKGROUP_SIZE);
  if (o >= params.outer) { return; }
  let base = kept_offset(o);
  let last = params.reduced_rank - 1u;
  let row_size = params.reduced_shape[last / 4u][last % 4u];
  let step = params.reduced_strides[last / 4u][last % 4u];
  var row = base + reduced_offset(0u);
  var q = 0u;
  var acc = identity();
  var compensation = 0.0;
  for (var r = 0u; r < params.inner; r++) {
    let v = x[row + q * step];
${foldStep('v', '    ')}
    q++;
    if (q == row_size && r + 1u < params.inner) {
      q = 0u;
      row = base + reduced_offset(r + 1u);
    }
  }
  partial[o] = acc * params.scale;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let o = group.y;
  let c = group.x;
  let valid = o < params.outer;
  let base = select(0u, kept_offset(o), valid);
  // Per-thread strided partial, compensated (Kahan) for sums.
  var acc = identity();
  var compensation = 0.0;
  let start = c * WORKGROUP_SIZE * PER_THREAD + lane;
  for (var k = 0u; k < PER_THREAD; k++) {
    let r = start + k * WORKGROUP_SIZE;
    if (valid && r < params.inner) {
      let v = x[base + reduced_offset(r)];
${foldStep('v', '      ')}
    }
  }
  let total = workgroup_combine(lane, acc);
  if (lane == 0u && valid) {
    partial[o * params.chunks + c] = total * params.scale;
  }
}
`;

/**
 * acc = op over rows r of `load(r)` (r = 0 first), in the type `type`: max, or a Kahan-compensated sum. Both leading-axis
 * entry points run it, on vec4<f32> or f32.
 */
const leadingFold = (type: string, load: (row: string) => string): string => `
  var acc = ${load('0u')};
  var compensation = ${type}(0.0);
  for (var r = 1u; r < params.rows; r++) {
    let value = ${load('r')};
${foldStep('value', '    ')}
  }`;

/**
 * Reduction over the leading axis of a contiguous [rows, count] view (split-K partial products, per-channel sums of
 * [N, C, 1, 1]): y[i] = scale · op_{r < rows} x[r · count + i], Kahan-compensated for sums, r ascending.
 */
export const REDUCE_LEADING_WGSL = /* wgsl */ `
// main4: lane v takes outputs 4v .. 4v+3 (x4, y4: the same buffers as vec4<f32>; count divides by 4, so every row
//        starts on a vec4), v < count / 4.
// main:  lane takes output i in [start, count).
// OP: 0 sum, 1 max.
override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

${REDUCE_LEADING_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, output('y', 'y4')],
  vector: `let width = params.count / 4u;${leadingFold('vec4<f32>', (row) => `x4[${row} * width + v]`)}
  y4[v] = acc * params.scale;`,
  scalar: `${leadingFold('f32', (row) => `x[${row} * params.count + i]`)}
  y[i] = acc * params.scale;`,
})}`;

/**
 * One lane entry point of the plane kernel over elements of `width` floats (`type`: f32 or vec4<f32>, view `array`).
 * Lane l = o·splits + s folds the reduced indices [s·segment, min((s + 1)·segment, inner)) of output o: the reduced
 * index r = row·run + q (run: the innermost reduced axis, contiguous) sits at kept(o) + reduced(row·run) + q. Each run
 * is folded in blocks of BLOCK loads whose results are then combined (sum error ~ (BLOCK + loads/BLOCK)·ε).
 */
function planeEntry(name: string, type: string, width: number, array: string): string {
  const combine = type === 'f32' ? 'combine' : 'combine_vec4';
  return `
@compute @workgroup_size(WORKGROUP_SIZE)
fn ${name}(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let lane = flat_index(gid, groups, WORKGROUP_SIZE);
  if (lane >= params.outer * params.splits) { return; }
  let o = lane / params.splits;
  let s = lane - o * params.splits;
  let base = kept_offset(o);
  let run = params.run / ${width}u;
  let end = min((s + 1u) * params.segment, params.inner) / ${width}u;
  var acc = ${type}(identity());
  var j = s * params.segment / ${width}u;
  loop {
    if (j >= end) { break; }
    let row = j / run;
    let first = j - row * run;
    let last = min(run, first + (end - j));
    let at = (base + reduced_offset(row * params.run)) / ${width}u;
    for (var q = first; q < last; q += BLOCK) {
      var block = ${type}(identity());
      let stop = min(q + BLOCK, last);
      for (var k = q; k < stop; k++) {
        block = ${combine}(block, ${array}[at + k]);
      }
      acc = ${combine}(acc, block);
    }
    j += last - first;
  }
  partial[lane] = ${type === 'f32' ? 'acc' : 'fold4(acc)'} * params.scale;
}
`;
}

/**
 * Reduction whose innermost reduced axis is contiguous (a plane of H·W per (n, c), runs of H·W per channel), with one
 * lane per (output, segment) and no workgroup memory or barrier: partial[o·splits + s] = scale · op over the segment
 * s of output o's reduced indices. With splits > 1 a second pass (the serial kernel over [outer, splits]) combines
 * the segments. OP: 0 sum, 1 max.
 * plane4: vec4 loads (run, segment and every offset divide by 4); plane: f32 loads.
 */
export const REDUCE_PLANE_WGSL = /* wgsl */ `
override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;
const BLOCK: u32 = 64u;

${REDUCE_PLANE_PARAMS.wgsl}

${bindingsWgsl([{ name: 'x', view4: 'x4' }, output('partial')])}${REDUCE_OP_WGSL}${OFFSETS_WGSL}${FLAT_INDEX_WGSL}${planeEntry('plane4', 'vec4<f32>', 4, 'x4')}${planeEntry('plane', 'f32', 1, 'x')}`;
