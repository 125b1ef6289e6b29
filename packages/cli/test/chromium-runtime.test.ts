/**
 * `--runtime chromium` end to end, as a user runs it (a private bundle of the CLI, with its page), on SwiftShader in
 * both runtimes (Node's Dawn reaches SwiftShader too): Linknet-B0 at 64 px, 2 epochs, fold 1 of 5 on 6 phantoms, batch 1
 * (4 steps per epoch: steps are recorded one ahead of their read-back, so a stop request lands within the epoch).
 *   - Chromium and Node train to the same per-epoch losses (float32 noise) and write the same files: best and last
 *     checkpoints of the same layout (tensors, order, shapes, offsets, metadata) and values within float32 noise;
 *   - `infer --runtime chromium` writes the masks of Node (identical at 0.5) and probabilities within 1e-5;
 *   - a page crashed in epoch 2 is one error naming the epoch and step, last.safetensors of epoch 1 intact, `--resume`
 *     suggested; resuming it in Node reaches the uninterrupted run (Chromium → Node);
 *   - Ctrl-C in Node after epoch 1, then `--resume --runtime chromium` reaches it too (Node → Chromium);
 *   - `info --runtime chromium` prints the adapter the page gets.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '@ulseg/autograd';
import { decodePng } from '@ulseg/data';
import { readSafetensors, writeSafetensors } from '@ulseg/model';
import { decodeCheckpoint, parseLogCsv, type EpochRow } from '@ulseg/train';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';

let cli: PrivateCli;
let scratch = '';
const at = (...parts: string[]): string => join(scratch, ...parts);
const SWIFTSHADER = { ULSEG_ADAPTER: 'swiftshader' };
const ulseg = (...args: string[]): Promise<CliResult> => cli.run(args, { cwd: scratch, env: SWIFTSHADER });

const trainOptions = (weights: string): string[] => [
  'train', '--backbone', 'efficientnet-b0', '--image-resolution', '64', '--epochs', '2', '--batch-size', '1', '--t-max', '3',
  '--folds', '5', '--k-th-fold', '1', '--fold-file-list', 'data/train_data/train.csv', '--train-dataset-path', 'data/train_data/img',
  '--train-gt-dataset-path', 'data/train_data/label', '--weights-path', weights,
];

const log = (weights: string): EpochRow[] => parseLogCsv(readFileSync(at(weights, 'fold1/log.csv'), 'utf8'), weights);

/** Per-epoch losses and metrics equal within float32 noise accumulated over 2 epochs of training. */
function expectSameTraining(actual: EpochRow[], expected: EpochRow[]): void {
  expect(actual.map((row) => row.epoch)).toEqual(expected.map((row) => row.epoch));
  for (const [index, row] of actual.entries()) {
    const reference = expected[index]!;
    expect(row.learningRate).toBe(reference.learningRate);
    for (const key of ['trainLoss', 'validationLoss', 'trainDice', 'validationDice'] as const) {
      expect(Math.abs(row[key] - reference[key]), `epoch ${row.epoch} ${key}: ${row[key]} vs ${reference[key]}`).toBeLessThan(2e-4);
    }
    expect(row.savedBest).toBe(reference.savedBest);
  }
}

/** The tensor part of a safetensors header (names in order, dtypes, shapes, data offsets), without the metadata. */
function tensorLayout(bytes: Uint8Array): string {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
  delete header.__metadata__;
  return JSON.stringify(header);
}

/**
 * A checkpoint the page wrote (its tensors leave the page as bytes through the file service) against Node's of the
 * same run: the same tensors in the same order with the same shapes and offsets, the same metadata but for the
 * per-epoch figures, each tensor's values within float32 training noise (relative L2 distance; a tensor read into
 * another's place or a torn transfer is off by order 1), and the file re-encodes to itself byte for byte.
 */
function expectSameCheckpoint(name: string): void {
  const ours = new Uint8Array(readFileSync(at('chromium/fold1', name)));
  const reference = new Uint8Array(readFileSync(at('node/fold1', name)));
  expect(tensorLayout(ours), name).toBe(tensorLayout(reference));
  const a = readSafetensors(ours, name);
  const b = readSafetensors(reference, name);
  expect(Buffer.from(writeSafetensors(a.weights, a.metadata)).equals(Buffer.from(ours)), `${name}: does not re-encode to itself`).toBe(true);
  expect(Object.keys(a.metadata), name).toEqual(Object.keys(b.metadata));
  for (const key of Object.keys(b.metadata).filter((key) => key !== 'state' && key !== 'validation_loss')) expect(a.metadata[key], `${name} metadata ${key}`).toBe(b.metadata[key]);
  const state = (text: string | undefined): unknown => {
    const parsed = JSON.parse(text ?? '{}') as { fold: number; epochsDone: number; steps: number; finished: boolean; best: { epoch: number } | null; history: EpochRow[] };
    return { ...parsed, best: parsed.best?.epoch ?? null, history: parsed.history.map((row) => [row.epoch, row.savedBest, row.bnRecalibrated]) };
  };
  expect(state(a.metadata.state), `${name} metadata state`).toEqual(state(b.metadata.state));
  for (const [tensor, expected] of b.weights) {
    const actual = a.weights.get(tensor)!.data;
    let difference = 0;
    let norm = 0;
    for (let index = 0; index < expected.data.length; index++) {
      difference += (actual[index]! - expected.data[index]!) ** 2;
      norm += expected.data[index]! ** 2;
    }
    expect(Math.sqrt(difference), `${name} ${tensor}: relative L2 distance to Node's`).toBeLessThanOrEqual(1e-2 * Math.sqrt(norm) + 1e-12);
  }
}

/** Runs the CLI and sends SIGINT once stdout shows `trigger`, as Ctrl-C would. */
function interruptAfter(trigger: RegExp, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn('node', [cli.path, ...args], { cwd: scratch, env: { ...process.env, ...SWIFTSHADER } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && trigger.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  cli = await privateCli('chromium');
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-chromium-cli-'));
  const synth = await ulseg('synth', '--out', 'data', '--count', '6', '--test-count', '2', '--seed', '3');
  expect(synth.code, synth.stderr).toBe(0);
}, 180_000);

afterAll(() => {
  cli?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('ulseg --runtime chromium (SwiftShader in Chromium and in Node)', () => {
  it('--help of train, infer, demo and info offers --runtime node|chromium', async () => {
    for (const command of ['train', 'infer', 'demo', 'info']) {
      const help = (await ulseg(command, '--help')).stdout.replace(/\s+/g, ' ');
      expect(help, command).toContain('--runtime <where>');
      expect(help, command).toContain('choices: "node", "chromium", default: "node"');
    }
  });

  it('info --runtime chromium prints the adapter the page gets and the Chromium flags', { timeout: 180_000 }, async () => {
    const info = await ulseg('info', '--runtime', 'chromium');
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/^runtime: Chromium .*chromium\/swiftshader: .*--use-webgpu-adapter=swiftshader/m);
    expect(info.stdout).toMatch(/^adapter: SwiftShader Device .*\(swiftshader\)/m);
    expect(info.stdout).toMatch(/^limits: /m);
  });

  it('train: Chromium and Node write the same files with the same per-epoch losses; infer writes the same masks', { timeout: 1_500_000 }, async () => {
    const node = await ulseg(...trainOptions('node'));
    expect(node.code, node.stderr).toBe(0);
    const chromium = await ulseg(...trainOptions('chromium'), '--runtime', 'chromium');
    expect(chromium.code, chromium.stderr).toBe(0);
    expect(chromium.stdout).toMatch(/^adapter: SwiftShader Device .* in Chromium$/m);
    expect(chromium.stdout).toMatch(/^fold 1 epoch 2\/2: lr 7\.500e-4 \| train loss /m);
    expect(chromium.stdout).toContain('trained 1 fold in ');
    expect(readdirSync(at('chromium/fold1')).sort()).toEqual(readdirSync(at('node/fold1')).sort());
    expect(readdirSync(at('chromium/fold1')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(at('chromium/fold1/curves.svg'), 'utf8')).toMatch(/^<svg/);
    expectSameTraining(log('chromium'), log('node'));
    const checkpoint = decodeCheckpoint(new Uint8Array(readFileSync(at('chromium/fold1/last.safetensors'))), 'last');
    expect(checkpoint.state.epochsDone).toBe(2);
    expect(checkpoint.optimizer.size).toBeGreaterThan(0);
    for (const name of readdirSync(at('node/fold1')).filter((file) => file.endsWith('.safetensors'))) expectSameCheckpoint(name);

    const inferArgs = ['infer', '--weights', 'node/fold1/best.safetensors', '--test-path', 'data/test_data/img', '--image-resolution', '64', '--save-probabilities'];
    const nodeInfer = await ulseg(...inferArgs, '--out', 'predict-node');
    expect(nodeInfer.code, nodeInfer.stderr).toBe(0);
    const chromiumInfer = await ulseg(...inferArgs, '--out', 'predict-chromium', '--runtime', 'chromium');
    expect(chromiumInfer.code, chromiumInfer.stderr).toBe(0);
    expect(chromiumInfer.stdout).toMatch(/^wrote 2 masks to predict-chromium in /m);
    const names = readdirSync(at('predict-node')).sort();
    expect(names).toHaveLength(2);
    expect(readdirSync(at('predict-chromium')).sort()).toEqual(names);
    for (const name of names) {
      const ours = decodePng(new Uint8Array(readFileSync(at('predict-chromium', name))), name);
      const reference = decodePng(new Uint8Array(readFileSync(at('predict-node', name))), name);
      expect([ours.width, ours.height]).toEqual([reference.width, reference.height]);
      expect(Buffer.from(ours.data).equals(Buffer.from(reference.data)), `${name}: masks differ`).toBe(true);
      const stem = name.replace(/\.png$/, '.npy');
      const p = parseNpy(new Uint8Array(readFileSync(at('predict-chromium-probabilities', stem))), stem);
      const q = parseNpy(new Uint8Array(readFileSync(at('predict-node-probabilities', stem))), stem);
      expect(p.shape).toEqual(q.shape);
      let worst = 0;
      for (let index = 0; index < q.data.length; index++) worst = Math.max(worst, Math.abs(p.data[index]! - q.data[index]!));
      expect(worst, `${name}: probabilities`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('a page crash in epoch 2 is one error naming epoch and step; last.safetensors of epoch 1 is intact; --resume in Node finishes the run', { timeout: 1_200_000 }, async () => {
    const crashed = await cli.run([...trainOptions('crashed'), '--runtime', 'chromium'], { cwd: scratch, env: { ...SWIFTSHADER, ULSEG_TEST_CRASH_AT: '2:1' } });
    expect(crashed.code).toBe(1);
    const failure = crashed.stderr.split('\n').filter((line) => line.startsWith('ulseg:'));
    expect(failure).toHaveLength(1);
    expect(failure[0]).toMatch(/^ulseg: the Chromium page crashed .* in fold 1, epoch 2\/2, step 1\/4\. crashed\/fold1\/last\.safetensors \(epoch 1\) is intact: run the same command with --resume/);
    expect(crashed.stderr).not.toMatch(/\n\s+at /);
    const last = decodeCheckpoint(new Uint8Array(readFileSync(at('crashed/fold1/last.safetensors'))), 'last');
    expect(last.state.epochsDone).toBe(1);
    const resumed = await ulseg(...trainOptions('crashed'), '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('fold 1: resuming crashed/fold1/last.safetensors after epoch 1');
    expectSameTraining(log('crashed'), log('node'));
  });

  it('Ctrl-C in Node after epoch 1 stops and saves; --resume --runtime chromium finishes the run', { timeout: 1_200_000 }, async () => {
    const stopped = await interruptAfter(/^fold 1 epoch 1\/2: /m, trainOptions('stopped'));
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('run again with --resume to continue from there');
    expect(existsSync(at('stopped/fold1/last.safetensors'))).toBe(true);
    const resumed = await ulseg(...trainOptions('stopped'), '--resume', '--runtime', 'chromium');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('fold 1: resuming stopped/fold1/last.safetensors after epoch 1');
    expectSameTraining(log('stopped'), log('node'));
  });
});
