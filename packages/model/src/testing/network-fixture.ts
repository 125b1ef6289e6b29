/**
 * The network fixtures of test/fixtures/networks/<case>/ (see its README): the closed-form weight pattern, input and
 * target, and the one checker every network case runs in Node and in Chromium (state_dict manifest, eval and train
 * logits, Dice loss, the recorded BatchNorm buffers, per-parameter gradient norms, samples and sums). No Node or
 * vitest API here: the files come through a reader (testing/fixture-files).
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
import { F, noGrad, parseNpy, Tensor, type nn } from '@ulseg/autograd';
import { compare, defineCases, type KernelCase } from '@ulseg/kernels/testing';
import { readFixture } from '#fixture-files';

export { readFixture };
import type { WeightMap } from '../weights/state-dict.js';

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

export interface BnLayer {
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

/** Python's json writes Infinity and NaN bare (grads.json of pan-resnet34: a relative error over a zero norm). */
export function parseFixtureJson<T>(bytes: Uint8Array): T {
  const text = new TextDecoder().decode(bytes).replace(/(?<=[:[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '"$1"');
  return JSON.parse(text, (_key, value: unknown) => (value === 'Infinity' || value === '-Infinity' || value === 'NaN' ? Number(value) : value)) as T;
}

/** A case's files from `read(path relative to test/fixtures)` (the file system in Node, the harness's server in a page). */
export async function loadNetworkCaseWith(name: string, read: (path: string) => Promise<Uint8Array>): Promise<NetworkCase> {
  const file = (what: string): Promise<Uint8Array> => read(`networks/${name}/${what}`);
  const npy = async (what: string): Promise<Float32Array> => parseNpy(await file(what), `${name}/${what}`).data;
  const json = async <T>(what: string): Promise<T> => parseFixtureJson<T>(await file(what));
  return {
    name,
    meta: await json<CaseJson>('case.json'),
    input: await npy('input.npy'),
    target: await npy('target.npy'),
    evalLogits: await npy('eval_logits.npy'),
    trainLogits: await npy('train_logits.npy'),
    loss: await json('loss.json'),
    grads: (await json<{ params: GradEntry[] }>('grads.json')).params,
    bnAfter: (await json<{ layers: BnLayer[] }>('bn_after.json')).layers,
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
export type NetworkUnderTest = nn.Module;

/** `[key, shape]` of a model's state_dict, in order. */
export function stateDictManifest(model: nn.ModuleBase): [string, number[]][] {
  return model.stateDict().map(([key, tensor]) => [key, [...tensor.shape]]);
}

/** Keys, shapes and order of the model's state_dict against the case's manifest (num_batches_tracked: shape []). */
export function manifestFailures(model: nn.ModuleBase, meta: CaseJson): string[] {
  const ours = stateDictManifest(model).map(([key, shape]) => `${key} [${key.endsWith('num_batches_tracked') ? '' : shape.join(', ')}]`);
  const want = meta.state_dict_manifest.map((entry) => `${entry.key} [${entry.shape.join(', ')}]`);
  const failures: string[] = [];
  const first = ours.findIndex((line, index) => line !== want[index]);
  if (first >= 0 || ours.length !== want.length) {
    const at = first >= 0 ? first : Math.min(ours.length, want.length);
    failures.push(`state_dict entry ${at}: ours ${ours[at] ?? '(none)'}, the fixture's ${want[at] ?? '(none)'} (${ours.length} entries vs ${want.length})`);
  }
  let parameters = 0;
  for (const [, tensor] of model.namedParameters()) parameters += numelOf(tensor.shape);
  if (parameters !== meta.parameter_count) failures.push(`${parameters} parameters, the fixture has ${meta.parameter_count}`);
  return failures;
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

export interface NetworkCaseOutcome {
  /** Every check that failed, one line each (empty: the case passes). */
  failures: string[];
  /** One line of the measured differences, for the log. */
  summary: string;
}

/**
 * The fixture checks of one network case: the state_dict manifest, then (pattern weights loaded) an eval forward and
 * a training forward + Dice loss + backward against the eval and train logits, the loss, the BatchNorm buffers after
 * the step and the gradients, with the README's tolerances. Node (vitest) and the Chromium harness run this same body.
 */
export async function checkNetworkCase(gpu: Gpu, model: NetworkUnderTest, fixture: NetworkCase, label: string): Promise<NetworkCaseOutcome> {
  const failures = manifestFailures(model, fixture.meta);
  if (failures.length) return { failures, summary: `${fixture.name} on ${label}: the state_dict differs from the fixture's` };
  model.load(patternStateDict(fixture.meta), { source: `${fixture.name} pattern` });
  const shape = fixture.meta.input_shape;
  if (compare(patternInput(shape), fixture.input).maxAbsolute !== 0) failures.push('input.npy differs from the pattern rule');
  if (compare(patternTarget(shape), fixture.target).maxAbsolute !== 0) failures.push('target.npy differs from the pattern rule');
  const input = Tensor.fromArray(gpu, fixture.input, shape).keep();
  const target = Tensor.fromArray(gpu, fixture.target, shape).keep();
  try {
    model.eval();
    const evalLogits = noGrad(() => model.forward(input));
    if (JSON.stringify(evalLogits.shape) !== JSON.stringify(fixture.meta.output_shape)) {
      evalLogits.dispose();
      return { failures: [`logits of shape [${evalLogits.shape.join(', ')}], the fixture's [${fixture.meta.output_shape.join(', ')}]`], summary: `${fixture.name} on ${label}: wrong output shape` };
    }
    const evalResult = compare(await evalLogits.toArray(), fixture.evalLogits);
    evalLogits.dispose();

    model.train();
    const logits = model.forward(input);
    const trainResult = compare(await logits.toArray(), fixture.trainLogits);
    const loss = F.diceLoss(logits, target);
    const lossValue = await loss.item();
    const state = new Map(model.stateDict());
    for (const layer of fixture.bnAfter) {
      for (const [key, values] of [
        [layer.running_mean_key, layer.running_mean],
        [layer.running_var_key, layer.running_var],
      ] as const) {
        const tensor = state.get(key);
        if (!tensor) {
          failures.push(`${key}: missing`);
          continue;
        }
        const result = compare(await tensor.toArray(), values);
        if (!(result.maxAbsolute <= NETWORK_TOLERANCES.bnBuffers)) failures.push(`${key}: max |Δ| ${result.maxAbsolute.toExponential(2)}`);
      }
      const tracked = state.get(`${layer.module}.num_batches_tracked`);
      const count = tracked ? (await tracked.toArray())[0] : undefined;
      if (tracked && count !== layer.num_batches_tracked_after) failures.push(`${layer.module}.num_batches_tracked: ${count}, the fixture's ${layer.num_batches_tracked_after}`);
    }

    model.zeroGrad();
    loss.backward();
    const ours = new Map<string, Float32Array | undefined>();
    for (const [key, parameter] of model.namedParameters()) ours.set(key, parameter.grad ? await parameter.grad.toArray() : undefined);
    const gradients = gradientReport(fixture.grads, ours);
    loss.dispose();
    logits.dispose();

    const within = (what: string, value: number, bound: number): void => {
      if (!(value <= bound)) failures.push(`${what}: ${value.toExponential(2)} > ${bound.toExponential(2)}`);
    };
    if (evalResult.nonFinite) failures.push(`${evalResult.nonFinite} non-finite eval logits`);
    within('eval logits max |Δ|', evalResult.maxAbsolute, NETWORK_TOLERANCES.evalLogits);
    if (trainResult.nonFinite) failures.push(`${trainResult.nonFinite} non-finite train logits`);
    within('train logits max |Δ|', trainResult.maxAbsolute, NETWORK_TOLERANCES.trainLogits);
    within(`Dice loss |Δ| (${lossValue} vs ${fixture.loss.loss_float64})`, Math.abs(lossValue - fixture.loss.loss_float64), NETWORK_TOLERANCES.loss);
    failures.push(...gradients.failures.map((line) => `gradient ${line}`));
    const summary =
      `${fixture.name} on ${label}: eval logits max |Δ| ${evalResult.maxAbsolute.toExponential(2)}, train ${trainResult.maxAbsolute.toExponential(2)}, ` +
      `loss ${lossValue} (torch ${fixture.loss.loss_float32}), gradient norms: median relative ${gradients.median.toExponential(2)}, ` +
      `worst ${gradients.worst.relative.toExponential(2)} (${gradients.worst.key})`;
    return { failures, summary };
  } finally {
    input.dispose();
    target.dispose();
  }
}

/** smp's class for a case name: `unet-scse-resnet34` → Unet with scSE on resnet34 (names as in NETWORK_CASES). */
export function caseNetwork(name: NetworkCaseName): { network: string; decoderAttention: 'none' | 'scse'; encoder: string } {
  const [network, ...rest] = name.split('-');
  const decoderAttention = rest[0] === 'scse' ? 'scse' : 'none';
  return { network: network!, decoderAttention, encoder: rest.slice(decoderAttention === 'scse' ? 1 : 0).join('-') };
}

/**
 * One network case as a kernel case (suite `network fixture`, named after the case): the same body in Node
 * (registerCases, every test adapter) and in headless Chromium (test/browser). `build` makes the network on a Gpu.
 */
export function networkFixtureCase(name: NetworkCaseName, build: (gpu: Gpu) => NetworkUnderTest, options: { timeoutMs?: number } = {}): KernelCase {
  const [kernelCase] = defineCases('network fixture', {
    [name]: {
      timeoutMs: options.timeoutMs ?? 600_000,
      async run({ gpu, adapter }) {
        const fixture = await loadNetworkCaseWith(name, readFixture);
        const model = build(gpu);
        try {
          const { failures, summary } = await checkNetworkCase(gpu, model, fixture, adapter);
          console.log(summary);
          if (failures.length) throw new Error(`${name} on ${adapter}: ${failures.length} check(s) failed:\n  ${failures.slice(0, 30).join('\n  ')}`);
        } finally {
          model.dispose();
        }
      },
    },
  });
  return kernelCase!;
}
