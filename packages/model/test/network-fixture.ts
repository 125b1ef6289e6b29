/**
 * The network fixtures of test/fixtures/networks/<case>/ (see its README): the closed-form weight pattern, input and
 * target, and the one checker every network case runs (state_dict manifest, eval and train logits, Dice loss, the six
 * recorded BatchNorm buffers, per-parameter gradient norms, samples and sums).
 *
 * Pattern (README "Weight pattern"), float64 evaluated left to right, then rounded to float32; t = the entry's index
 * in state_dict order (num_batches_tracked included), i = flat C-order index:
 *   ≥ 2-D:              sin(((0.37·i) + (1.3·t)) + ((0.013·i)·i)) · sqrt(2/fan_in) · s,  fan_in = numel / shape[0]
 *   1-D running_mean:   0.1·sin(0.37·i + 1.3·t)
 *   1-D running_var:    1 + 0.5·(1 + sin(0.37·i + 1.3·t))/2
 *   1-D other weight:   1 + 0.1·sin(0.37·i + 1.3·t)
 *   1-D other bias:     0.05·sin(0.37·i + 1.3·t)
 *   num_batches_tracked: 0
 * Input x[i] = 0.5 + 0.4·sin(((0.013·i)·i) + 0.7); target t[i] = [sin(0.05·i) > 0.3].
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F, noGrad, parseNpy, Tensor, type nn } from '@ulseg/autograd';
import { compare, gpuFor, testAdapterKinds } from '@ulseg/kernels/testing';
import type { WeightMap } from '../src/weights/state-dict.js';

type Gpu = Tensor['gpu'];

export interface ManifestEntry {
  t: number;
  key: string;
  shape: number[];
  dtype: string;
  rule: string;
  /** Absent for num_batches_tracked. */
  pattern_fsum?: number;
  pattern_first?: number[];
  module_type: string;
}

export interface CaseJson {
  case: string;
  network: string;
  encoder: string;
  input_shape: [number, number, number, number];
  output_shape: number[];
  pattern_scale: number;
  parameter_count: number;
  parameters_without_grad: string[];
  state_dict_entries: number;
  batchnorm2d_count: number;
  state_dict_manifest: ManifestEntry[];
}

interface GradStatistics {
  l2: number;
  sum: number;
  samples: number[];
}

export interface GradEntry {
  key: string;
  shape: number[];
  numel: number;
  has_grad: boolean;
  sample_indices: number[];
  f32?: GradStatistics;
  f64?: GradStatistics;
  max_abs_f64?: number;
  max_abs_diff_f32_vs_f64?: number;
  zero_in_exact_arithmetic?: boolean;
}

interface BnLayer {
  module: string;
  num_batches_tracked_after: number;
  running_mean_key: string;
  running_mean: number[];
  running_var_key: string;
  running_var: number[];
}

export interface NetworkCase {
  name: string;
  meta: CaseJson;
  input: Float32Array;
  target: Float32Array;
  evalLogits: Float32Array;
  trainLogits: Float32Array;
  loss: { loss_float32: number; loss_float64: number };
  grads: GradEntry[];
  bnAfter: BnLayer[];
}

/** The README's tolerances (each a few times PyTorch's own float32-vs-float64 difference). */
export const NETWORK_TOLERANCES = {
  evalLogits: 2e-5,
  trainLogits: 5e-4,
  loss: 1e-6,
  bnBuffers: 2e-5,
  /** Per tensor: |‖g‖ − ‖g64‖| / ‖g64‖, and |Δsample| ≤ this · max|g64|. */
  gradientRelative: 0.1,
  /** The median over tensors of the relative norm difference. */
  gradientMedian: 0.03,
  /** |Δsum| ≤ this · ‖g64‖ · √numel. */
  gradientSum: 0.1,
  /**
   * Zero in exact arithmetic: max |g| ≤ this · (largest |g64| of the model), or ≤ zeroGradientNoise · torch's own
   * float32 noise on that tensor (max |g32 − g64|) where that is larger: a bias before a BN over N = 2 values (PAN's
   * FPA global branch) sums two terms that cancel after an amplification by 1/σ of the two values.
   */
  zeroGradient: 1e-5,
  zeroGradientNoise: 10,
} as const;

const fixtureRoot = new URL('../../../test/fixtures/networks/', import.meta.url);

export const NETWORK_CASES = [
  'unet-resnet34',
  'unet-efficientnet-b0',
  'unet-scse-resnet34',
  'linknet-resnet34',
  'deeplabv3plus-resnet34',
  'deeplabv3plus-efficientnet-b0',
  'fpn-resnet34',
  'pan-resnet34',
  'pspnet-resnet34',
] as const;
export type NetworkCaseName = (typeof NETWORK_CASES)[number];

function readCaseFile(name: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`${name}/${file}`, fixtureRoot)));
}

/** Python's json writes Infinity and NaN bare (grads.json of pan-resnet34: a relative error over a zero norm). */
function readJson<T>(name: string, file: string): T {
  const text = new TextDecoder().decode(readCaseFile(name, file)).replace(/(?<=[:[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '"$1"');
  return JSON.parse(text, (_key, value: unknown) => (value === 'Infinity' || value === '-Infinity' || value === 'NaN' ? Number(value) : value)) as T;
}

export function readCaseJson(name: string): CaseJson {
  return readJson<CaseJson>(name, 'case.json');
}

export function loadNetworkCase(name: string): NetworkCase {
  const npy = (file: string): Float32Array => parseNpy(readCaseFile(name, file), `${name}/${file}`).data;
  return {
    name,
    meta: readCaseJson(name),
    input: npy('input.npy'),
    target: npy('target.npy'),
    evalLogits: npy('eval_logits.npy'),
    trainLogits: npy('train_logits.npy'),
    loss: readJson(name, 'loss.json'),
    grads: readJson<{ params: GradEntry[] }>(name, 'grads.json').params,
    bnAfter: readJson<{ layers: BnLayer[] }>(name, 'bn_after.json').layers,
  };
}

const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** One state_dict entry's pattern values (float32), by the README's rule; `count`: only the first that many. */
export function patternValues(entry: Pick<ManifestEntry, 't' | 'key' | 'shape'>, scale: number, count = numelOf(entry.shape)): Float32Array {
  const { t, key, shape } = entry;
  const n = Math.min(count, numelOf(shape));
  const out = new Float32Array(n);
  if (key.endsWith('num_batches_tracked')) return out;
  if (shape.length >= 2) {
    const gain = Math.sqrt(2 / (numelOf(shape) / shape[0]!));
    for (let i = 0; i < n; i++) out[i] = Math.sin(0.37 * i + 1.3 * t + 0.013 * i * i) * gain * scale;
    return out;
  }
  if (shape.length !== 1) throw new Error(`pattern: ${key} has shape [${shape.join(', ')}], which the rule does not cover`);
  const wave = (i: number): number => Math.sin(0.37 * i + 1.3 * t);
  let value: (i: number) => number;
  if (key.endsWith('running_mean')) value = (i) => 0.1 * wave(i);
  else if (key.endsWith('running_var')) value = (i) => 1 + (0.5 * (1 + wave(i))) / 2;
  else if (key.endsWith('weight')) value = (i) => 1 + 0.1 * wave(i);
  else if (key.endsWith('bias')) value = (i) => 0.05 * wave(i);
  else throw new Error(`pattern: no rule for the 1-D entry ${key}`);
  for (let i = 0; i < n; i++) out[i] = value(i);
  return out;
}

/** The exactly rounded sum of a list of float64 values (Shewchuk's algorithm, as Python's math.fsum). */
export function fsum(values: ArrayLike<number>): number {
  const partials: number[] = [];
  for (let k = 0; k < values.length; k++) {
    let x = values[k]!;
    let used = 0;
    for (const partial of partials) {
      let y = partial;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const high = x + y;
      const low = y - (high - x);
      if (low !== 0) partials[used++] = low;
      x = high;
    }
    partials.length = used;
    partials.push(x);
  }
  // Sum the partials from the top, then correct the half-way case as math.fsum does.
  let n = partials.length;
  if (n === 0) return 0;
  let high = partials[--n]!;
  let low = 0;
  while (n > 0) {
    const x = high;
    const y = partials[--n]!;
    high = x + y;
    low = y - (high - x);
    if (low !== 0) break;
  }
  if (n > 0 && ((low < 0 && partials[n - 1]! < 0) || (low > 0 && partials[n - 1]! > 0))) {
    const y = low * 2;
    const x = high + y;
    if (y === x - high) high = x;
  }
  return high;
}

/**
 * The state_dict of a case by the pattern rule, each entry checked against the manifest's pattern_first and
 * pattern_fsum (a mismatch is an error naming the key). `sumsUpTo`: only entries of at most that many elements are
 * generated in full and summed; the larger ones hold just their first two values (a check of the rule, not weights
 * to load).
 */
export function patternStateDict(meta: Pick<CaseJson, 'state_dict_manifest' | 'pattern_scale'>, options: { sumsUpTo?: number } = {}): WeightMap {
  const weights: WeightMap = new Map();
  const sumsUpTo = options.sumsUpTo ?? Infinity;
  for (const entry of meta.state_dict_manifest) {
    const summed = numelOf(entry.shape) <= sumsUpTo;
    const data = patternValues(entry, meta.pattern_scale, summed ? undefined : 2);
    if (entry.pattern_fsum === undefined || entry.pattern_first === undefined) {
      if (!entry.key.endsWith('num_batches_tracked')) throw new Error(`manifest entry ${entry.key} has no pattern_fsum / pattern_first`);
      weights.set(entry.key, { shape: entry.shape, data });
      continue;
    }
    const expectedFirst = entry.pattern_first;
    const first = [...data.subarray(0, 2)];
    const sum = summed ? fsum(data) : entry.pattern_fsum;
    if (first.some((value, index) => value !== expectedFirst[index]) || sum !== entry.pattern_fsum) {
      throw new Error(
        `pattern of ${entry.key} (t ${entry.t}): first [${first.join(', ')}], fsum ${sum}; the manifest says ` +
          `[${expectedFirst.join(', ')}], ${entry.pattern_fsum}`,
      );
    }
    weights.set(entry.key, { shape: entry.shape, data });
  }
  return weights;
}

export function patternInput(shape: readonly number[]): Float32Array {
  const out = new Float32Array(numelOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = 0.5 + 0.4 * Math.sin(0.013 * i * i + 0.7);
  return out;
}

export function patternTarget(shape: readonly number[]): Float32Array {
  const out = new Float32Array(numelOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = Math.sin(0.05 * i) > 0.3 ? 1 : 0;
  return out;
}

/** A network under test: a module with PyTorch's state_dict keys and a forward from [N, C, H, W] to logits. */
export type NetworkUnderTest = nn.Module & { forward(x: Tensor): Tensor };

/** `[key, shape]` of a model's state_dict, in order. */
export function stateDictManifest(model: nn.Module): [string, number[]][] {
  return model.stateDict().map(([key, tensor]) => [key, [...tensor.shape]]);
}

/** Keys, shapes and order of the model's state_dict against the case's manifest (num_batches_tracked: shape []). */
export function expectManifest(model: nn.Module, meta: CaseJson): void {
  const ours = stateDictManifest(model).map(([key, shape]) => [key, key.endsWith('num_batches_tracked') ? [] : shape]);
  expect(ours).toEqual(meta.state_dict_manifest.map((entry) => [entry.key, entry.shape]));
  expect(ours.length).toBe(meta.state_dict_entries);
  let parameters = 0;
  for (const [, tensor] of model.namedParameters()) parameters += numelOf(tensor.shape);
  expect(parameters).toBe(meta.parameter_count);
}

interface GradientReport {
  failures: string[];
  median: number;
  worst: { key: string; relative: number };
}

/** Our gradients against grads.json's float64 statistics, with the README's tolerances. */
export function gradientReport(grads: readonly GradEntry[], ours: ReadonlyMap<string, Float32Array | undefined>): GradientReport {
  const globalMax = Math.max(...grads.map((entry) => entry.max_abs_f64 ?? 0));
  const failures: string[] = [];
  const relatives: number[] = [];
  let worst = { key: '', relative: 0 };
  for (const entry of grads) {
    const grad = ours.get(entry.key);
    if (!entry.has_grad) {
      if (grad) failures.push(`${entry.key}: has a gradient; PyTorch gives it none (never used in the forward)`);
      continue;
    }
    if (!grad) {
      failures.push(`${entry.key}: no gradient`);
      continue;
    }
    const want = entry.f64!;
    let squares = 0;
    let sum = 0;
    let maxAbs = 0;
    for (const value of grad) {
      squares += value * value;
      sum += value;
      maxAbs = Math.max(maxAbs, Math.abs(value));
    }
    if (!Number.isFinite(squares)) {
      failures.push(`${entry.key}: non-finite gradient`);
      continue;
    }
    if (entry.zero_in_exact_arithmetic) {
      const bound = Math.max(NETWORK_TOLERANCES.zeroGradient * globalMax, NETWORK_TOLERANCES.zeroGradientNoise * (entry.max_abs_diff_f32_vs_f64 ?? 0));
      if (!(maxAbs <= bound)) failures.push(`${entry.key}: zero in exact arithmetic, max |g| ${maxAbs.toExponential(2)} > ${bound.toExponential(2)}`);
      continue;
    }
    const relative = Math.abs(Math.sqrt(squares) - want.l2) / want.l2;
    relatives.push(relative);
    if (relative > worst.relative) worst = { key: entry.key, relative };
    if (!(relative <= NETWORK_TOLERANCES.gradientRelative)) {
      failures.push(`${entry.key}: ‖g‖ ${Math.sqrt(squares).toExponential(4)} vs ${want.l2.toExponential(4)} (relative ${relative.toExponential(2)})`);
    }
    const sampleBound = NETWORK_TOLERANCES.gradientRelative * entry.max_abs_f64!;
    entry.sample_indices.forEach((index, k) => {
      const difference = Math.abs(grad[index]! - want.samples[k]!);
      if (!(difference <= sampleBound)) {
        failures.push(`${entry.key}[${index}]: ${grad[index]} vs ${want.samples[k]} (|Δ| ${difference.toExponential(2)} > ${sampleBound.toExponential(2)})`);
      }
    });
    const sumBound = NETWORK_TOLERANCES.gradientSum * want.l2 * Math.sqrt(entry.numel);
    if (!(Math.abs(sum - want.sum) <= sumBound)) {
      failures.push(`${entry.key}: Σg ${sum.toExponential(4)} vs ${want.sum.toExponential(4)} (bound ${sumBound.toExponential(2)})`);
    }
  }
  relatives.sort((a, b) => a - b);
  const median = relatives.length ? relatives[Math.floor((relatives.length - 1) / 2)]! : 0;
  if (!(median <= NETWORK_TOLERANCES.gradientMedian)) failures.push(`median relative gradient-norm difference ${median.toExponential(2)}`);
  return { failures, median, worst };
}

export interface DescribeNetworkOptions {
  /** Test timeout of the forward/backward test (ms). */
  timeout?: number;
}

/**
 * The fixture checks of one network case on every test adapter: the state_dict manifest, then one shared eval
 * forward and one training forward + backward (eval and train logits, loss, BN buffers, gradients).
 */
export function describeNetworkCase(name: NetworkCaseName, build: (gpu: Gpu) => NetworkUnderTest, options: DescribeNetworkOptions = {}): void {
  const fixture = loadNetworkCase(name);
  for (const kind of testAdapterKinds()) {
    describe(`${name} against the smp 0.1.0 fixture on ${kind}`, () => {
      let model: NetworkUnderTest;
      let gpu: Gpu;
      beforeAll(async () => {
        gpu = await gpuFor(kind);
        model = build(gpu);
      }, 180_000);
      afterAll(() => model?.dispose());

      it('has the state_dict of the fixture (keys, shapes, order, parameter count)', () => {
        expectManifest(model, fixture.meta);
      });

      it('reproduces eval logits, train logits, the Dice loss, BatchNorm buffers and gradients', { timeout: options.timeout ?? 600_000 }, async () => {
        model.load(patternStateDict(fixture.meta), { source: `${name} pattern` });
        const shape = fixture.meta.input_shape;
        expect(compare(patternInput(shape), fixture.input).maxAbsolute).toBe(0);
        expect(compare(patternTarget(shape), fixture.target).maxAbsolute).toBe(0);
        const input = Tensor.fromArray(gpu, fixture.input, shape).keep();
        const target = Tensor.fromArray(gpu, fixture.target, shape).keep();

        model.eval();
        const evalLogits = noGrad(() => model.forward(input));
        expect(evalLogits.shape).toEqual(fixture.meta.output_shape);
        const evalResult = compare(await evalLogits.toArray(), fixture.evalLogits);
        evalLogits.dispose();

        model.train();
        const logits = model.forward(input);
        const trainResult = compare(await logits.toArray(), fixture.trainLogits);
        const loss = F.diceLoss(logits, target);
        const lossValue = await loss.item();
        const state = new Map(model.stateDict());
        const bnFailures: string[] = [];
        for (const layer of fixture.bnAfter) {
          for (const [key, values] of [
            [layer.running_mean_key, layer.running_mean],
            [layer.running_var_key, layer.running_var],
          ] as const) {
            const tensor = state.get(key);
            if (!tensor) {
              bnFailures.push(`${key}: missing`);
              continue;
            }
            const result = compare(await tensor.toArray(), values);
            if (!(result.maxAbsolute <= NETWORK_TOLERANCES.bnBuffers)) bnFailures.push(`${key}: max |Δ| ${result.maxAbsolute.toExponential(2)}`);
          }
          const tracked = state.get(`${layer.module}.num_batches_tracked`);
          if (tracked) expect((await tracked.toArray())[0], `${layer.module}.num_batches_tracked`).toBe(layer.num_batches_tracked_after);
        }

        model.zeroGrad();
        loss.backward();
        const ours = new Map<string, Float32Array | undefined>();
        for (const [key, parameter] of model.namedParameters()) ours.set(key, parameter.grad ? await parameter.grad.toArray() : undefined);
        const gradients = gradientReport(fixture.grads, ours);
        console.log(
          `${name} on ${kind}: eval logits max |Δ| ${evalResult.maxAbsolute.toExponential(2)}, train ${trainResult.maxAbsolute.toExponential(2)}, ` +
            `loss ${lossValue} (torch ${fixture.loss.loss_float32}), gradient norms: median relative ${gradients.median.toExponential(2)}, ` +
            `worst ${gradients.worst.relative.toExponential(2)} (${gradients.worst.key})`,
        );
        loss.dispose();
        logits.dispose();
        input.dispose();
        target.dispose();

        expect(evalResult.nonFinite, 'non-finite eval logits').toBe(0);
        expect(evalResult.maxAbsolute, 'eval logits').toBeLessThanOrEqual(NETWORK_TOLERANCES.evalLogits);
        expect(trainResult.nonFinite, 'non-finite train logits').toBe(0);
        expect(trainResult.maxAbsolute, 'train logits').toBeLessThanOrEqual(NETWORK_TOLERANCES.trainLogits);
        expect(Math.abs(lossValue - fixture.loss.loss_float64), 'Dice loss').toBeLessThanOrEqual(NETWORK_TOLERANCES.loss);
        expect(bnFailures, 'BatchNorm running statistics').toEqual([]);
        expect(gradients.failures, 'gradients').toEqual([]);
      });
    });
  }
}
