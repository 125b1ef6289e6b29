/**
 * ulseg synth → preprocess → train as a user runs them (a private bundle of the CLI, lavapipe), Linknet-B0 at 64 px
 * on a few phantoms; preprocess on the challenge's committed sizes; --help; and the errors.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, parseTrainCsv } from '@ulseg/data';
import { readSafetensors } from '@ulseg/model';
import { parseLogCsv } from '@ulseg/train';

const committedCsv = fileURLToPath(new URL('../../../test/fixtures/bdci-samples/train_data/train.csv', import.meta.url));
let cli: PrivateCli;
let scratch = '';
const at = (...parts: string[]): string => join(scratch, ...parts);

const ulseg = (...args: string[]): Promise<CliResult> => cli.run(args, { cwd: scratch });

/** The `ulseg:` and commander `error:` lines of a failed command (not Dawn's adapter warnings). */
const failureOf = (result: { stderr: string }): string =>
  result.stderr
    .split('\n')
    .filter((line) => line.startsWith('ulseg:') || line.startsWith('error:'))
    .join('\n');

const noStackTrace = (result: { stderr: string }): void => expect(result.stderr).not.toMatch(/\n\s+at /);

beforeAll(async () => {
  cli = await privateCli('train');
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-train-cli-'));
}, 120_000);

afterAll(() => {
  cli?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('ulseg synth, preprocess, train', () => {
  it('--help explains every option of the three commands', async () => {
    const expected: Record<string, string[]> = {
      synth: ['--out', '--count', '--test-count', '--seed', '--folds'],
      preprocess: ['--image-path', '--out', '--csv-path', '--folds', '--seed', '--size-thresholds', '--sizes-from'],
      train: [
        '--input-channel', '--output-class', '--image-resolution', '--epochs', '--final-resolution', '--final-epochs', '--batch-size', '--validation-batch-size', '--backbone',
        '--network', '--initial-learning-rate', '--t-max', '--eta-min', '--folds', '--k-th-fold', '--fold-file-list', '--train-dataset-path',
        '--train-gt-dataset-path', '--weights-path', '--bce-weight', '--dice-reduction', '--drop-connect-rate', '--seed', '--no-augment', '--augment-preview',
        '--bn-recalibrate', '--no-bn-recalibrate', '--resume', '--init-weights', '--adapter',
      ],
    };
    const top = await ulseg('--help');
    for (const command of Object.keys(expected)) expect(top.stdout).toContain(command);
    for (const [command, options] of Object.entries(expected)) {
      const { code, stdout } = await ulseg(command, '--help');
      expect(code).toBe(0);
      for (const option of options) expect(stdout, `${command} ${option}`).toMatch(new RegExp(`${option}[ ,=<]`));
    }
    const train = (await ulseg('train', '--help')).stdout.replace(/\s+/g, ' ');
    expect(train).toContain('(default: "efficientnet-b6")');
    expect(train).toContain('(default: 0.001)');
    expect(train).toContain('(default: 110)');
  });

  it('preprocess on the challenge sizes: tertiles 12097 and 23493, every fold the same grade mix; README thresholds as an option', async () => {
    const out = at('regraded.csv');
    const result = await ulseg('preprocess', '--sizes-from', committedCsv, '--out', out, '--folds', '5', '--seed', '2020');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/215 sizes from .*: grades by tertiles 12097 and 23493 px/);
    const table = parseTrainCsv(readFileSync(out, 'utf8'), out);
    expect(table.rows).toHaveLength(215);
    const counts = [0, 1, 2].map((grade) => [1, 2, 3, 4, 5].map((fold) => table.rows.filter((row) => row.grade === grade && row.fold === fold).length));
    for (const perFold of counts) expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    expect(counts.map((perFold) => perFold.reduce((a, b) => a + b))).toEqual([71, 72, 72]);
    const readme = await ulseg('preprocess', '--sizes_from', committedCsv, '--csv_path', at('readme.csv'), '--size-thresholds', '3200,7200');
    expect(readme.stdout).toMatch(/fixed thresholds 3200 and 7200 px .*: 1 small, 21 medium, 193 large/);
    expect(readdirSync(scratch).filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  it('synth → preprocess → train (B0, 64 px, 2 epochs, one fold) writes checkpoints, log and curves; --resume skips the finished fold', { timeout: 600_000 }, async () => {
    const synth = await ulseg('synth', '--out', at('phantoms'), '--count', '9', '--test-count', '2', '--seed', '4', '--folds', '3');
    expect(synth.code, synth.stderr).toBe(0);
    expect(synth.stdout).toMatch(/wrote 9 training and 2 test scans \(seed 4\)/);
    expect(readdirSync(at('phantoms/train_data/img'))).toHaveLength(9);
    expect(readdirSync(at('phantoms/test_data/label'))).toHaveLength(2);

    const csv = at('phantoms/train_data/train.csv');
    const preprocess = await ulseg('preprocess', '--image-path', at('phantoms/train_data/label'), '--out', csv, '--folds', '3', '--seed', '7');
    expect(preprocess.code, preprocess.stderr).toBe(0);
    expect(preprocess.stdout).toMatch(/9 masks in .*: grades by tertiles/);
    expect(parseTrainCsv(readFileSync(csv, 'utf8'), csv).rows.filter((row) => row.fold === 2)).toHaveLength(3);

    const weights = at('weights');
    const options = [
      '--train_dataset_path', at('phantoms/train_data/img'), '--train-gt-dataset-path', at('phantoms/train_data/label'),
      '--fold-file-list', csv, '--weights-path', weights, '--backbone', 'efficientnet-b0', '--image_resolution', '64',
      '--epochs', '2', '--batch-size', '3', '--folds', '3', '--k-th-fold', '2', '--seed', '5',
    ];
    const preview = await ulseg('train', ...options, '--augment-preview', '5');
    expect(preview.code, preview.stderr).toBe(0);
    const picture = decodePng(new Uint8Array(readFileSync(join(weights, 'augment-preview.png'))), 'preview');
    expect([picture.width, picture.height]).toEqual([3 * 64 + 2 * 2, 2 * 64 + 2]);
    expect(existsSync(join(weights, 'fold2'))).toBe(false);

    const train = await ulseg('train', ...options);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/fold 2: 6 training and 3 validation images, 2 steps per epoch, epochs 1\.\.2; BN recalibration before each validation on/);
    expect(train.stdout).toMatch(/fold 2 epoch 2\/2: lr \d\.\d+e-\d+ \| train loss \d\.\d+ Dice \d\.\d+ \| validation loss \d\.\d+ Dice \d\.\d+ IoU \d\.\d+/);
    expect(train.stdout).toMatch(/trained 1 fold in .*\n  fold 2: best epoch 1, validation loss \d\.\d+, Dice \d\.\d+ → .*fold2\/best\.safetensors/);
    const fold = join(weights, 'fold2');
    expect(readdirSync(fold).sort()).toEqual(['best.safetensors', 'curves.svg', 'last.safetensors', 'log.csv']);
    const best = readSafetensors(new Uint8Array(readFileSync(join(fold, 'best.safetensors'))));
    expect(best.weights.size).toBe(455);
    expect(best.metadata).toMatchObject({ encoder: 'efficientnet-b0', image_resolution: '64', fold: '2', epoch: '1' });
    expect(readSafetensors(new Uint8Array(readFileSync(join(fold, 'last.safetensors')))).weights.size).toBe(455 + 2 * 260);
    const log = parseLogCsv(readFileSync(join(fold, 'log.csv'), 'utf8'), 'log.csv');
    expect(log.map((row) => row.epoch)).toEqual([1, 2]);
    expect(log.every((row) => Number.isFinite(row.trainLoss) && row.validationDice >= 0 && row.validationDice <= 1)).toBe(true);
    const svg = readFileSync(join(fold, 'curves.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('mean per-image Dice');

    const again = await ulseg('train', ...options);
    expect(again.code).toBe(1);
    expect(failureOf(again)).toMatch(/^ulseg: .*fold2\/best\.safetensors exists: .*fold2 holds an earlier run\. Resume it \(--resume\) or choose another weights path/);
    const resumed = await ulseg('train', ...options, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('fold 2: already finished in an earlier run');
    expect(readdirSync(fold).filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  it('bad input: one line naming the option or file and the problem, no stack trace', async () => {
    const checks: [string[], RegExp][] = [
      [['train', '--fold-file-list', at('absent.csv')], /^ulseg: --fold-file-list '.*absent\.csv': no such file \(ulseg preprocess writes one\)$/],
      [['train', '--network', 'segnet'], /argument 'segnet' is invalid\. unknown network 'segnet'; available: linknet, unet, fpn, pspnet, pan, deeplabv3plus\.$/],
      [['train', '--network', 'PAN', '--image-resolution', '96', '--fold-file-list', committedCsv], /^ulseg: image resolution: PAN needs inputs of at least 128x128 \(its FPA block halves the 1\/16 map three times\), got 96x96$/],
      [['train', '--backbone', 'resnet99'], /argument 'resnet99' is invalid\. unknown backbone 'resnet99'; available: resnet18, resnet34, resnet50, efficientnet-b0, /],
      [['train', '--network', 'linknet', '--decoder-attention', 'scse', '--fold-file-list', committedCsv], /^ulseg: decoder attention 'scse' exists for unet only, not linknet$/],
      [['train', '--image-resolution', '100', '--fold-file-list', committedCsv], /argument '100' is invalid\. expected a multiple of 32 from 64 to 4096 \(the encoder downsamples 5 times\), e\.g\. 256; got '100'\.$/],
      [['train', '--fold-file-list', committedCsv, '--train-dataset-path', at('nowhere')], /^ulseg: .*nowhere: folder not found$/],
      [['train', '--k-th-fold', '6', '--fold-file-list', committedCsv], /^ulseg: --k-th-fold 6 is outside 1\.\.5 \(--folds 5\)$/],
      [['preprocess', '--image-path', at('no-masks')], /^ulseg: .*no-masks: folder not found$/],
      [['preprocess', '--size-thresholds', '7200'], /argument '7200' is invalid\. --size-thresholds wants two areas in pixels/],
      [['synth', '--out', at('existing'), '--count', '2', '--folds', '2'], /^ulseg: --out '.*existing' is not empty \(train_data\): name a new or empty folder/],
      [['synth', '--out', at('x'), '--count', 'many'], /argument 'many' is invalid\. expected an integer >= 1/],
    ];
    mkdirSync(at('existing/train_data'), { recursive: true });
    for (const [args, message] of checks) {
      const result = await ulseg(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(failureOf(result), args.join(' ')).toMatch(message);
      noStackTrace(result);
    }
  }, 120_000);
});
