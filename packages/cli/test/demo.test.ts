/**
 * `ulseg demo --preset tiny` as a user runs it (a private bundle of the CLI, lavapipe): the whole chain synth →
 * preprocess → train (2 folds, 1 epoch) → infer (ensemble x flips) → postprocess → evaluate → visualize → report.html,
 * and the refusal to write into a folder that holds something.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodePng } from '@ulseg/data';
import { readSafetensors } from '@ulseg/model';

let cli: PrivateCli;
let scratch = '';

const ulseg = (...args: string[]): Promise<CliResult> => cli.run(args, { cwd: scratch });

beforeAll(async () => {
  cli = await privateCli('demo');
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-demo-test-'));
}, 120_000);

afterAll(() => {
  cli?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

it('runs every step of the pipeline and writes report.html with curves, scores and overlays', { timeout: 900_000 }, async () => {
  const result = await ulseg('demo', '--preset', 'tiny', '--out', 'run');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code, result.stderr).toBe(0);
  const out = join(scratch, 'run');
  for (const step of ['[1/7] synth', '[2/7] preprocess', '[3/7] train', '[4/7] infer', '[5/7] postprocess', '[6/7] evaluate', '[7/7] visualize']) {
    expect(result.stdout).toContain(step);
  }
  const summary = /done in .*: mean Dice ([0-9.]+) on 2 held-out scans/.exec(result.stdout);
  expect(summary, result.stdout.slice(-2000)).not.toBeNull();
  for (const fold of [1, 2]) {
    const best = readSafetensors(new Uint8Array(readFileSync(join(out, 'weights', `fold${fold}`, 'best.safetensors'))), 'best');
    expect(best.weights.size).toBeGreaterThan(200);
    expect(readFileSync(join(out, 'weights', `fold${fold}`, 'curves.svg'), 'utf8')).toMatch(/^<svg/);
  }
  const tests = readdirSync(join(out, 'data', 'test_data', 'img')).sort();
  expect(tests).toHaveLength(2);
  for (const folder of ['predict', 'predict-postprocessed', 'overlays']) expect(readdirSync(join(out, folder)).sort()).toEqual(tests);
  for (const name of tests) {
    const scan = decodePng(new Uint8Array(readFileSync(join(out, 'data', 'test_data', 'img', name))), name);
    const mask = decodePng(new Uint8Array(readFileSync(join(out, 'predict-postprocessed', name))), name);
    expect([mask.width, mask.height]).toEqual([scan.width, scan.height]);
    expect(new Set(mask.data)).toSatisfy((values: Set<number>) => [...values].every((value) => value === 0 || value === 255));
  }
  const metrics = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
  expect(metrics[0]).toBe('id,dice,iou,predicted_pixels,truth_pixels,intersection_pixels');
  const mean = metrics.at(-1)!.split(',');
  expect(mean[0]).toBe('mean');
  expect(Number(mean[1])).toBeCloseTo(Number(summary![1]), 4);
  const report = readFileSync(join(out, 'report.html'), 'utf8');
  expect(report).toContain('weights/fold1/curves.svg');
  expect(report).toContain('weights/fold2/curves.svg');
  for (const name of tests) expect(report).toContain(`overlays/${name}`);
  expect(report).toContain(`<b>${Number(summary![1]).toFixed(4)}</b>`);

  writeFileSync(join(scratch, 'occupied.txt'), 'x');
  mkdirSync(join(scratch, 'taken'));
  writeFileSync(join(scratch, 'taken', 'mine.txt'), 'keep');
  const refused = await ulseg('demo', '--preset', 'tiny', '--out', 'taken');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain("--out 'taken' is not empty");
  expect(readFileSync(join(scratch, 'taken', 'mine.txt'), 'utf8')).toBe('keep');
  expect(existsSync(join(scratch, 'taken', 'data'))).toBe(false);
});
