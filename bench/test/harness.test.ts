/**
 * Smoke test of the bench harness itself on tiny shapes: one Node run on lavapipe (2 repeats, tfjs on the same
 * device), the JSON schema of its record, and the markdown / SVG / HTML writers. Timing is never asserted.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unary } from '@ulseg/kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Benchmark } from '../src/definition.js';
import { runInNode } from '../src/node/node-run.js';
import { SCHEMA, type Measurement, type RunRecord } from '../src/schema.js';
import { gitInfo } from '../src/report/metadata.js';
import { recordFileName, writeRun } from '../src/report/write.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const tiny: Benchmark[] = [
  {
    name: 'tiny copy',
    family: 'copy',
    pass: 'forward',
    shape: { elements: 4096 },
    flops: 0,
    bytes: 2 * 4096 * 4,
    metric: 'gbs',
    requires: [],
    copyBandwidth: true,
    setup({ gpu, random }) {
      const source = random([4096]);
      const destination = gpu.empty([4096]);
      return { run: () => gpu.copy(source, destination), dispose: () => [source, destination].forEach((tensor) => gpu.release(tensor)) };
    },
  },
  {
    name: 'tiny relu',
    family: 'elementwise',
    pass: 'forward',
    shape: { N: 2, C: 3, H: 8, W: 8 },
    flops: 384,
    bytes: 2 * 384 * 4,
    metric: 'gbs',
    requires: [],
    setup({ gpu, random }) {
      const relu = unary;
      const x = random([2, 3, 8, 8]);
      const y = gpu.empty([2, 3, 8, 8]);
      return { run: () => void relu(gpu, 'relu', x, y), dispose: () => [x, y].forEach((tensor) => gpu.release(tensor)) };
    },
    peer: {
      note: 'tfjs relu',
      setup(tf) {
        const x = tf.randomUniform([2, 8, 8, 3], -1, 1);
        return { run: () => tf.relu(x), dispose: () => x.dispose() };
      },
    },
  },
  {
    name: 'tiny unlisted launcher',
    family: 'matmul',
    pass: 'forward',
    shape: { N: 1 },
    flops: 10,
    bytes: 10,
    metric: 'gflops',
    requires: [{ name: 'conv2d' }],
    setup: ({ launcher }) => {
      launcher('gemm');
      throw new Error('never reached: gemm is not in requires');
    },
  },
  {
    name: 'tiny failing setup',
    family: 'reduce',
    pass: 'forward',
    shape: { N: 1 },
    flops: 10,
    bytes: 10,
    metric: 'gbs',
    requires: [],
    setup: () => {
      throw new Error('setup exploded on purpose');
    },
  },
];

let record: RunRecord;
const lines: string[] = [];
const outDir = mkdtempSync(join(tmpdir(), 'ulseg-bench-test-'));

beforeAll(async () => {
  record = await runInNode({
    adapter: 'lavapipe',
    benchmarks: tiny,
    settings: { warmup: 1, repeats: 2, maxSeconds: 5, filter: 'tiny', peers: true },
    stamp: '2000-01-01T00-00',
    command: 'vitest bench/test/harness.test.ts',
    git: gitInfo(ROOT),
    log: (line) => lines.push(line),
  });
}, 180_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const byName = (name: string) => {
  const result = record.results.find((entry) => entry.name === name);
  if (!result) throw new Error(`no result for ${name}`);
  return result;
};

function expectMeasurement(value: unknown): asserts value is Measurement {
  const outcome = value as Measurement;
  expect(outcome.status).toBe('ok');
  expect(['gpu-timestamps', 'wall']).toContain(outcome.timing);
  expect(outcome.repeats).toBe(2);
  expect(outcome.warmup).toBe(1);
  expect(outcome.samplesMs).toHaveLength(2);
  for (const key of ['coldMs', 'medianMs', 'p90Ms', 'minMs', 'wallMedianMs', 'bytesAllocated'] as const) {
    expect(typeof outcome[key], key).toBe('number');
    expect(Number.isFinite(outcome[key]), key).toBe(true);
  }
  expect(outcome.p90Ms).toBeGreaterThanOrEqual(outcome.medianMs);
  expect(outcome.minMs).toBeLessThanOrEqual(outcome.medianMs);
}

describe('bench harness on lavapipe (tiny shapes)', () => {
  it('writes the run metadata of the schema', () => {
    expect(record.schema).toBe(SCHEMA);
    expect(record.suite).toBe('kernels');
    expect(new Date(record.date).toISOString()).toBe(record.date);
    expect(record.stamp).toBe('2000-01-01T00-00');
    expect(record.label).toBe('node/lavapipe');
    expect(record.adapter.kind).toBe('lavapipe');
    expect(record.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(record.host.node).toBe(process.version);
    expect(record.host.loadAverage).toHaveLength(3);
    expect(record.runtime).toMatchObject({ kind: 'node', browser: null, flags: [] });
    expect(record.settings).toMatchObject({ warmup: 1, repeats: 2, filter: 'tiny' });
    expect(record.git.commit === null || /^[0-9a-f]{40}$/.test(record.git.commit)).toBe(true);
    expect(record.peer?.device).toBe('same GPUDevice as ours');
    expect(record.results.map((result) => result.name)).toEqual(tiny.map((benchmark) => benchmark.name));
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('measures ours and tfjs with median, p90, throughput, bytes allocated and the ratio', () => {
    const relu = byName('tiny relu');
    expectMeasurement(relu.ours);
    expectMeasurement(relu.tfjs);
    expect(relu.ours.gbs).toBeGreaterThan(0);
    expect(relu.ours.bytesAllocated).toBeGreaterThan(0);
    expect(relu.ours.buffersCreatedWhileTimed).toBe(0);
    expect(relu.ratio).toBeCloseTo(relu.tfjs.medianMs / relu.ours.medianMs, 10);
    expect(relu.peerNote).toBe('tfjs relu');
    const copy = byName('tiny copy');
    expectMeasurement(copy.ours);
    expect(copy.tfjs).toBeNull();
    expect(record.copyBandwidthGBs).toBe(copy.ours.gbs);
    expect(relu.ours.copyFraction).toBeCloseTo((relu.ours.gbs ?? 0) / (record.copyBandwidthGBs ?? 1), 10);
  });

  it('records a row that fails as an error, naming the cause, and goes on with the next', () => {
    expect(byName('tiny unlisted launcher').ours).toMatchObject({ status: 'error', error: expect.stringContaining("launcher 'gemm' is not in the benchmark's requires list") });
    expect(byName('tiny failing setup').ours).toMatchObject({ status: 'error', error: expect.stringContaining('setup exploded on purpose') });
    expect(lines.filter((line) => line.startsWith('[node/lavapipe]') && line.includes('/4 tiny'))).toHaveLength(4);
  });

  it('writes the JSON, appends RESULTS.md, draws the SVG and regenerates report.html', () => {
    const first = writeRun([record], outDir);
    expect(first.json).toEqual([join(outDir, 'results', recordFileName(record))]);
    expect(JSON.parse(readFileSync(first.json[0] ?? '', 'utf8'))).toEqual(record);

    const markdown = readFileSync(first.markdown, 'utf8');
    expect(markdown).toMatch(/^# Kernel benchmark results/);
    expect(markdown).toContain('## 2');
    expect(markdown).toContain('— node/lavapipe');
    expect(markdown).toContain('| benchmark | shape |');
    expect(markdown).toMatch(/\| tiny relu \| N=2 C=3 H=8 W=8 \| [\d.]+ \/ [\d.]+ \|/);
    expect(markdown).toContain('setup exploded on purpose');

    const svg = readFileSync(first.chart, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('tiny relu');
    expect(svg).toContain('node/lavapipe ours');
    expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThan(3);

    const html = readFileSync(first.report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('<td title="">tiny relu</td>');

    const later: RunRecord = { ...record, stamp: '2000-01-02T00-00', date: '2000-01-02T00:00:00.000Z' };
    const second = writeRun([later], outDir);
    expect(readFileSync(second.markdown, 'utf8').match(/^## /gm)).toHaveLength(2);
    expect(readFileSync(second.report, 'utf8')).toContain('results/2000-01-01T00-00-node-lavapipe.json');
    expect(existsSync(join(outDir, 'results', '2000-01-02T00-00-kernels.svg'))).toBe(true);
  });
});
