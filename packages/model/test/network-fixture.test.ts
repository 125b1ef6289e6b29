/**
 * The network-fixture helpers themselves: the weight pattern reproduces every manifest entry of every case bit for
 * bit (first two values exactly, math.fsum of all values exactly), the input/target rules reproduce input.npy and
 * target.npy, and the gradient checker passes PyTorch's own statistics and fails wrong ones.
 */
import { describe, expect, it } from 'vitest';
import { nn } from '@ulseg/autograd';
import { networkFixtureCases } from '../src/network-fixtures.cases.js';
import {
  fsum,
  caseNetwork,
  gradientReport,
  loadNetworkCaseWith,
  manifestFailures,
  NETWORK_CASES,
  patternInput,
  patternStateDict,
  patternTarget,
  patternValues,
  readFixture,
  type GradEntry,
} from './network-fixture.js';

describe('network fixture pattern', () => {
  it('fsum is exactly rounded where a naive sum is not', () => {
    expect(fsum([1, 1e100, 1, -1e100])).toBe(2);
    expect(fsum([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])).toBe(1);
    expect(fsum([1e16, 1, 1e-16])).toBe(10000000000000002);
    expect(fsum([])).toBe(0);
  });

  it('rejects an entry the rule does not cover and differs when t differs', () => {
    expect(() => patternValues({ t: 0, key: 'x.scale', shape: [3] }, 0.8)).toThrow(/no rule for the 1-D entry x\.scale/);
    expect(patternValues({ t: 1, key: 'a.weight', shape: [4, 2] }, 0.8)).not.toEqual(patternValues({ t: 2, key: 'a.weight', shape: [4, 2] }, 0.8));
  });

  // Each case's own network test generates (and checks) all of its weights; here every rule branch of every case
  // is checked in full on the entries up to 100k elements, and the first values of all entries.
  for (const name of NETWORK_CASES) {
    it(`reproduces the state_dict entries, the input and the target of ${name}`, { timeout: 120_000 }, async () => {
      const fixture = await loadNetworkCaseWith(name, readFixture);
      const meta = fixture.meta;
      const weights = patternStateDict(meta, { sumsUpTo: 100_000 });
      expect(weights.size).toBe(meta.state_dict_entries);
      expect([...weights.values()].filter((entry) => entry.data.length > 2).length).toBeGreaterThan(meta.state_dict_entries / 2);
      expect(patternInput(meta.input_shape)).toEqual(fixture.input);
      expect(patternTarget(meta.input_shape)).toEqual(fixture.target);
    });
  }

  it('a changed manifest entry is named', async () => {
    const { meta } = await loadNetworkCaseWith('linknet-resnet34', readFixture);
    const entry = { ...meta.state_dict_manifest[1]!, pattern_fsum: meta.state_dict_manifest[1]!.pattern_fsum! + 1e-9 };
    expect(() => patternStateDict({ pattern_scale: 0.8, state_dict_manifest: [entry] })).toThrow(/pattern of encoder\.bn1\.weight \(t 1\)/);
  });
});

describe('network fixture cases', () => {
  it('reads network, attention and backbone from a case name, and makes a Chromium case of every built network', () => {
    expect(caseNetwork('unet-scse-resnet34')).toEqual({ network: 'unet', decoderAttention: 'scse', encoder: 'resnet34' });
    expect(caseNetwork('deeplabv3plus-efficientnet-b0')).toEqual({ network: 'deeplabv3plus', decoderAttention: 'none', encoder: 'efficientnet-b0' });
    expect(networkFixtureCases.map((kernelCase) => kernelCase.name).sort()).toEqual([...NETWORK_CASES].sort());
  });

  it('the manifest check names the first differing entry and the parameter count', async () => {
    const { meta } = await loadNetworkCaseWith('linknet-resnet34', readFixture);
    expect(manifestFailures(new nn.ModuleDict(), meta)).toEqual([
      `state_dict entry 0: ours (none), the fixture's encoder.conv1.weight [64, 1, 7, 7] (0 entries vs ${meta.state_dict_entries})`,
      `0 parameters, the fixture has ${meta.parameter_count}`,
    ]);
  });
});

describe('network fixture gradient checker', () => {
  const values = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i * 0.7) * 1e-3);
  const statistics = (data: Float32Array, indices: number[]): { l2: number; sum: number; samples: number[] } => ({
    l2: Math.sqrt(data.reduce((total, v) => total + v * v, 0)),
    sum: data.reduce((total, v) => total + v, 0),
    samples: indices.map((index) => data[index]!),
  });
  const indices = Array.from({ length: 8 }, (_, k) => Math.floor((k * 49) / 7));
  const entry = (key: string, extra: Partial<GradEntry> = {}): GradEntry => ({
    key,
    shape: [50],
    numel: 50,
    has_grad: true,
    sample_indices: indices,
    f64: statistics(values, indices),
    max_abs_f64: Math.max(...values.map(Math.abs)),
    ...extra,
  });

  it('passes the reference statistics and fails a scaled, shifted, missing or unexpected gradient', () => {
    const grads = [entry('a'), entry('b'), entry('c'), entry('never', { has_grad: false }), entry('zero', { zero_in_exact_arithmetic: true })];
    const tiny = new Float32Array(50).fill(1e-12);
    const good = new Map<string, Float32Array | undefined>([
      ['a', values],
      ['b', values],
      ['c', values],
      ['never', undefined],
      ['zero', tiny],
    ]);
    expect(gradientReport(grads, good).failures).toEqual([]);

    const scaled = values.map((v) => v * 1.5);
    const shifted = values.map((v, i) => (i === indices[3] ? v + 5e-4 : v));
    const bad = new Map<string, Float32Array | undefined>([
      ['a', scaled],
      ['b', shifted],
      ['c', undefined],
      ['never', values],
      ['zero', values],
    ]);
    const { failures } = gradientReport(grads, bad);
    expect(failures.some((line) => line.startsWith('a: ‖g‖'))).toBe(true);
    expect(failures.some((line) => line.startsWith(`b[${indices[3]}]`))).toBe(true);
    expect(failures).toContain('c: no gradient');
    expect(failures.some((line) => line.startsWith('never: has a gradient'))).toBe(true);
    expect(failures.some((line) => line.startsWith('zero: zero in exact arithmetic'))).toBe(true);
  });

  it('bounds a zero-in-exact-arithmetic gradient by 10x torch\'s own float32 noise on it where that exceeds 1e-5 of the global max', () => {
    const globalMax = Math.max(...values.map(Math.abs));
    const noisy = new Float32Array(50).fill(5e-5 * globalMax);
    const report = (torchNoise: number | undefined): string[] =>
      gradientReport([entry('a'), entry('zero', { zero_in_exact_arithmetic: true, max_abs_diff_f32_vs_f64: torchNoise })], new Map([['a', values], ['zero', noisy]])).failures;
    expect(report(undefined)).toHaveLength(1);
    expect(report(1e-6 * globalMax)).toHaveLength(1);
    expect(report(1e-5 * globalMax)).toEqual([]);
  });
});
