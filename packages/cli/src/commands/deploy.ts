import { Command, Option } from 'commander';
import { ENCODERS } from '@ulseg/model';
import { DEPLOY_DEFAULTS, DEPLOY_ENGINES, DEPLOY_JOBS, renderDeploy, type DeployEngine, type DeployJob, type DeployOptions } from '../deploy/manifests.js';
import { writeAtomic } from '../files.js';
import { integerArgument } from './train.js';

interface DeployCommandOptions {
  folds: number;
  shards: number;
  data: string;
  image: string;
  claim: string;
  name?: string;
  backbone: string;
  imageResolution: number;
  epochs: number;
  batchSize: number;
  cpu?: boolean;
  out?: string;
}

export async function runDeploy(engine: DeployEngine, job: DeployJob, options: DeployCommandOptions): Promise<void> {
  if (!(options.backbone in ENCODERS)) throw new Error(`--backbone '${options.backbone}' is not supported; the encoders are ${Object.keys(ENCODERS).join(', ')}`);
  if (options.imageResolution % 32 !== 0) throw new Error(`--image-resolution ${options.imageResolution}: must be a multiple of 32`);
  const settings: DeployOptions = {
    folds: options.folds,
    shards: options.shards,
    data: options.data,
    image: options.image,
    claim: options.claim,
    ...(options.name !== undefined ? { name: options.name } : {}),
    backbone: options.backbone,
    imageResolution: options.imageResolution,
    epochs: options.epochs,
    batchSize: options.batchSize,
    gpu: !options.cpu,
  };
  const text = renderDeploy(engine, job, settings);
  if (options.out === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeAtomic(options.out, text);
  process.stderr.write(`wrote ${options.out}\n`);
}

/** `ulseg deploy k8s|slurm [train|infer]`: renders a Kubernetes Indexed Job or a Slurm array script. */
export function deployCommand(): Command {
  const d = DEPLOY_DEFAULTS;
  return new Command('deploy')
    .summary('print a Kubernetes Indexed Job or Slurm array script that trains the K folds, or infers in N shards, at once')
    .description(
      'Render the job file for a cluster engine: k8s = a Kubernetes Indexed Job (YAML; kubectl apply -f), slurm = an sbatch ' +
        'script with a job array. train: K tasks, task i trains fold i (ulseg train --k-th-fold auto --resume, so a restarted task ' +
        'continues its fold); infer: N tasks, task i segments shard i of the test images sorted by name (ulseg infer --shard auto) ' +
        'into one shared DATA/predict, with the K folds\' best.safetensors as the ensemble. Every task shares the folder DATA: ' +
        'DATA/train_data/{img,label,train.csv}, DATA/test_data/img, DATA/weights/fold<k>/, DATA/predict/. ' +
        'deploy/k8s/*.yaml and deploy/slurm/*.sbatch in the repository are this command\'s output with the defaults.',
    )
    .addArgument(new Command().createArgument('<engine>', 'k8s (Kubernetes Indexed Job) or slurm (sbatch job array)').choices([...DEPLOY_ENGINES]))
    .addArgument(new Command().createArgument('[job]', 'train (K folds at once) or infer (N shards at once)').choices([...DEPLOY_JOBS]).default('train'))
    .option('--folds <k>', 'K: folds trained at once; infer: the ensemble of DATA/weights/fold1..K/best.safetensors', integerArgument(2), d.folds)
    .option('--shards <n>', 'N: inference tasks (infer)', integerArgument(1), d.shards)
    .option('--data <dir>', 'the shared folder as every task sees it (Kubernetes: where the volume is mounted), absolute', d.data)
    .option('--image <ref>', 'container image built from deploy/Dockerfile (k8s)', d.image)
    .option('--claim <name>', 'PersistentVolumeClaim (ReadWriteMany) that holds DATA (k8s)', d.claim)
    .option('--name <name>', 'job name (default: ulseg-train-folds or ulseg-infer-shards)')
    .addOption(new Option('--backbone <encoder>', `encoder (train): ${Object.keys(ENCODERS).join(', ')}`).default(d.backbone))
    .option('--image-resolution <px>', 'training and inference resolution, a multiple of 32', integerArgument(64), d.imageResolution)
    .option('--epochs <n>', 'epochs per fold (train)', integerArgument(1), d.epochs)
    .option('--batch-size <n>', 'training batch size (train)', integerArgument(1), d.batchSize)
    .option('--cpu', 'no GPU: request none and run WebGPU on lavapipe (ULSEG_ADAPTER=lavapipe)')
    .option('--out <file>', 'write the file (atomically) instead of printing it')
    .action(async (engine: DeployEngine, job: DeployJob, options: DeployCommandOptions) => runDeploy(engine, job, options));
}
