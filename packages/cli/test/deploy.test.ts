/**
 * ulseg deploy's renderer: the Kubernetes Indexed Jobs validate against the Kubernetes API schema (kubernetes-models)
 * for several K, data paths and image tags; the Slurm scripts parse (bash -n) and carry the array; the files committed
 * under deploy/ are the renderer's output for DEPLOY_DEFAULTS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMITTED_FILES, DEPLOY_DEFAULTS, renderDeploy, renderKubernetes, renderSlurm, type DeployOptions } from '../src/deploy/manifests.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The one YAML document of `text`, parsed strictly, validated as a batch/v1 Job. */
function validJob(text: string): Job {
  const documents = parseAllDocuments(text, { strict: true, uniqueKeys: true });
  expect(documents).toHaveLength(1);
  const document = documents[0]!;
  if (!('errors' in document)) throw new Error('empty YAML stream');
  expect(document.errors).toEqual([]);
  const job = new Job(document.toJS());
  job.validate();
  return job;
}

const variants: Partial<DeployOptions>[] = [
  { folds: 3, shards: 7, data: '/mnt/lab-share/bdci', image: 'registry.example.org/lab/ulseg:2026.12-rc1', claim: 'bdci-rwx' },
  { folds: 10, shards: 1, data: '/data', image: 'ulseg@sha256:' + 'ab'.repeat(32), name: 'b6-folds', gpu: false, epochs: 3, batchSize: 2, imageResolution: 96 },
];

describe('ulseg deploy k8s', () => {
  it('renders Indexed Jobs that validate against the Kubernetes schema: completions = parallelism = K (N), one GPU per pod, the shared volume, --resume', () => {
    for (const variant of variants) {
      const options = { ...DEPLOY_DEFAULTS, ...variant };
      const train = validJob(renderKubernetes('train', options));
      const spec = train.spec!;
      expect(spec.completionMode).toBe('Indexed');
      expect([spec.completions, spec.parallelism]).toEqual([options.folds, options.folds]);
      const pod = spec.template.spec!;
      const container = pod.containers[0]!;
      expect(container.image).toBe(options.image);
      expect(container.resources?.limits?.['nvidia.com/gpu']).toBe(options.gpu ? 1 : undefined);
      expect(container.env).toContainEqual({ name: 'ULSEG_ADAPTER', value: options.gpu ? 'hardware' : 'lavapipe' });
      expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: options.data }]);
      expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: options.claim } }]);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      const args = container.args!;
      expect(args.slice(0, 5)).toEqual(['train', '--k-th-fold', 'auto', '--folds', String(options.folds)]);
      expect(args).toContain('--resume');
      expect(args[args.indexOf('--weights-path') + 1]).toBe(`${options.data}/weights`);
      expect(args[args.indexOf('--epochs') + 1]).toBe(String(options.epochs));
      if (variant.name) expect(train.metadata?.name).toBe(variant.name);

      const infer = validJob(renderKubernetes('infer', options));
      expect([infer.spec!.completions, infer.spec!.parallelism]).toEqual([options.shards, options.shards]);
      const inferArgs = infer.spec!.template.spec!.containers[0]!.args!;
      expect(inferArgs.slice(0, 5)).toEqual(['infer', '--shard', 'auto', '--shards', String(options.shards)]);
      const weights = inferArgs.slice(inferArgs.indexOf('--weights') + 1, inferArgs.indexOf('--test-path'));
      expect(weights).toEqual(Array.from({ length: options.folds }, (_, index) => `${options.data}/weights/fold${index + 1}/best.safetensors`));
      expect(inferArgs[inferArgs.indexOf('--out') + 1]).toBe(`${options.data}/predict`);
    }
  });

  it('the schema check is not vacuous: a wrong type or a missing container fails it', () => {
    const text = renderKubernetes('train', DEPLOY_DEFAULTS);
    expect(() => validJob(text.replace('completions: 5', 'completions: five'))).toThrow(/completions must be integer/);
    expect(() => validJob(text.replace('nvidia.com/gpu: 1', 'nvidia.com/gpu: one GPU'))).toThrow(/nvidia\.com~1gpu/);
    const parsed = parseAllDocuments(text)[0]!.toJS() as { spec: { template: { spec: { containers?: unknown } } } };
    delete parsed.spec.template.spec.containers;
    expect(() => new Job(parsed as never).validate()).toThrow(/containers/);
  });

  it('refuses a relative data path, a bad image reference or name', () => {
    expect(() => renderKubernetes('train', { ...DEPLOY_DEFAULTS, data: 'data' })).toThrow("--data 'data': must be an absolute path");
    expect(() => renderKubernetes('train', { ...DEPLOY_DEFAULTS, image: 'my image' })).toThrow("--image 'my image'");
    expect(() => renderKubernetes('infer', { ...DEPLOY_DEFAULTS, name: 'Folds_1' })).toThrow("--name 'Folds_1': a Kubernetes name");
    expect(() => renderKubernetes('train', { ...DEPLOY_DEFAULTS, folds: 1 })).toThrow('--folds 1: K-fold training needs K >= 2');
  });
});

describe('ulseg deploy slurm', () => {
  it('renders array scripts bash accepts: --array=1-K (folds) and 0-(N-1) (shards), one GPU per task', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ulseg-slurm-'));
    try {
      for (const variant of variants) {
        const options = { ...DEPLOY_DEFAULTS, ...variant };
        for (const job of ['train', 'infer'] as const) {
          const text = renderSlurm(job, options);
          const path = join(folder, `${job}.sbatch`);
          writeFileSync(path, text);
          execFileSync('bash', ['-n', path]);
          expect(text.startsWith('#!/bin/bash\n')).toBe(true);
          expect(text).toContain(`#SBATCH --array=${job === 'train' ? `1-${options.folds}` : `0-${options.shards - 1}`}\n`);
          expect(text.includes('#SBATCH --gres=gpu:1\n')).toBe(options.gpu);
          const command = text.split('\n').find((line) => line.startsWith('exec '))!;
          expect(command).toContain(job === 'train' ? `train --k-th-fold auto --folds ${options.folds} ` : 'infer --shard auto --weights ');
          if (job === 'train') expect(command.endsWith(' --resume')).toBe(true);
          // Every #SBATCH line comes before the first command, or sbatch ignores it.
          const lines = text.split('\n');
          expect(lines.findLastIndex((line) => line.startsWith('#SBATCH'))).toBeLessThan(lines.findIndex((line) => line !== '' && !line.startsWith('#')));
        }
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('deploy/', () => {
  it('holds exactly what ulseg deploy renders with the documented defaults', () => {
    for (const { path, engine, job } of COMMITTED_FILES) {
      expect(readFileSync(join(repoRoot, path), 'utf8'), `${path}: regenerate with ulseg deploy ${engine} ${job} --out ${path}`).toBe(renderDeploy(engine, job, DEPLOY_DEFAULTS));
    }
    for (const { path } of COMMITTED_FILES.filter((file) => file.engine === 'k8s')) validJob(readFileSync(join(repoRoot, path), 'utf8'));
  });
});
