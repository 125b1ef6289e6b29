/**
 * Which share of the work this process does when a cluster engine starts one process per index: a Kubernetes Indexed
 * Job sets JOB_COMPLETION_INDEX (0-based) in each pod; a Slurm job array sets SLURM_ARRAY_TASK_ID and
 * SLURM_ARRAY_TASK_MIN/MAX/STEP/COUNT in each task. Folds are 1-based (Kubernetes: fold = index + 1; Slurm: the
 * scripts use --array=1-K, so fold = task id); shards are 0-based (Kubernetes: shard = index; Slurm: shard =
 * (task id − min) / step, count = SLURM_ARRAY_TASK_COUNT).
 */
import type { Shard } from '@ulseg/infer';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface FromEnvironment<T> {
  readonly value: T;
  /** What the value came from, for the log: "JOB_COMPLETION_INDEX=2 (Kubernetes Indexed Job)". */
  readonly source: string;
}

function integerVariable(env: Environment, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  if (!/^\s*\d+\s*$/.test(text)) throw new Error(`${name}='${text}' is not a non-negative integer`);
  return Number(text);
}

/** The fold (1..folds) of `--k-th-fold auto`. */
export function foldFromEnvironment(env: Environment, folds: number): FromEnvironment<number> {
  const index = integerVariable(env, 'JOB_COMPLETION_INDEX');
  const task = integerVariable(env, 'SLURM_ARRAY_TASK_ID');
  let fold: number;
  let source: string;
  if (index !== undefined) {
    fold = index + 1;
    source = `JOB_COMPLETION_INDEX=${index} (Kubernetes Indexed Job; fold = index + 1)`;
    if (fold > folds) throw new Error(`--k-th-fold auto: JOB_COMPLETION_INDEX=${index} gives fold ${fold}, outside 1..${folds} (--folds ${folds}); the Job's completions must equal --folds`);
  } else if (task !== undefined) {
    fold = task;
    source = `SLURM_ARRAY_TASK_ID=${task} (Slurm job array; fold = task id)`;
    if (fold < 1 || fold > folds) throw new Error(`--k-th-fold auto: SLURM_ARRAY_TASK_ID=${task} is outside 1..${folds} (--folds ${folds}); submit with --array=1-${folds}`);
  } else {
    throw new Error(
      '--k-th-fold auto needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job pod) or SLURM_ARRAY_TASK_ID (a Slurm array task), and neither is set; ' +
        'pass --k-th-fold K (1..K) to train one fold, or leave it out to train every fold',
    );
  }
  return { value: fold, source };
}

/** `--shard I/N` → { index, count }; `auto` stays 'auto' (resolved from the environment when the command runs). */
export function parseShard(text: string): Shard | 'auto' {
  if (text === 'auto') return 'auto';
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new Error(`--shard '${text}': expected I/N (shard I of N, I = 0..N-1, e.g. 0/4) or auto`);
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  if (shard.count < 1 || shard.index >= shard.count) throw new Error(`--shard '${text}': I must be in 0..N-1 and N >= 1`);
  return shard;
}

/** The shard of `--shard auto`; `shards` is `--shards` (or ULSEG_SHARDS) when given. */
export function shardFromEnvironment(env: Environment, shards: number | undefined): FromEnvironment<Shard> {
  const index = integerVariable(env, 'JOB_COMPLETION_INDEX');
  const task = integerVariable(env, 'SLURM_ARRAY_TASK_ID');
  let shard: Shard;
  let source: string;
  if (index !== undefined) {
    if (shards === undefined) {
      throw new Error('--shard auto in a Kubernetes Indexed Job: pass the number of shards (the Job\'s completions) as --shards N or ULSEG_SHARDS; Kubernetes does not tell a pod');
    }
    shard = { index, count: shards };
    source = `JOB_COMPLETION_INDEX=${index} (Kubernetes Indexed Job)`;
  } else if (task !== undefined) {
    const min = integerVariable(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const step = integerVariable(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
    const max = integerVariable(env, 'SLURM_ARRAY_TASK_MAX');
    const count = shards ?? integerVariable(env, 'SLURM_ARRAY_TASK_COUNT') ?? (max !== undefined ? Math.floor((max - min) / step) + 1 : undefined);
    if (count === undefined) throw new Error('--shard auto: SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MAX; pass --shards N');
    if (step < 1 || task < min || (task - min) % step !== 0) {
      throw new Error(`--shard auto: SLURM_ARRAY_TASK_ID=${task} is not on the array's range (min ${min}, step ${step}); use --array=0-N-1, or pass --shard I/N`);
    }
    shard = { index: (task - min) / step, count };
    source = `SLURM_ARRAY_TASK_ID=${task} (Slurm job array, min ${min}${step === 1 ? '' : `, step ${step}`}; ${shards === undefined ? 'count from the array' : 'count from --shards'})`;
  } else {
    throw new Error(
      '--shard auto needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job pod) or SLURM_ARRAY_TASK_ID (a Slurm array task), and neither is set; pass --shard I/N',
    );
  }
  if (shard.index >= shard.count) {
    throw new Error(`--shard auto: ${source} gives shard ${shard.index}, but there are ${shard.count} shards (index 0..${shard.count - 1}); --shards must equal the number of tasks`);
  }
  return { value: shard, source };
}
