/** Which fold or shard a cluster task takes from its engine's variables (Kubernetes Indexed Job, Slurm job array). */
import { describe, expect, it } from 'vitest';
import { foldFromEnvironment, parseShard, shardFromEnvironment } from '../src/cluster.js';

describe('--k-th-fold auto', () => {
  it('Kubernetes: fold = JOB_COMPLETION_INDEX + 1; Slurm: fold = SLURM_ARRAY_TASK_ID; Kubernetes wins when both are set', () => {
    expect(foldFromEnvironment({ JOB_COMPLETION_INDEX: '0' }, 5)).toEqual({ value: 1, source: 'JOB_COMPLETION_INDEX=0 (Kubernetes Indexed Job; fold = index + 1)' });
    expect(foldFromEnvironment({ JOB_COMPLETION_INDEX: '4' }, 5).value).toBe(5);
    expect(foldFromEnvironment({ SLURM_ARRAY_TASK_ID: '3' }, 5)).toEqual({ value: 3, source: 'SLURM_ARRAY_TASK_ID=3 (Slurm job array; fold = task id)' });
    expect(foldFromEnvironment({ JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '4' }, 5).value).toBe(2);
  });

  it('refuses auto with neither variable, an index past K, a task id outside 1..K and a non-integer', () => {
    expect(() => foldFromEnvironment({}, 5)).toThrow(/^--k-th-fold auto needs JOB_COMPLETION_INDEX .* or SLURM_ARRAY_TASK_ID .*, and neither is set/);
    expect(() => foldFromEnvironment({ JOB_COMPLETION_INDEX: '' }, 5)).toThrow('neither is set');
    expect(() => foldFromEnvironment({ JOB_COMPLETION_INDEX: '5' }, 5)).toThrow("JOB_COMPLETION_INDEX=5 gives fold 6, outside 1..5 (--folds 5); the Job's completions must equal --folds");
    expect(() => foldFromEnvironment({ SLURM_ARRAY_TASK_ID: '0' }, 5)).toThrow('SLURM_ARRAY_TASK_ID=0 is outside 1..5 (--folds 5); submit with --array=1-5');
    expect(() => foldFromEnvironment({ SLURM_ARRAY_TASK_ID: '6' }, 5)).toThrow('outside 1..5');
    expect(() => foldFromEnvironment({ JOB_COMPLETION_INDEX: 'one' }, 5)).toThrow("JOB_COMPLETION_INDEX='one' is not a non-negative integer");
  });
});

describe('--shard', () => {
  it('parses I/N and auto; refuses I >= N and other text', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto')).toBe('auto');
    expect(() => parseShard('4/4')).toThrow("--shard '4/4': I must be in 0..N-1 and N >= 1");
    expect(() => parseShard('0/0')).toThrow('I must be in 0..N-1');
    expect(() => parseShard('1of4')).toThrow("--shard '1of4': expected I/N");
    expect(() => parseShard('-1/4')).toThrow('expected I/N');
  });

  it('auto on Kubernetes: index from JOB_COMPLETION_INDEX, count from --shards (Kubernetes does not tell a pod)', () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '2' }, 3).value).toEqual({ index: 2, count: 3 });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '2' }, undefined)).toThrow(/pass the number of shards .* as --shards N or ULSEG_SHARDS/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '3' }, 3)).toThrow('gives shard 3, but there are 3 shards (index 0..2)');
  });

  it('auto on Slurm: index = (task id - min) / step, count = SLURM_ARRAY_TASK_COUNT, or from min, max and step, or --shards', () => {
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_COUNT: '4' }, undefined).value).toEqual({ index: 0, count: 4 });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_MAX: '8' }, undefined).value).toEqual({ index: 2, count: 4 });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '14', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '16', SLURM_ARRAY_TASK_STEP: '2' }, undefined).value).toEqual({ index: 2, count: 4 });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '4' }, 2).value).toEqual({ index: 1, count: 2 });
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '3' }, undefined)).toThrow('not SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MAX; pass --shards N');
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '2' }, undefined)).toThrow('gives shard 3, but there are 2 shards');
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '13', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' }, undefined)).toThrow("is not on the array's range");
  });

  it('refuses auto with neither variable set', () => {
    expect(() => shardFromEnvironment({}, 4)).toThrow(/^--shard auto needs JOB_COMPLETION_INDEX .* and neither is set; pass --shard I\/N$/);
  });
});
