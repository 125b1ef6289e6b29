import { d } from 'typegpu';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { flatKernelWgsl } from '../../wgsl/flat.wgsl.js';
import { workgroupReduceWgsl, workgroupRowMainWgsl } from '../../wgsl/workgroup-reduce.wgsl.js';

export const SE_ROW_PARAMS = paramsStruct('Params', { rows: d.u32, hw: d.u32, divisor: d.f32 });
export const SE_SCALE_PARAMS = paramsStruct('Params', { count: d.u32, hw: d.u32, start: d.u32 });

/**
 * Row reduction shared by the pooling forward and the scale gradient: workgroup (x, y) of a folded grid takes row
 * r = x + y·groups.x of [rows, hw]; each lane keeps a Kahan-compensated sum of `term(r, s)` over s ≡ lane
 * (mod WORKGROUP_SIZE), then the lanes are added as a tree. out[r] = Σ_s term(r, s) / divisor.
 */
const ROW_SUM_WGSL = /* wgsl */ `
// Entry point main: one workgroup per row, per-lane Kahan runs, then a tree over the lanes.
override WORKGROUP_SIZE: u32 = 64u;

${SE_ROW_PARAMS.wgsl}

${workgroupReduceWgsl({ reusable: false })}
${workgroupRowMainWgsl('row', /* wgsl */ `
  var acc = 0.0;
  var compensation = 0.0;
  if (row < params.rows) {
    for (var s = lane; s < params.hw; s += WORKGROUP_SIZE) {
      let value = term(row * params.hw + s) - compensation;
      let next = acc + value;
      compensation = (next - acc) - value;
      acc = next;
    }
  }
  let total = workgroup_sum(lane, acc);
  if (lane == 0u && row < params.rows) {
    out[row] = total / params.divisor;
  }`)}
// The CPU adapters' form (entry point lane_rows): one invocation per row, no workgroup memory and no barrier. The
// run is summed in blocks of 64 values whose sums are then added (two-level: error ~ (64 + hw/64)·ε, where one
// serial run over 128² values lost 1e-6 relative; lavapipe's compiler folds away a Kahan compensation).
@compute @workgroup_size(WORKGROUP_SIZE)
fn lane_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (row >= params.rows) { return; }
  var acc = 0.0;
  for (var start = 0u; start < params.hw; start += 64u) {
    var block = 0.0;
    let end = min(start + 64u, params.hw);
    for (var s = start; s < end; s++) {
      block += term(row * params.hw + s);
    }
    acc += block;
  }
  out[row] = acc / params.divisor;
}
`;

export const GLOBAL_AVG_POOL_WGSL = /* wgsl */ `
// x: [N, C, H, W] as [rows = N·C, hw = H·W] -> out: [N, C], out[n, c] = Σ_hw x[n, c, h, w] / (H·W)
${bindingsWgsl(['x', output('out')])}
fn term(i: u32) -> f32 { return x[i]; }
${ROW_SUM_WGSL}`;

export const CHANNEL_SCALE_GRAD_WGSL = /* wgsl */ `
// dy, x: [N, C, H, W] as [rows = N·C, hw = H·W] -> ds: [N, C], ds[n, c] = Σ_hw dy[n, c, h, w]·x[n, c, h, w]
${bindingsWgsl(['dy', 'x', output('out')])}
fn term(i: u32) -> f32 { return dy[i] * x[i]; }
${ROW_SUM_WGSL}`;

export const CHANNEL_SCALE_WGSL = /* wgsl */ `
// x: [N, C, H, W], s: [N, C] -> y: [N, C, H, W], y[n, c, h, w] = x[n, c, h, w]·s[n, c]
// (also the backward dx = dy·s, with dy in place of x).
// main4 (H·W a multiple of 4): lane v takes elements 4v .. 4v+3 of one (n, c) through vec4<f32> views x4, y4;
// main: lane takes element i in [start, count).
override WORKGROUP_SIZE: u32 = 256u;

${SE_SCALE_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, 's', output('y', 'y4')],
  vector: 'y4[v] = x4[v] * s[4u * v / params.hw];',
  scalar: 'y[i] = x[i] * s[i / params.hw];',
})}`;

export const GLOBAL_AVG_POOL_BACKWARD_WGSL = /* wgsl */ `
// dy: [N, C] -> dx: [N, C, H, W], dx[n, c, h, w] = dy[n, c] / (H·W)
// main4 (H·W a multiple of 4): lane v writes elements 4v .. 4v+3 of one (n, c) through the vec4<f32> view dx4;
// main: lane writes element i in [start, count).
override WORKGROUP_SIZE: u32 = 256u;

${SE_SCALE_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: ['dy', output('dx', 'dx4')],
  vector: 'dx4[v] = vec4<f32>(dy[4u * v / params.hw] / f32(params.hw));',
  scalar: 'dx[i] = dy[i / params.hw] / f32(params.hw);',
})}`;
