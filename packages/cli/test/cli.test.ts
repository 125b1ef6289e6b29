import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '@ulseg/autograd';
import { readSafetensors } from '@ulseg/model';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const cli = join(packageRoot, 'dist/ulseg.js');
const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
let scratch = '';


async function ulseg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [cli, ...args], { env: { ...process.env, ULSEG_ADAPTER: 'lavapipe' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

beforeAll(async () => {
  await promisify(execFile)('node', ['build.mjs'], { cwd: packageRoot });
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-cli-'));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('ulseg', () => {
  it('--help lists the commands and each command has its own help', async () => {
    const { code, stdout } = await ulseg('--help');
    expect(code).toBe(0);
    for (const command of ['info', 'demo', 'convert']) expect(stdout).toContain(command);
    const convert = await ulseg('convert', '--help');
    expect(convert.stdout).toMatch(/Usage: ulseg convert.*<input> <output>/s);
  });

  it('info names the adapter and its limits', async () => {
    const { code, stdout } = await ulseg('info');
    expect(code).toBe(0);
    expect(stdout).toMatch(/adapter: .*llvmpipe.*\(lavapipe\)/);
    expect(stdout).toMatch(/maxStorageBufferBindingSize 128 MiB/);
  });

  it('demo --help names every step and preset (the run itself: demo.test.ts)', async () => {
    const { code, stdout } = await ulseg('demo', '--help');
    expect(code).toBe(0);
    for (const word of ['synth', 'preprocess', 'training', 'TTA', 'report.html', 'quick', 'tiny', 'seed', '--out', '--preset', '--adapter']) {
      expect(stdout).toContain(word);
    }
  });

  it('convert turns the original .pth into safetensors with every key and value', async () => {
    const output = join(scratch, 'model.safetensors');
    const { code, stdout } = await ulseg('convert', join(fixtures, 'linknet-b0/model.pth'), output);
    expect(code).toBe(0);
    expect(stdout).toContain('455 tensors');
    const { weights, metadata } = readSafetensors(new Uint8Array(readFileSync(output)));
    expect(weights.size).toBe(455);
    expect(metadata.converted_from).toBe('model.pth');
    expect(readdirSync(scratch).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('forward reproduces the original eval logits and writes the Dice gradients of every parameter', async () => {
    const output = join(scratch, 'logits.npy');
    const grads = join(scratch, 'grads.safetensors');
    const { code, stdout } = await ulseg(
      'forward', '--weights', join(fixtures, 'linknet-b0/model.pth'), '--input', join(fixtures, 'linknet-b0/input.npy'),
      '--output', output, '--target', join(fixtures, 'linknet-b0/target.npy'), '--grads', grads, '--mode', 'train',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/efficientnet-b0, train mode/);
    expect(readSafetensors(new Uint8Array(readFileSync(grads))).weights.size).toBe(260);
    const evalOutput = join(scratch, 'eval.npy');
    expect((await ulseg('forward', '--weights', join(fixtures, 'linknet-b0/model.pth'), '--input', join(fixtures, 'linknet-b0/input.npy'), '--output', evalOutput)).code).toBe(0);
    const got = parseNpy(readFileSync(evalOutput)).data;
    const want = parseNpy(readFileSync(join(fixtures, 'linknet-b0/eval_logits.npy'))).data;
    expect(got.length).toBe(want.length);
    expect(Math.max(...got.map((value, index) => Math.abs(value - want[index]!)))).toBeLessThan(2e-6);
    const odd = await ulseg('forward', '--weights', join(fixtures, 'linknet-b0/model.pth'), '--input', join(fixtures, 'b6/block-31/input.npy'), '--output', evalOutput);
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/model input has 200 channels; the model was built for 1/);
  }, 180_000);

  it('bad input: one line naming the file and the problem, exit code 1, nothing written', async () => {
    const output = join(scratch, 'never.safetensors');
    const missing = await ulseg('convert', join(scratch, 'absent.pth'), output);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`ulseg: weights '${join(scratch, 'absent.pth')}': no such file`);
    const wrong = await ulseg('convert', join(fixtures, 'linknet-b0/input.npy'), output);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/input.npy: neither a safetensors file nor a PyTorch .pth/);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(output)).toBe(false);
    const unknown = await ulseg('info', '--adapter', 'cuda');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/Allowed choices are auto, lavapipe, swiftshader, hardware/);
  }, 60_000);
});
