/**
 * A cluster run rehearsed on one machine, with the CLI as the pods and array tasks run it (a private bundle, lavapipe):
 * K = 2 folds trained by 2 processes started at once with JOB_COMPLETION_INDEX = 0, 1 and the arguments of the Indexed
 * Job that `ulseg deploy k8s train` renders (--k-th-fold auto --resume), fold 2's process killed (SIGKILL) after its
 * first epoch's checkpoint and started again; then N = 2 inference shards started at once into one shared --out: shard 0
 * with the arguments of `ulseg deploy k8s infer`'s Job and JOB_COMPLETION_INDEX = 0, shard 1 as `ulseg deploy slurm
 * infer`'s sbatch script run by bash with Slurm's array variables. Their masks must equal a single-process run's byte
 * for byte. Tiny preset scale: B0, 64 px, 6 phantoms, 2 epochs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSafetensors } from '@ulseg/model';
import { parseLogCsv } from '@ulseg/train';
import { type CliResult, type PrivateCli, privateCli } from './private-cli.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
let cli: PrivateCli;
let scratch = '';
const at = (...parts: string[]): string => join(scratch, ...parts);
/** Cluster variables: none comes from the environment the tests run in, only from each task's `env`. */
const ENGINE_VARIABLES = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_MAX', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_ARRAY_TASK_STEP', 'ULSEG_SHARDS'];

interface Task {
  /** Resolves when the process ends: its exit code or the signal that ended it, and its output. */
  readonly done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  /** Resolves at the first stdout line matching `pattern` (rejects if the process ends first). */
  waitFor(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `ulseg args` (or `command`) as a cluster engine would start a task: its own process with the engine's variables. */
function start(args: readonly string[], env: Record<string, string>, command: readonly string[] = ['node', cli.path]): Task {
  const base: NodeJS.ProcessEnv = { ...process.env, ULSEG_ADAPTER: 'lavapipe' };
  for (const name of ENGINE_VARIABLES) delete base[name];
  const child = spawn(command[0]!, [...command.slice(1), ...args], { cwd: scratch, env: { ...base, ...env } });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters.splice(0)) (waiter.pattern.test(stdout) ? waiter.resolve : () => waiters.push(waiter))();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return {
    done,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout)) return resolve();
        waiters.push({ pattern, resolve });
        void done.then((result) => reject(new Error(`ulseg ${args.join(' ')} ended (${result.code}/${result.signal}) before printing ${pattern}:\n${result.stdout}\n${result.stderr}`)));
      }),
    kill: (signal) => child.kill(signal),
  };
}

const run = (args: readonly string[], env: Record<string, string> = {}): Promise<CliResult & { signal: NodeJS.Signals | null }> => start(args, env).done;

/** The `ulseg:` and commander `error:` lines of a failed command (not Dawn's adapter warnings). */
const failureOf = (result: { stderr: string }): string =>
  result.stderr
    .split('\n')
    .filter((line) => line.startsWith('ulseg:') || line.startsWith('error:'))
    .join('\n');

beforeAll(async () => {
  cli = await privateCli('cluster');
  scratch = mkdtempSync(join(tmpdir(), 'ulseg-cluster-'));
}, 120_000);

afterAll(() => {
  cli?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('on a cluster, rehearsed on one machine', () => {
  it('--help explains deploy, --k-th-fold auto and --shard', async () => {
    const top = await run(['--help']);
    // commander wraps descriptions to the widest command term: compare with the whitespace collapsed.
    expect(top.stdout.replace(/\s+/g, ' ')).toMatch(/ deploy \[options\] <engine> \[job\] print a Kubernetes Indexed Job or Slurm array/);
    const deploy = await run(['deploy', '--help']);
    expect(deploy.code).toBe(0);
    for (const option of ['--folds', '--shards', '--data', '--image', '--claim', '--name', '--backbone', '--image-resolution', '--epochs', '--batch-size', '--cpu', '--out']) {
      expect(deploy.stdout, option).toMatch(new RegExp(`\\n {2}${option}[ ,].*\\S`));
    }
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    expect(flat((await run(['train', '--help'])).stdout)).toContain('--k-th-fold <k|auto> train only fold k (1..K); auto: the fold of this cluster task, JOB_COMPLETION_INDEX + 1');
    const infer = flat((await run(['infer', '--help'])).stdout);
    expect(infer).toContain('--shard <I/N|auto> segment only shard I of N (I = 0..N-1) of the images sorted by name');
    expect(infer).toContain('--shards <n> number of shards for --shard auto');
  }, 60_000);

  it('ulseg deploy prints the committed files; auto without an engine variable is refused with one clear line', async () => {
    const k8s = await run(['deploy', 'k8s', '--folds', '5', '--data', '/data', '--image', 'ulseg:0.1.0']);
    expect(k8s.code, k8s.stderr).toBe(0);
    expect(k8s.stdout).toBe(readFileSync(join(repoRoot, 'deploy/k8s/train-folds.yaml'), 'utf8'));
    const slurm = await run(['deploy', 'slurm', 'infer']);
    expect(slurm.stdout).toBe(readFileSync(join(repoRoot, 'deploy/slurm/infer-shards.sbatch'), 'utf8'));
    const checks: [string[], Record<string, string>, RegExp][] = [
      [['train', '--k-th-fold', 'auto', '--folds', '2'], {}, /^ulseg: --k-th-fold auto needs JOB_COMPLETION_INDEX \(a Kubernetes Indexed Job pod\) or SLURM_ARRAY_TASK_ID \(a Slurm array task\), and neither is set/],
      [['train', '--k-th-fold', 'auto', '--folds', '2'], { JOB_COMPLETION_INDEX: '2' }, /^ulseg: --k-th-fold auto: JOB_COMPLETION_INDEX=2 gives fold 3, outside 1\.\.2/],
      [['infer', '--weights', 'w.safetensors', '--test-path', 'img', '--out', 'out', '--shard', 'auto'], {}, /^ulseg: --shard auto needs JOB_COMPLETION_INDEX/],
      [['infer', '--weights', 'w.safetensors', '--test-path', 'img', '--out', 'out', '--shard', 'auto'], { JOB_COMPLETION_INDEX: '0' }, /^ulseg: --shard auto in a Kubernetes Indexed Job: pass the number of shards/],
      [['infer', '--weights', 'w.safetensors', '--test-path', 'img', '--out', 'out', '--shard', '2/2'], {}, /error: option '--shard <I\/N\|auto>' argument '2\/2' is invalid\. --shard '2\/2': I must be in 0\.\.N-1/],
      [['deploy', 'k8s', '--data', 'data'], {}, /^ulseg: --data 'data': must be an absolute path/],
    ];
    for (const [args, env, message] of checks) {
      const result = await run(args, env);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(failureOf(result), args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);

  it('K folds at once from JOB_COMPLETION_INDEX, one killed mid-run and resumed; N shards at once into one folder equal one process', { timeout: 1_200_000 }, async () => {
    const synth = await run(['synth', '--out', at('data'), '--count', '6', '--test-count', '5', '--seed', '3', '--folds', '2']);
    expect(synth.code, synth.stderr).toBe(0);
    const weights = at('data/weights');
    // The job files for this data at the tiny preset's scale, and the arguments their pods run.
    const deploy = async (...args: string[]): Promise<string> => {
      const result = await run(['deploy', ...args, '--folds', '2', '--data', at('data'), '--image-resolution', '64', '--cpu']);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    const podArguments = (yaml: string): string[] => (parse(yaml) as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]!.args;
    const train = podArguments(await deploy('k8s', 'train', '--backbone', 'efficientnet-b0', '--epochs', '2', '--batch-size', '3'));
    expect(train.slice(0, 3)).toEqual(['train', '--k-th-fold', 'auto']);
    expect(train.at(-1)).toBe('--resume');
    const inferShard = podArguments(await deploy('k8s', 'infer', '--shards', '2'));
    expect(inferShard.slice(0, 5)).toEqual(['infer', '--shard', 'auto', '--shards', '2']);
    const sbatch = at('infer-shards.sbatch');
    writeFileSync(sbatch, await deploy('slurm', 'infer', '--shards', '2'));
    const pods = [0, 1].map((index) => start(train, { JOB_COMPLETION_INDEX: String(index) }));
    // Fold 2's pod dies (SIGKILL: no handler runs) once its first epoch is checkpointed, in its second epoch.
    await pods[1]!.waitFor(/fold 2 epoch 1\/2: /);
    pods[1]!.kill('SIGKILL');
    const killed = await pods[1]!.done;
    expect(killed.signal, `fold 2 should still have been running:\n${killed.stdout}`).toBe('SIGKILL');
    expect(killed.stdout).toContain('--k-th-fold auto: fold 2 of 2 from JOB_COMPLETION_INDEX=1 (Kubernetes Indexed Job; fold = index + 1)');
    expect(killed.stdout).toMatch(/fold 2: no .*fold2\/last\.safetensors, starting it/);
    expect(parseLogCsv(readFileSync(join(weights, 'fold2/log.csv'), 'utf8'), 'log.csv').map((row) => row.epoch)).toEqual([1]);
    // The Job replaces the pod: same index, same arguments.
    const restarted = await run(train, { JOB_COMPLETION_INDEX: '1' });
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/fold 2: resuming .*fold2\/last\.safetensors after epoch 1\n/);
    expect(restarted.stdout).toMatch(/fold 2: \d+ training and \d+ validation images, .*epochs 2\.\.2;/);
    expect(restarted.stdout).not.toContain('fold 2 epoch 1/2');
    const first = await pods[0]!.done;
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('--k-th-fold auto: fold 1 of 2 from JOB_COMPLETION_INDEX=0');
    for (const fold of [1, 2]) {
      const folder = join(weights, `fold${fold}`);
      expect(readdirSync(folder).sort(), `fold ${fold}`).toEqual(['best.safetensors', 'curves.svg', 'last.safetensors', 'log.csv']);
      expect(parseLogCsv(readFileSync(join(folder, 'log.csv'), 'utf8'), 'log.csv').map((row) => row.epoch)).toEqual([1, 2]);
      expect(readSafetensors(new Uint8Array(readFileSync(join(folder, 'best.safetensors')))).metadata).toMatchObject({ fold: String(fold) });
    }

    const models = [1, 2].map((fold) => join(weights, `fold${fold}`, 'best.safetensors'));
    const single = await run(['infer', '--weights', ...models, '--test-path', at('data/test_data/img'), '--out', at('single'), '--image-resolution', '64']);
    expect(single.code, single.stderr).toBe(0);
    expect(inferShard.slice(5)).toEqual(['--weights', ...models, '--test-path', at('data/test_data/img'), '--out', at('data/predict'), '--image-resolution', '64']);
    // The shared folder already holds another run's file: no shard may remove or replace it.
    const shared = at('data/predict');
    const sentinel = join(shared, 'notes.txt');
    mkdirSync(shared);
    writeFileSync(sentinel, 'left by someone else\n');
    const shards = [
      start(inferShard, { JOB_COMPLETION_INDEX: '0' }),
      start([sbatch], { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '1', SLURM_ARRAY_TASK_COUNT: '2', ULSEG: `node ${cli.path}` }, ['bash']),
    ];
    const results = await Promise.all(shards.map((shard) => shard.done));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(results[0]!.stdout).toContain('shard 0/2 from JOB_COMPLETION_INDEX=0 (Kubernetes Indexed Job)');
    expect(results[0]!.stdout).toMatch(/wrote 2 masks \(shard 0\/2 of the 5 images, sorted by name\)/);
    expect(results[1]!.stdout).toContain('shard 1/2 from SLURM_ARRAY_TASK_ID=1 (Slurm job array, min 0; count from the array)');
    expect(results[1]!.stdout).toMatch(/wrote 3 masks \(shard 1\/2 of the 5 images, sorted by name\)/);

    const masks = readdirSync(at('single')).sort();
    expect(masks).toHaveLength(5);
    expect(readdirSync(shared).sort()).toEqual([...masks, 'notes.txt'].sort());
    for (const name of masks) expect(Buffer.compare(readFileSync(join(shared, name)), readFileSync(at('single', name))), name).toBe(0);
    expect(readFileSync(sentinel, 'utf8')).toBe('left by someone else\n');
    expect(readdirSync(at('data/test_data/img'))).toEqual(masks);
  });
});
