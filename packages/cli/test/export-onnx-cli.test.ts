/**
 * `ulseg export-onnx` end to end: a private bundle of the CLI (packages/cli's buildCli), run on the original
 * model.pth and on a safetensors copy, the file read back; --help, and the errors users see (one line, no stack trace, exit code 1).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';
import { inspectOnnx, readOnnxInitializers, readPth, writeSafetensors } from '@ulseg/model';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MODEL_PTH = join(ROOT, 'test/fixtures/linknet-b0/model.pth');
let scratch = '';
let cli: PrivateCli;

const ulseg = (...args: string[]): Promise<CliResult> => cli.run(args, { env: { ULSEG_DEBUG: '' } });

/** stderr without Dawn's start-up warnings. */
const errors = (stderr: string): string[] => stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Warning: '));

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-export-onnx-'));
  cli = await privateCli('export-onnx');
}, 120_000);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  cli?.dispose();
});

describe('ulseg export-onnx', () => {
  it('--help explains every option', async () => {
    const { code, stdout } = await ulseg('export-onnx', '--help');
    expect(code).toBe(0);
    for (const option of ['--weights <file>', '--out <file>', '--image-resolution <pixels>', '--batch <n|dynamic>', '--encoder <name>', '--adapter <kind>']) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toMatch(/opset 17/);
    expect((await ulseg('--help')).stdout).toContain('export-onnx');
  });

  it('exports the original model.pth at 64 px with a dynamic batch, atomically, and says what it wrote', { timeout: 120_000 }, async () => {
    const out = join(scratch, 'models', 'b0.onnx');
    const { code, stdout, stderr } = await ulseg('export-onnx', '--weights', MODEL_PTH, '--out', out, '--image-resolution', '64', '--batch', 'dynamic');
    expect(errors(stderr)).toEqual([]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote .*b0\.onnx \(\d+\.\d MiB\): Linknet efficientnet-b0, ONNX opset 17/);
    expect(stdout).toContain("input 'input' [batch, 1, 64, 64] float32 -> 'logits' [batch, 1, 64, 64]");
    expect(stdout).toMatch(/331 nodes: 91 Conv, 64 Sigmoid, 64 Mul, 63 BatchNormalization/);
    expect(readdirSync(join(scratch, 'models'))).toEqual(['b0.onnx']);
    const bytes = new Uint8Array(readFileSync(out));
    const summary = inspectOnnx(bytes, out);
    expect(summary.inputs[0]!.shape).toEqual(['batch', 1, 64, 64]);
    expect(summary.metadata).toMatchObject({ encoder: 'efficientnet-b0', weights: 'model.pth' });
    const weights = await readPth(new Uint8Array(readFileSync(MODEL_PTH)), 'model.pth');
    const stem = readOnnxInitializers(bytes).get('encoder._conv_stem.weight')!;
    expect([...stem]).toEqual([...weights.get('encoder._conv_stem.weight')!.data]);
  });

  it('takes a safetensors checkpoint and a fixed batch', { timeout: 120_000 }, async () => {
    const weights = await readPth(new Uint8Array(readFileSync(MODEL_PTH)), 'model.pth');
    const checkpoint = join(scratch, 'b0.safetensors');
    writeFileSync(checkpoint, writeSafetensors(weights));
    const out = join(scratch, 'b0-batch4.onnx');
    const { code, stdout } = await ulseg('export-onnx', '--weights', checkpoint, '--out', out, '--image-resolution', '96', '--batch', '4');
    expect(code).toBe(0);
    expect(stdout).toContain("input 'input' [4, 1, 96, 96]");
    expect(inspectOnnx(new Uint8Array(readFileSync(out))).outputs[0]!.shape).toEqual([4, 1, 96, 96]);
  });

  it('refuses bad options and inputs with one clear line', { timeout: 120_000 }, async () => {
    const out = join(scratch, 'never.onnx');
    const missing = await ulseg('export-onnx', '--weights', join(scratch, 'nope.pth'), '--out', out);
    expect(missing.code).toBe(1);
    expect(errors(missing.stderr)).toEqual([`ulseg: --weights '${join(scratch, 'nope.pth')}': no such file`]);

    const resolution = await ulseg('export-onnx', '--weights', MODEL_PTH, '--out', out, '--image-resolution', '100');
    expect(resolution.code).not.toBe(0);
    expect(resolution.stderr).toMatch(/option '--image-resolution <pixels>' argument '100' is invalid\. expected a multiple of 32 from 32 to 4096/);

    const batch = await ulseg('export-onnx', '--weights', MODEL_PTH, '--out', out, '--batch', 'many');
    expect(batch.code).not.toBe(0);
    expect(batch.stderr).toMatch(/option '--batch <n\|dynamic>' argument 'many' is invalid\. expected a positive integer or 'dynamic'/);

    const foreign = join(scratch, 'foreign.safetensors');
    writeFileSync(foreign, writeSafetensors(new Map([['fc.weight', { shape: [2, 2], data: new Float32Array(4) }]])));
    const notLinknet = await ulseg('export-onnx', '--weights', foreign, '--out', out);
    expect(notLinknet.code).toBe(1);
    expect(errors(notLinknet.stderr)).toEqual([`ulseg: ${foreign}: no 'encoder._conv_stem.weight' (EfficientNet) or 'encoder.conv1.weight' (ResNet) among its 1 tensors (fc.weight, …): not a segmentation model state_dict`]);

    const junk = join(scratch, 'junk.pth');
    writeFileSync(junk, 'not weights at all');
    const unreadable = await ulseg('export-onnx', '--weights', junk, '--out', out);
    expect(unreadable.code).toBe(1);
    expect(errors(unreadable.stderr)).toEqual([`ulseg: ${junk}: neither a safetensors file nor a PyTorch .pth (zip) file`]);

    const intoFolder = await ulseg('export-onnx', '--weights', MODEL_PTH, '--out', scratch, '--image-resolution', '64');
    expect(intoFolder.code).toBe(1);
    expect(errors(intoFolder.stderr)).toHaveLength(1);
    expect(intoFolder.stderr).toMatch(/ulseg: --out '.*' is a folder: give a file name/);
    expect(readdirSync(scratch).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(scratch)).not.toContain('never.onnx');
  });
});
