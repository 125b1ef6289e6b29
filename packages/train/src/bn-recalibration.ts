/**
 * BatchNorm recalibration (ORIGINAL.md §5, last bullet): the encoder's BN momentum is 0.01, so after a short run its
 * running statistics still remember the first batches and eval-mode outputs are wrong. This recomputes every BN's
 * running statistics over a set of batches as a cumulative average, PyTorch's `momentum=None` (what
 * torch.optim.swa_utils.update_bn does): with batch k = 1, 2, … and its batch mean μ_k and unbiased variance σ²_k,
 *   running_mean_k = (1 − 1/k)·running_mean_{k−1} + (1/k)·μ_k  =  (1/k)·Σ_{j≤k} μ_j   (likewise running_var),
 * in one no-grad pass with BN in training mode and drop-connect off. Parameters are not touched.
 */
import { markWeightsChanged, nn, noGrad, scope, type Tensor } from '@ulseg/autograd';

/** A module with a forward, like the segmentation model. */
export type ForwardModule = nn.Module;

/** Resets and recomputes the running statistics of every BatchNorm2d in `model`; returns how many batches were seen. */
export function recalibrateBatchNorm(model: ForwardModule, batches: Iterable<Tensor>): number {
  const modules = [...model.namedModules()].map(([, module]) => module);
  const norms = modules.filter((module): module is nn.BatchNorm2d => module instanceof nn.BatchNorm2d);
  if (norms.length === 0) return 0;
  const momenta = norms.map((norm) => norm.momentum);
  const drops = modules.filter((module): module is nn.DropConnect => module instanceof nn.DropConnect);
  const dropRates = drops.map((drop) => drop.p);
  const wasTraining = model.training;
  for (const norm of norms) {
    const state = new Map(norm.stateDict());
    for (const [name, value] of [['running_mean', 0], ['running_var', 1], ['num_batches_tracked', 0]] as const) {
      const tensor = state.get(name)!;
      tensor.gpu.write(tensor.data, new Float32Array(tensor.size).fill(value));
    }
  }
  markWeightsChanged();
  let count = 0;
  try {
    for (const drop of drops) drop.p = 0;
    model.train();
    for (const x of batches) {
      count++;
      for (const norm of norms) norm.momentum = 1 / count;
      scope(() => noGrad(() => model.forward(x)).dispose());
      x.dispose();
    }
  } finally {
    norms.forEach((norm, index) => (norm.momentum = momenta[index]!));
    drops.forEach((drop, index) => (drop.p = dropRates[index]!));
    model.train(wasTraining);
  }
  return count;
}
