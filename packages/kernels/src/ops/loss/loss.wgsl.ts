import { d } from 'typegpu';
import { FLAT_INDEX_WGSL } from '../../runtime/grid.js';
import { SIGMOID_WGSL } from '../../wgsl/sigmoid.wgsl.js';
import { workgroupReduceWgsl, workgroupRowMainWgsl } from '../../wgsl/workgroup-reduce.wgsl.js';
import { paramsStruct } from '../../runtime/params.js';
import { bindingsWgsl, output } from '../../wgsl/bindings.wgsl.js';

/** Partial sums: `groups` groups of `count` values (or rows of partial sums) each, every group in `chunks` chunks. */
export const LOSS_CHUNK_PARAMS = paramsStruct('Params', { count: d.u32, chunks: d.u32, groups: d.u32 });
/** `groups` Dice groups (1: the batch, N: each image) of `count` elements each. */
export const LOSS_PARAMS = paramsStruct('Params', { count: d.u32, groups: d.u32, bce_weight: d.f32, smoothing: d.f32 });
export const SEGMENTATION_METRICS_PARAMS = paramsStruct('Params', { images: d.u32, hw: d.u32 });

/**
 * Per-element terms of the loss, to a few ulp for any logit: σ(l) and σ(−l) from sigmoid_pair, and
 * log(1 + e^−|l|) = 2·atanh(s), s = e/(2 + e) ≤ 1/3, as its odd series (9 terms reach 2^−27), which does not depend
 * on the platform's log accuracy near 1.
 */
const LOSS_TERMS_WGSL = /* wgsl */ `${SIGMOID_WGSL}
fn log1p_unit(e: f32) -> f32 {
  let s = e / (2.0 + e);
  let z = s * s;
  var poly = 0.11764705882352941;
  poly = poly * z + 0.13333333333333333;
  poly = poly * z + 0.15384615384615385;
  poly = poly * z + 0.18181818181818182;
  poly = poly * z + 0.2222222222222222;
  poly = poly * z + 0.2857142857142857;
  poly = poly * z + 0.4;
  poly = poly * z + 0.6666666666666666;
  poly = poly * z + 2.0;
  return s * poly;
}

// max(l, 0) − l·t + log(1 + e^−|l|)
fn bce_term(l: f32, t: f32) -> f32 {
  return max(l, 0.0) - l * t + log1p_unit(exp_neg_abs(l));
}
`;

/**
 * The chunked-sum pass both LOSS_PARTIAL and LOSS_COMBINE run: workgroup `row` = g·chunks + k = x + y·groups.x of a
 * folded grid sums the vec4 terms of elements [k·CHUNK, (k + 1)·CHUNK) of group g (CHUNK = WORKGROUP_SIZE·PER_THREAD;
 * element i of group g at `base + i`, base = g·count); lanes hold strided partials, added as a tree of vec4, and lane 0
 * writes the row's total to `output[row]`. `term` adds element i's vec4 to `acc`.
 */
const chunkSumWgsl = (header: string, bindings: string, helpers: string, term: string, output: string): string => /* wgsl */ `
${header}
override WORKGROUP_SIZE: u32 = 256u;
override PER_THREAD: u32 = 8u;

${LOSS_CHUNK_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
${bindings}

${workgroupReduceWgsl({ type: 'vec4<f32>', reusable: false })}${helpers}
${workgroupRowMainWgsl('row', /* wgsl */ `
  let valid = row < params.chunks * params.groups;
  let chunk = row % params.chunks;
  let base = (row / params.chunks) * params.count;
  var acc = vec4<f32>(0.0);
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = chunk * WORKGROUP_SIZE * PER_THREAD + k * WORKGROUP_SIZE + lane;
    if (valid && i < params.count) {
${term}
    }
  }
  let total = workgroup_sum(lane, acc);
  if (lane == 0u && valid) {
    ${output}[row] = total;
  }`)}`;

export const LOSS_PARTIAL_WGSL = chunkSumWgsl(
  `// logits l, targets t: [groups, count] -> partial: [groups, chunks, 4]; row (g, k) sums over elements
// [k·CHUNK, (k + 1)·CHUNK) of group g of (p, t, p·t, bce) with p = σ(l), bce = max(l, 0) − l·t + log(1 + e^−|l|).`,
  `@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> truth: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<vec4<f32>>;`,
  LOSS_TERMS_WGSL,
  `      let l = logits[base + i];
      let t = truth[base + i];
      let p = sigmoid_pair(l).x;
      acc += vec4<f32>(p, t, p * t, bce_term(l, t));`,
  'partial',
);

export const LOSS_COMBINE_WGSL = chunkSumWgsl(
  `// partial: [groups, count, 4] -> out: [groups, chunks, 4], out[g, k] = Σ partial rows [k·CHUNK, (k + 1)·CHUNK) of
// group g, as in LOSS_PARTIAL.`,
  `@group(0) @binding(1) var<storage, read> partial: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;`,
  '',
  '      acc += partial[base + i];',
  'out',
);

export const LOSS_FINISH_WGSL = /* wgsl */ `
// sums: [groups, 4] = (Σp, Σt, Σp·t, Σbce) over each group's count elements -> loss: [3] = (w·bce + (1 − w)·dice,
// dice, bce) with dice = (1/groups)·Σ_g [1 − (2Σp·t + smooth)/(Σp + Σt + smooth)]_g, bce = Σ_g Σbce_g / (groups·count).
${LOSS_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> sums: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;

@compute @workgroup_size(1)
fn main() {
  var dice_sum = 0.0;
  var bce_sum = 0.0;
  for (var g = 0u; g < params.groups; g++) {
    let s = sums[g];
    dice_sum += 1.0 - (2.0 * s.z + params.smoothing) / (s.x + s.y + params.smoothing);
    bce_sum += s.w;
  }
  let dice = dice_sum / f32(params.groups);
  let bce = bce_sum / (f32(params.groups) * f32(params.count));
  loss[0] = params.bce_weight * bce + (1.0 - params.bce_weight) * dice;
  loss[1] = dice;
  loss[2] = bce;
}
`;

export const LOSS_BACKWARD_WGSL = /* wgsl */ `
// logits l, targets t: [groups, count]; sums: [groups, 4] from the forward; dy: [1] (HAS_DY) -> dl: [groups, count]
// loss = w·(1/n)·Σ bce_i + (1 − w)·(1/G)·Σ_g (1 − A_g/B_g),  n = G·count,  G = groups,
// A_g = 2Σp·t + smooth,  B_g = Σp + Σt + smooth (sums over group g),  p = σ(l)
// d bce_i / d l_i = σ(l_i) − t_i = (1 − t_i)·σ(l_i) − t_i·σ(−l_i)         (no cancellation near t = σ)
// for i in group g: d dice_g / d p_i = −(2t_i·B_g − A_g)/B_g² = (A_g − 2t_i·B_g)/B_g²,   d p_i / d l_i = σ(l_i)·σ(−l_i)
// dl_i = dy·[w·(σ(l_i) − t_i)/n + (1 − w)·σ(l_i)·σ(−l_i)·(A_g − 2t_i·B_g)/(G·B_g²)]
override WORKGROUP_SIZE: u32 = 256u;
override HAS_DY: bool = false;

${LOSS_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> truth: array<f32>;
@group(0) @binding(3) var<storage, read> sums: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dl: array<f32>;
${FLAT_INDEX_WGSL}${SIGMOID_WGSL}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count * params.groups) { return; }
  let s = sums[i / params.count];
  let a = 2.0 * s.z + params.smoothing;
  let b = s.x + s.y + params.smoothing;
  let l = logits[i];
  let t = truth[i];
  let sigma = sigmoid_pair(l);
  let g = f32(params.groups);
  let bce_grad = ((1.0 - t) * sigma.x - t * sigma.y) / (g * f32(params.count));
  let dice_grad = sigma.x * sigma.y * ((a - 2.0 * t * b) / (g * b * b));
  var upstream = 1.0;
  if (HAS_DY) {
    upstream = dy[0];
  }
  dl[i] = upstream * (params.bce_weight * bce_grad + (1.0 - params.bce_weight) * dice_grad);
}
`;

export const SEGMENTATION_METRICS_WGSL = /* wgsl */ `
// logits l, targets t: [N, 1, H, W] -> metrics: [N, 2] = (Dice, IoU) per image of the masks A = {l ≥ 0} (p ≥ 0.5)
// and B = {t ≥ 0.5}: Dice = 2|A∩B|/(|A| + |B|), IoU = |A∩B|/|A∪B|, both 1 when A and B are empty.
// Workgroup n = x + y·groups.x counts image n exactly in u32 (strided lanes, then a tree).
override WORKGROUP_SIZE: u32 = 256u;

${SEGMENTATION_METRICS_PARAMS.wgsl}

${bindingsWgsl(['logits', 'truth', output('metrics')])}
${workgroupReduceWgsl({ type: 'vec3<u32>', reusable: false })}
${workgroupRowMainWgsl('image', /* wgsl */ `
  // (|A|, |B|, |A∩B|)
  var counts = vec3<u32>(0u);
  if (image < params.images) {
    for (var s = lane; s < params.hw; s += WORKGROUP_SIZE) {
      let predicted = logits[image * params.hw + s] >= 0.0;
      let truth = truth[image * params.hw + s] >= 0.5;
      counts += vec3<u32>(u32(predicted), u32(truth), u32(predicted && truth));
    }
  }
  let total = workgroup_sum(lane, counts);
  if (lane == 0u && image < params.images) {
    let sizes = f32(total.x + total.y);
    let intersection = f32(total.z);
    let empty = total.x + total.y == 0u;
    metrics[2u * image] = select(2.0 * intersection / sizes, 1.0, empty);
    metrics[2u * image + 1u] = select(intersection / (sizes - intersection), 1.0, empty);
  }`)}`;
