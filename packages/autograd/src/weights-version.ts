/**
 * A counter of changes to model weights and BatchNorm running statistics, for what is derived from them and cached
 * on the device (nn.convBatchNorm's folded scale and shift). It is bumped by everything in ulseg that writes them:
 * the optimiser's step, Module.loadStateDict, a BatchNorm forward in training mode (running statistics), and
 * @ulseg/train's BN recalibration. Code that writes a parameter's buffer by other means (gpu.write on `.data`)
 * calls markWeightsChanged() before the next forward.
 */
let version = 0;

export function weightsVersion(): number {
  return version;
}

export function markWeightsChanged(): void {
  version++;
}
