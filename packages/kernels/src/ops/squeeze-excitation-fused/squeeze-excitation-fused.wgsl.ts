import { d } from 'typegpu';
import { SIGMOID_WGSL } from '../../wgsl/sigmoid.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';
import { workgroupRowMainWgsl } from '../../wgsl/workgroup-reduce.wgsl.js';

/** The excitation MLP's sizes: `images` images, `channels` channels squeezed to `reduced` (the training kernels' too). */
export const SE_GATE_PARAMS = paramsStruct('Params', { images: d.u32, channels: d.u32, reduced: d.u32 });

/** The largest reduced width R: the hidden layer lives in workgroup memory. */
export const MAX_REDUCED = 256;

/** The excitation MLP's tensors w1 [R, C], b1 [R], w2 [C, R], b2 [C], bound in this order (here and in training). */
export const SE_MLP_BINDINGS: readonly string[] = ['w1', 'b1', 'w2', 'b2'];

/**
 * The MLP's two matrix-vector products for image n, whose pooled row starts at `row` (lanes call them per r or c):
 *   hidden_input(row, r) = u[r] = b1[r] + Σ_c w1[r, c]·pooled[row + c]
 *   gate_input(c)        = a[c] = b2[c] + Σ_r w2[c, r]·hidden[r]        (hidden: h = silu(u) in workgroup memory)
 */
export const SE_MLP_WGSL = /* wgsl */ `
const MAX_REDUCED: u32 = ${MAX_REDUCED}u;
var<workgroup> hidden: array<f32, MAX_REDUCED>;

fn hidden_input(row: u32, r: u32) -> f32 {
  var u = b1[r];
  for (var c = 0u; c < params.channels; c++) {
    u = fma(w1[r * params.channels + c], pooled[row + c], u);
  }
  return u;
}

fn gate_input(c: u32) -> f32 {
  var a = b2[c];
  for (var r = 0u; r < params.reduced; r++) {
    a = fma(w2[c * params.reduced + r], hidden[r], a);
  }
  return a;
}
`;

/**
 * The entry point of a per-image SE kernel: workgroup (x, y) of a folded grid takes image n = x + y·groups.x; the body
 * sees n, lane, C, R and row = n·C (image n's first pooled value).
 */
export function seImageEntryWgsl(body: string): string {
  return workgroupRowMainWgsl(
    'n',
    /* wgsl */ `
  // n is uniform over the workgroup, so the early return keeps the barriers in uniform control flow.
  if (n >= params.images) { return; }
  let C = params.channels;
  let R = params.reduced;
  let row = n * C;
${body}`,
  );
}

/**
 * The excitation MLP of squeeze-and-excitation for one image per workgroup, in one dispatch (inference):
 *   pooled: [N, C]; w1: [R, C]; b1: [R]; w2: [C, R]; b2: [C]  →  gate: [N, C]
 *   h[n, r]    = silu(b1[r] + Σ_c w1[r, c]·pooled[n, c])          (lanes over r; h kept in workgroup memory)
 *   gate[n, c] = σ(b2[c] + Σ_r w2[c, r]·h[n, r])                  (lanes over c)
 * Workgroup (x, y) of a folded grid takes image n = x + y·groups.x. R ≤ MAX_REDUCED.
 */
export const SE_GATE_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 64u;

${SE_GATE_PARAMS.wgsl}

${bindingsWgsl(['pooled', ...SE_MLP_BINDINGS, output('gate')])}${SE_MLP_WGSL}${SIGMOID_WGSL}
${seImageEntryWgsl(/* wgsl */ `
  for (var r = lane; r < R; r += WORKGROUP_SIZE) {
    let u = hidden_input(row, r);
    hidden[r] = u * sigmoid(u);
  }
  workgroupBarrier();
  for (var c = lane; c < C; c += WORKGROUP_SIZE) {
    gate[row + c] = sigmoid(gate_input(c));
  }
`)}`;
