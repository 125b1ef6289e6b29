/**
 * Cluster job files for the two embarrassingly parallel parts of the pipeline: K folds trained at once (one task per
 * fold, `ulseg train --k-th-fold auto`) and inference split into N shards (`ulseg infer --shard auto`). Kubernetes:
 * an Indexed Job (completions = parallelism = tasks; pod i gets JOB_COMPLETION_INDEX=i). Slurm: a job array (folds:
 * --array=1-K, shards: --array=0-(N-1)). Every task reads and writes one shared folder DATA laid out as the challenge:
 *   DATA/train_data/{img,label,train.csv}   DATA/test_data/img   DATA/weights/fold<k>/   DATA/predict/
 * `deploy/` holds these files rendered with DEPLOY_DEFAULTS; a test keeps them equal to the renderer's output.
 */
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { Document } from 'yaml';

export const DEPLOY_ENGINES = ['k8s', 'slurm'] as const;
export const DEPLOY_JOBS = ['train', 'infer'] as const;
export type DeployEngine = (typeof DEPLOY_ENGINES)[number];
export type DeployJob = (typeof DEPLOY_JOBS)[number];

export interface DeployOptions {
  /** K: folds trained at once (train) and models in the ensemble (infer: DATA/weights/fold1..K/best.safetensors). */
  readonly folds: number;
  /** N: inference shards. */
  readonly shards: number;
  /** The shared folder as the tasks see it (Kubernetes: the volume's mount path). */
  readonly data: string;
  /** Container image (Kubernetes). */
  readonly image: string;
  /** PersistentVolumeClaim holding DATA (Kubernetes; ReadWriteMany). */
  readonly claim: string;
  /** Job name (default ulseg-train-folds / ulseg-infer-shards). */
  readonly name?: string;
  readonly backbone: string;
  readonly imageResolution: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** false: no GPU requested, lavapipe in the container. */
  readonly gpu: boolean;
}

export const DEPLOY_DEFAULTS: DeployOptions = {
  folds: 5,
  shards: 4,
  data: '/data',
  image: 'ulseg:0.1.0',
  claim: 'ulseg-data',
  backbone: 'efficientnet-b6',
  imageResolution: 256,
  epochs: 100,
  batchSize: 8,
  gpu: true,
};

/** The committed files under deploy/ and what renders them. */
export const COMMITTED_FILES: readonly { path: string; engine: DeployEngine; job: DeployJob }[] = [
  { path: 'deploy/k8s/train-folds.yaml', engine: 'k8s', job: 'train' },
  { path: 'deploy/k8s/infer-shards.yaml', engine: 'k8s', job: 'infer' },
  { path: 'deploy/slurm/train-folds.sbatch', engine: 'slurm', job: 'train' },
  { path: 'deploy/slurm/infer-shards.sbatch', engine: 'slurm', job: 'infer' },
];

/** UID and GID of the image's non-root user (deploy/Dockerfile). */
export const IMAGE_USER_ID = 10001;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function checkOptions(options: DeployOptions): void {
  if (!options.data.startsWith('/')) throw new Error(`--data '${options.data}': must be an absolute path (where the shared volume is mounted in every task)`);
  if (/\s/.test(options.data)) throw new Error(`--data '${options.data}': must not contain white space`);
  if (options.image === '' || /\s/.test(options.image)) throw new Error(`--image '${options.image}': a container image reference without white space, e.g. registry.example.org/ulseg:0.1.0`);
  if (!DNS_LABEL.test(options.claim)) throw new Error(`--claim '${options.claim}': a Kubernetes name (lower-case letters, digits and '-', at most 63)`);
  if (options.name !== undefined && !DNS_LABEL.test(options.name)) throw new Error(`--name '${options.name}': a Kubernetes name (lower-case letters, digits and '-', at most 63)`);
  for (const [flag, value] of [['--folds', options.folds], ['--shards', options.shards], ['--epochs', options.epochs], ['--batch-size', options.batchSize]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} ${value}: expected an integer >= 1`);
  }
  if (options.folds < 2) throw new Error(`--folds ${options.folds}: K-fold training needs K >= 2`);
}

const under = (data: string, ...parts: string[]): string => [data.replace(/\/+$/, '') || '', ...parts].join('/');

/** The ulseg arguments of one task (the same for every task: the index comes from the engine's variables). */
export function taskArguments(job: DeployJob, options: DeployOptions): string[] {
  const data = options.data;
  if (job === 'train') {
    return [
      'train', '--k-th-fold', 'auto', '--folds', String(options.folds),
      '--fold-file-list', under(data, 'train_data', 'train.csv'),
      '--train-dataset-path', under(data, 'train_data', 'img'),
      '--train-gt-dataset-path', under(data, 'train_data', 'label'),
      '--weights-path', under(data, 'weights'),
      '--backbone', options.backbone, '--image-resolution', String(options.imageResolution),
      '--epochs', String(options.epochs), '--batch-size', String(options.batchSize),
      '--resume',
    ];
  }
  const weights = Array.from({ length: options.folds }, (_, index) => under(data, 'weights', `fold${index + 1}`, 'best.safetensors'));
  return [
    'infer', '--shard', 'auto', '--weights', ...weights,
    '--test-path', under(data, 'test_data', 'img'), '--out', under(data, 'predict'),
    '--image-resolution', String(options.imageResolution),
  ];
}

function tasks(job: DeployJob, options: DeployOptions): number {
  return job === 'train' ? options.folds : options.shards;
}

function defaultName(job: DeployJob): string {
  return job === 'train' ? 'ulseg-train-folds' : 'ulseg-infer-shards';
}

/** The command line that renders these options (only the options that differ from the defaults). */
export function renderCommand(engine: DeployEngine, job: DeployJob, options: DeployOptions): string {
  const words = ['ulseg', 'deploy', engine, job];
  const flag = (name: string, value: string | number, fallback: string | number): void => {
    if (value !== fallback) words.push(name, String(value));
  };
  flag('--folds', options.folds, DEPLOY_DEFAULTS.folds);
  if (job === 'infer') flag('--shards', options.shards, DEPLOY_DEFAULTS.shards);
  flag('--data', options.data, DEPLOY_DEFAULTS.data);
  if (engine === 'k8s') {
    flag('--image', options.image, DEPLOY_DEFAULTS.image);
    flag('--claim', options.claim, DEPLOY_DEFAULTS.claim);
  }
  if (options.name !== undefined) words.push('--name', options.name);
  if (job === 'train') {
    flag('--backbone', options.backbone, DEPLOY_DEFAULTS.backbone);
    flag('--epochs', options.epochs, DEPLOY_DEFAULTS.epochs);
    flag('--batch-size', options.batchSize, DEPLOY_DEFAULTS.batchSize);
  }
  flag('--image-resolution', options.imageResolution, DEPLOY_DEFAULTS.imageResolution);
  if (!options.gpu) words.push('--cpu');
  return words.join(' ');
}

/** The Kubernetes Indexed Job of `job` (a plain object, typed by the Kubernetes API schema). */
export function kubernetesJob(job: DeployJob, options: DeployOptions): IJob {
  checkOptions(options);
  const name = options.name ?? defaultName(job);
  const labels = { 'app.kubernetes.io/name': 'ulseg', 'app.kubernetes.io/component': job === 'train' ? 'train-folds' : 'infer-shards' };
  const count = tasks(job, options);
  const args = taskArguments(job, options);
  if (job === 'infer') args.splice(3, 0, '--shards', String(count));
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    spec: {
      completionMode: 'Indexed',
      completions: count,
      parallelism: count,
      // A failed pod is replaced by one with the same index; train's --resume continues its fold from last.safetensors.
      backoffLimitPerIndex: 3,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: IMAGE_USER_ID, runAsGroup: IMAGE_USER_ID, fsGroup: IMAGE_USER_ID },
          containers: [
            {
              name: job,
              image: options.image,
              args,
              env: [{ name: 'ULSEG_ADAPTER', value: options.gpu ? 'hardware' : 'lavapipe' }],
              ...(options.gpu ? { resources: { limits: { 'nvidia.com/gpu': 1 } } } : {}),
              volumeMounts: [{ name: 'data', mountPath: options.data }],
            },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: options.claim } }],
        },
      },
    },
  };
}

/** The Indexed Job as YAML, with a header saying what it runs and how to start it. */
export function renderKubernetes(job: DeployJob, options: DeployOptions): string {
  const object = kubernetesJob(job, options);
  const count = tasks(job, options);
  const document = new Document(object, { aliasDuplicateObjects: false });
  const what =
    job === 'train'
      ? `${count} folds at once: pod i trains fold i + 1 (ulseg train --k-th-fold auto); a restarted pod resumes its fold (--resume).`
      : `inference in ${count} shards at once: pod i segments shard i of the test images sorted by name (ulseg infer --shard auto).`;
  document.commentBefore = [
    ` Generated by: ${renderCommand('k8s', job, options)}`,
    ` Kubernetes Indexed Job: ${what}`,
    ` Every pod mounts the PersistentVolumeClaim '${options.claim}' (ReadWriteMany) at ${options.data}, laid out as`,
    `   ${under(options.data, 'train_data')}/{img,label,train.csv}  ${under(options.data, 'test_data', 'img')}  ${under(options.data, 'weights')}  ${under(options.data, 'predict')}`,
    options.gpu
      ? ' One GPU per pod (nvidia.com/gpu: the NVIDIA device plugin); the image asks for the Vulkan driver (NVIDIA_DRIVER_CAPABILITIES).'
      : ' No GPU: WebGPU runs on the CPU through lavapipe inside the image.',
    ` Start: kubectl apply -f FILE; follow: kubectl logs -f job/${object.metadata!.name} (or -l app.kubernetes.io/component=${object.metadata!.labels!['app.kubernetes.io/component']}).`,
  ].join('\n');
  return document.toString({ lineWidth: 0 });
}

/** The Slurm array job of `job` as an sbatch script. */
export function renderSlurm(job: DeployJob, options: DeployOptions): string {
  checkOptions(options);
  const name = options.name ?? defaultName(job);
  const count = tasks(job, options);
  const array = job === 'train' ? `1-${count}` : `0-${count - 1}`;
  const args = taskArguments(job, options);
  const lines = [
    '#!/bin/bash',
    `# Generated by: ${renderCommand('slurm', job, options)}`,
    job === 'train'
      ? `# Slurm job array: ${count} folds at once; task k trains fold k (ulseg train --k-th-fold auto reads SLURM_ARRAY_TASK_ID).`
      : `# Slurm job array: inference in ${count} shards at once; task i segments shard i of the test images sorted by name`,
    ...(job === 'infer' ? ['# (ulseg infer --shard auto: i = SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN, N = SLURM_ARRAY_TASK_COUNT).'] : []),
    `# Every task reads and writes ${options.data} (a shared file system), laid out as`,
    `#   ${under(options.data, 'train_data')}/{img,label,train.csv}  ${under(options.data, 'test_data', 'img')}  ${under(options.data, 'weights')}  ${under(options.data, 'predict')}`,
    '# ULSEG says how to run ulseg on the nodes: an installed `ulseg` (the default), `node /path/to/ulseg/packages/cli/dist/ulseg.js`,',
    `# or the image: ULSEG="apptainer exec --nv ulseg.sif ulseg". Submit: sbatch FILE; ${job === 'train' ? 'a requeued task resumes its fold (--resume)' : 'a requeued task redoes its shard'}.`,
    `#SBATCH --job-name=${name}`,
    `#SBATCH --array=${array}`,
    ...(options.gpu ? ['#SBATCH --gres=gpu:1'] : []),
    '#SBATCH --cpus-per-task=4',
    '#SBATCH --requeue',
    `#SBATCH --output=${name}-%A_%a.log`,
    'set -euo pipefail',
    `export ULSEG_ADAPTER=\${ULSEG_ADAPTER:-${options.gpu ? 'hardware' : 'lavapipe'}}`,
    `exec \${ULSEG:-ulseg} ${args.join(' ')}`,
    '',
  ];
  return lines.join('\n');
}

export function renderDeploy(engine: DeployEngine, job: DeployJob, options: DeployOptions): string {
  return engine === 'k8s' ? renderKubernetes(job, options) : renderSlurm(job, options);
}
