/**
 * `ulseg demo --preset tiny` as a user runs it (a private bundle of the CLI, lavapipe): the whole chain synth →
 * preprocess → train (folds 1-2 of a 3-fold split, 2 epochs) → infer (ensemble x flips) → postprocess → evaluate → ablation → visualize
 * → report.html with every section; `ulseg evaluate --ablation` on the demo's checkpoints gives the demo's table;
 * and the refusal to write into a folder that holds something.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodePng } from '@ulseg/data';
import { readSafetensors } from '@ulseg/model';
import { REPORT_SECTIONS } from '../src/commands/demo-report.js';

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
  const result = await ulseg('demo', '--preset', 'tiny', '--out', 'run', '--networks', 'linknet,unet');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code, result.stderr).toBe(0);
  const out = join(scratch, 'run');
  for (const step of ['[1/9] synth', '[2/9] preprocess', '[3/9] train', '[4/9] infer', '[5/9] postprocess', '[6/9] evaluate', '[7/9] ablation', '[8/9] visualize', '[9/9] networks']) {
    expect(result.stdout).toContain(step);
  }
  expect(result.stdout).toContain(`open         ${join(scratch, 'run', 'report.html')}`);
  const summary = /done in .*: mean Dice ([0-9.]+) on 2 held-out scans/.exec(result.stdout);
  expect(summary, result.stdout.slice(-2000)).not.toBeNull();
  for (const fold of [1, 2]) {
    const best = readSafetensors(new Uint8Array(readFileSync(join(out, 'weights', `fold${fold}`, 'best.safetensors'))), 'best');
    expect(best.weights.size).toBeGreaterThan(200);
    expect(readFileSync(join(out, 'weights', `fold${fold}`, 'curves.svg'), 'utf8')).toMatch(/^<svg/);
  }
  // The tiny preset trains folds 1 and 2 of a 3-fold split, as the quick preset trains fold 1 of 6: fold 3 is never trained.
  expect(existsSync(join(out, 'weights', 'fold3'))).toBe(false);
  expect(readFileSync(join(out, 'train.csv'), 'utf8')).toMatch(/,3\s*$/m);
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
  // Every section, in the order the issue asks for: overlays first, then the ablation table, curves, times, machine.
  const positions = REPORT_SECTIONS.map((id) => report.indexOf(`<section id="${id}">`));
  expect(positions.every((position) => position > 0), REPORT_SECTIONS.join(',')).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  for (const step of ['synth', 'preprocess', 'train', 'infer', 'postprocess', 'evaluate', 'ablation', 'visualize']) expect(report).toMatch(new RegExp(`<tr><td>${step}</td><td>[0-9][^<]* s</td>`));
  expect(report).toMatch(/<th>adapter<\/th><td>[^<]*llvmpipe[^<]*\(--adapter/);
  expect(report).toContain('src="phantoms.png"');
  expect(report).toContain('folds 1-2 of a 3-fold split, 2 epochs');
  expect(report).toContain('ensemble of 2 best checkpoints');
  const phantoms = decodePng(new Uint8Array(readFileSync(join(out, 'phantoms.png'))), 'phantoms.png');
  expect(phantoms.width).toBeGreaterThan(400);
  // The ablation table: six stages; its last two rows are the pipeline's own masks before and after post-processing.
  const ablation = readFileSync(join(out, 'ablation.csv'), 'utf8').trim().split('\n').map((line) => line.split(','));
  expect(ablation.map((row) => row[0])).toEqual(['stage', '"Otsu + largest component"', '"one model"', '"+ flip TTA"', '"+ 2-model ensemble"', '"+ RSIP"', '"+ EMF"']);
  const rawMean = Number(readFileSync(join(out, 'metrics-raw.csv'), 'utf8').trim().split('\n').at(-1)!.split(',')[1]);
  expect(Number(ablation[4]![1])).toBeCloseTo(rawMean, 6);
  expect(Number(ablation[6]![1])).toBeCloseTo(Number(mean[1]), 6);
  for (const row of ablation.slice(1)) expect(report).toContain(`<td><b>${Number(row[1]).toFixed(4)}</b></td>`);
  // --networks linknet,unet: Unet trained on the same folds into weights-unet, scored by the same pipeline, and one
  // table in the report whose Linknet row is the ablation above.
  expect(result.stdout).toMatch(/networks \(mean Dice on 2 held-out scans\): one model \(fold 1\) \| ensemble \+ flip TTA \| after RSIP \+ EMF\n {2}Linknet on efficientnet-b0 +[0-9.]+ +[0-9.]+ +[0-9.]+\n {2}Unet on efficientnet-b0 +[0-9.]+ +[0-9.]+ +[0-9.]+\n/);
  for (const fold of [1, 2]) {
    const unet = readSafetensors(new Uint8Array(readFileSync(join(out, 'weights-unet', `fold${fold}`, 'best.safetensors'))), 'best');
    expect(unet.metadata).toMatchObject({ network: 'unet', encoder: 'efficientnet-b0' });
  }
  const section = report.slice(report.indexOf('<section id="networks">'));
  expect(report.indexOf('<section id="networks">')).toBeGreaterThan(report.indexOf('<section id="ablation">'));
  const networkRows = [...section.slice(0, section.indexOf('</section>')).matchAll(/<tr><td>(\w+)<\/td><td>([^<]+)<\/td><td>([0-9.]+)<\/td><td>([0-9.]+)<\/td><td>(?:<b>)?([0-9.]+)/g)];
  expect(networkRows.map((row) => [row[1], row[2]])).toEqual([['Linknet', 'Linknet on efficientnet-b0'], ['Unet', 'Unet on efficientnet-b0']]);
  expect(networkRows[0]!.slice(3, 6).map(Number)).toEqual([ablation[2]![1], ablation[4]![1], ablation[6]![1]].map((value) => Number(Number(value).toFixed(4))));
  const badList = await ulseg('demo', '--preset', 'tiny', '--out', 'never', '--networks', 'linknet,segnet');
  expect(badList.code).not.toBe(0);
  expect(badList.stderr).toMatch(/--networks.*unknown network 'segnet'; available: linknet, unet, fpn, pspnet, pan, deeplabv3plus/);
  expect(existsSync(join(scratch, 'never'))).toBe(false);

  const again = await ulseg('evaluate', '--ablation', '--weights', 'run/weights/fold1/best.safetensors', 'run/weights/fold2/best.safetensors',
    '--images', 'run/data/test_data/img', '--truth', 'run/data/test_data/label', '--tta', 'identity,hflip', '--out', 'again.csv');
  expect(again.code, again.stderr).toBe(0);
  // No --image-resolution: the 64 px the checkpoints record (at the default 256 the table would differ).
  expect(again.stdout).toMatch(/running at 64 px, the resolution the checkpoint\(s\) record/);
  expect(again.stdout).toMatch(/\+ EMF +[0-9.]+/);
  expect(readFileSync(join(scratch, 'again.csv'), 'utf8')).toBe(readFileSync(join(out, 'ablation.csv'), 'utf8'));
  const misused = await ulseg('evaluate', '--ablation', '--images', 'run/data/test_data/img', '--truth', 'run/data/test_data/label');
  expect(misused.code).not.toBe(0);
  expect(misused.stderr).toContain('--ablation needs --weights');
  expect(misused.stderr).not.toMatch(/\n\s+at /);

  writeFileSync(join(scratch, 'occupied.txt'), 'x');
  mkdirSync(join(scratch, 'taken'));
  writeFileSync(join(scratch, 'taken', 'mine.txt'), 'keep');
  const refused = await ulseg('demo', '--preset', 'tiny', '--out', 'taken');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain("--out 'taken' is not empty");
  expect(readFileSync(join(scratch, 'taken', 'mine.txt'), 'utf8')).toBe('keep');
  expect(existsSync(join(scratch, 'taken', 'data'))).toBe(false);
});
