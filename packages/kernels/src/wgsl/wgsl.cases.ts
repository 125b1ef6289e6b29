/**
 * The shared WGSL functions run in small probe kernels and compared with their CPU references: sigmoid against
 * float64, pcg_hash against pcgHash bit for bit, the workgroup tree against float64 and, bit for bit, against the
 * same tree in float32 on the CPU; a flat kernel from flatKernelWgsl through every split of runtime/flat, bit for bit.
 */
import { d } from 'typegpu';
import { dispatchFlat, FLAT_PARAMS, type FlatVariant } from '../runtime/flat.js';
import { paramsStruct } from '../runtime/params.js';
import { assertClose, defineCases, poisoned, randomArray } from '../testing/index.js';
import { output } from './bindings.wgsl.js';
import { flatKernelWgsl } from './flat.wgsl.js';
import { pcgHash } from './pcg.reference.js';
import { PCG_HASH_WGSL } from './pcg.wgsl.js';
import { sigmoidReference } from './sigmoid.reference.js';
import { SIGMOID4_WGSL, SIGMOID_WGSL } from './sigmoid.wgsl.js';
import { workgroupReduceWgsl } from './workgroup-reduce.wgsl.js';

/** x: [count] -> y: [count, 8], w = (v, −v, v, −v): e^−|v|, σ(v), sigmoid_pair(v), sigmoid4(w).xy, sigmoid_pair4(w)[0].x, [1].x */
const SIGMOID_PROBE_PARAMS = paramsStruct('Params', { count: d.u32 });
const SIGMOID_PROBE_WGSL = /* wgsl */ `
${SIGMOID_PROBE_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
${SIGMOID_WGSL}${SIGMOID4_WGSL}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let v = x[i];
  let w = vec4<f32>(v, -v, v, -v);
  let pair = sigmoid_pair(v);
  let s4 = sigmoid4(w);
  let pair4 = sigmoid_pair4(w);
  let values = array<f32, 8>(exp_neg_abs(v), sigmoid(v), pair.x, pair.y, s4.x, s4.y, pair4[0].x, pair4[1].x);
  for (var k = 0u; k < 8u; k++) { y[8u * i + k] = values[k]; }
}
`;

/** y[i] = pcg_hash(base + i·step) as u32 bits, i < count. */
const PCG_PROBE_PARAMS = paramsStruct('Params', { count: d.u32, base: d.u32, step: d.u32 });
const PCG_PROBE_WGSL = /* wgsl */ `
${PCG_PROBE_PARAMS.wgsl}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
${PCG_HASH_WGSL}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  y[i] = pcg_hash(params.base + i * params.step);
}
`;

/**
 * x: [groups, WORKGROUP_SIZE] -> y: [groups, 4]; workgroup g reduces row g:
 * (Σ x, Σ x²) by workgroup_sum (vec2, reusable), max x by workgroup_max (the combine hook, single use), then
 * Σ (x − mean) by a second call of workgroup_sum (the reuse).
 */
const REDUCE_PROBE_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;
${workgroupReduceWgsl({ type: 'vec2<f32>' })}${workgroupReduceWgsl({ name: 'workgroup_max', combine: (a, b) => `max(${a}, ${b})`, reusable: false })}
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let v = x[group.x * WORKGROUP_SIZE + lane];
  let moments = workgroup_sum(lane, vec2<f32>(v, v * v));
  let mean = moments.x / f32(WORKGROUP_SIZE);
  let centered = workgroup_sum(lane, vec2<f32>(v - mean, 0.0)).x;
  let largest = workgroup_max(lane, v);
  if (lane == 0u) { y[group.x] = vec4<f32>(moments, largest, centered); }
}
`;

/**
 * x: [count], s: [5] -> y: [count] through flatKernelWgsl: y[i] = 2·x[i] + term(i), term(i) = s[i mod 5] + i (2·x is
 * exact, so a fused multiply-add rounds the same); main4_negated writes −y. x and y are read and written through their
 * vec4 views by main4*, s through its scalar binding only.
 */
const FLAT_PROBE_WGSL = /* wgsl */ `
override WORKGROUP_SIZE: u32 = 64u;

${FLAT_PARAMS.wgsl}

${flatKernelWgsl({
  bindings: [{ name: 'x', view4: 'x4' }, 's', output('y', 'y4')],
  functions: /* wgsl */ `
fn term(i: u32) -> f32 { return s[i % 5u] + f32(i); }

fn terms4(first: u32) -> vec4<f32> { return vec4<f32>(term(first), term(first + 1u), term(first + 2u), term(first + 3u)); }
`,
  vector: {
    main4: 'y4[v] = 2.0 * x4[v] + terms4(4u * v);',
    main4_negated: 'y4[v] = -(2.0 * x4[v] + terms4(4u * v));',
  },
  scalar: 'y[i] = 2.0 * x[i] + term(i);',
})}`;

/** The probe tree in float32 on the CPU: for w = lanes/2 … 1, s[l] = fround(s[l] ∘ s[l + w]). */
function treeFloat32(values: readonly number[], combine: (a: number, b: number) => number): number {
  const s = values.map(Math.fround);
  for (let width = s.length >> 1; width > 0; width >>= 1) {
    for (let lane = 0; lane < width; lane++) s[lane] = Math.fround(combine(s[lane]!, s[lane + width]!));
  }
  return s[0]!;
}

/** max over i of |actual[i] − expected[i]| / |expected[i]|. */
function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; at: number } {
  let worst = { error: 0, at: -1 };
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!) / Math.abs(expected[i]!);
    if (!(error <= worst.error)) worst = { error, at: i };
  }
  return worst;
}

export const wgslLibraryCases = defineCases('wgsl', {
  'sigmoid, sigmoid_pair, sigmoid4, sigmoid_pair4 and exp_neg_abs hold 16 ulp of float64 out to |v| = 80, and agree bit for bit': async ({ gpu, random }) => {
    const count = 1031;
    const x = Float32Array.from({ length: count }, (_, i) => (i < 7 ? [0, 1e-8, -1e-8, 60, -60, 80, -80][i]! : random.uniform(-80, 80)));
    const y = await gpu.read(
      (() => {
        const out = poisoned(gpu, [count, 8]);
        gpu.dispatch({
          kernel: { name: 'sigmoidProbe', code: SIGMOID_PROBE_WGSL },
          uniforms: SIGMOID_PROBE_PARAMS.write({ count }),
          tensors: [gpu.upload(x), out],
          workgroups: [Math.ceil(count / 64)],
        });
        return out;
      })(),
    );
    const column = (k: number): Float32Array => Float32Array.from({ length: count }, (_, i) => y[8 * i + k]!);
    const minus = Float64Array.from(x, (v) => sigmoidReference(-v));
    const plus = Float64Array.from(x, (v) => sigmoidReference(v));
    const want: [string, number, Float64Array][] = [
      ['exp_neg_abs', 0, Float64Array.from(x, (v) => Math.exp(-Math.abs(v)))],
      ['sigmoid', 1, plus],
      ['sigmoid_pair.x', 2, plus],
      ['sigmoid_pair.y', 3, minus],
      ['sigmoid4(v)', 4, plus],
      ['sigmoid4(−v)', 5, minus],
      ['sigmoid_pair4[0]', 6, plus],
      ['sigmoid_pair4[1]', 7, minus],
    ];
    for (const [label, k, expected] of want) {
      const { error, at } = maxRelativeError(column(k), expected);
      if (!(error <= 2 ** -20)) throw new Error(`${label}: relative error ${error} at v = ${x[at]} (got ${column(k)[at]}, want ${expected[at]})`);
    }
    // The forward's σ and the backward's pair are the same numbers.
    assertClose(column(2), column(1), 'exact', 'sigmoid_pair(v).x vs sigmoid(v)');
    assertClose(column(4), column(1), 'exact', 'sigmoid4 vs sigmoid');
    assertClose(column(6), column(1), 'exact', 'sigmoid_pair4[0] vs sigmoid');
    assertClose(column(7), column(3), 'exact', 'sigmoid_pair4[1] vs sigmoid_pair.y');
  },
  'pcgHash matches known values of the PCG hash': async () => {
    // pcg_hash(0), pcg_hash(1), pcg_hash(2^32 − 1) from the paper's C code (uint32_t arithmetic, gcc).
    const got = [pcgHash(0), pcgHash(1), pcgHash(0xffffffff)];
    const want = [129708002, 2831084092, 3861530882];
    if (got.join() !== want.join()) throw new Error(`pcgHash: got ${got}, want ${want}`);
  },
  'pcg_hash on the GPU equals pcgHash bit for bit (from 0, across the u32 wrap, and a random odd stride)': async ({ gpu, random }) => {
    const count = 1031;
    const strides: [number, number][] = [
      [0, 1],
      [0xffffff00, 1],
      [Math.floor(random.uniform(0, 2 ** 32)) >>> 0, (Math.floor(random.uniform(0, 2 ** 31)) * 2 + 1) >>> 0],
    ];
    for (const [base, step] of strides) {
      const out = poisoned(gpu, [count]);
      gpu.dispatch({
        kernel: { name: 'pcgProbe', code: PCG_PROBE_WGSL },
        uniforms: PCG_PROBE_PARAMS.write({ count, base, step }),
        tensors: [out],
        workgroups: [Math.ceil(count / 64)],
      });
      const bits = new Uint32Array((await gpu.read(out)).buffer);
      for (let i = 0; i < count; i++) {
        const want = pcgHash((base + Math.imul(i, step)) >>> 0);
        if (bits[i] !== want) throw new Error(`pcg_hash(${base} + ${i}·${step}): got ${bits[i]}, want ${want}`);
      }
    }
  },
  'flatKernelWgsl: main4 over 4·⌊count/4⌋ then main over the tail, main alone, and a second vec4 entry point, bit for bit': async ({ gpu, random }) => {
    const s = randomArray(random, 5);
    const runs: [number, FlatVariant, string][] = [
      [1031, 'vec4', 'main4'],
      [1031, 'scalar', 'main4'],
      [1032, 'auto', 'main4'],
      [3, 'vec4', 'main4'],
      [1030, 'vec4', 'main4_negated'],
    ];
    for (const [count, variant, vectorEntryPoint] of runs) {
      const x = randomArray(random, count);
      const y = poisoned(gpu, [count]);
      dispatchFlat(gpu, {
        kernel: { name: 'flatProbe', code: FLAT_PROBE_WGSL, constants: { WORKGROUP_SIZE: 64 } },
        count,
        tensors: [gpu.upload(x), gpu.upload(s), y],
        uniforms: (start) => FLAT_PARAMS.write({ count, start }),
        workgroupSize: 64,
        variant,
        vectorEntryPoint,
      });
      const vectors = variant === 'scalar' || count < 4 ? 0 : 4 * Math.floor(count / 4);
      const want = Float32Array.from(x, (v, i) => {
        const value = Math.fround(2 * v + Math.fround(s[i % 5]! + i));
        return i < vectors && vectorEntryPoint === 'main4_negated' ? -value : value;
      });
      assertClose(await gpu.read(y), want, 'exact', `${count} elements, ${variant}, ${vectorEntryPoint}`);
    }
  },
  'workgroupReduceWgsl: sums, a combine hook (max) and a second call, 64 and 256 lanes, bit for bit as the float32 tree': async ({ gpu, random }) => {
    for (const lanes of [64, 256]) {
      const groups = 7;
      const x = randomArray(random, groups * lanes, { low: -4, high: 4 });
      const out = poisoned(gpu, [groups, 4]);
      gpu.dispatch({
        kernel: { name: 'reduceProbe', code: REDUCE_PROBE_WGSL, constants: { WORKGROUP_SIZE: lanes } },
        tensors: [gpu.upload(x), out],
        workgroups: [groups],
      });
      const got = await gpu.read(out);
      const float32: number[] = [];
      const float64: number[] = [];
      for (let g = 0; g < groups; g++) {
        const row = Array.from(x.subarray(g * lanes, (g + 1) * lanes));
        const sum = treeFloat32(row, (a, b) => a + b);
        const mean = Math.fround(sum / lanes);
        float32.push(
          sum,
          treeFloat32(row.map((v) => Math.fround(v * v)), (a, b) => a + b),
          treeFloat32(row, Math.max),
          treeFloat32(row.map((v) => Math.fround(v - mean)), (a, b) => a + b),
        );
        const exactMean = row.reduce((a, b) => a + b, 0) / lanes;
        float64.push(
          row.reduce((a, b) => a + b, 0),
          row.reduce((a, v) => a + v * v, 0),
          Math.max(...row),
          row.reduce((a, v) => a + (v - exactMean), 0),
        );
      }
      assertClose(got, float32, 'exact', `${lanes} lanes vs the float32 tree`);
      const firstThree = (values: ArrayLike<number>): number[] => Array.from(values).filter((_, i) => i % 4 !== 3);
      assertClose(firstThree(got), firstThree(float64), 'reduction', `${lanes} lanes vs float64`);
    }
  },
});
