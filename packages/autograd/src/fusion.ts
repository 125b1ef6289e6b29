/**
 * The training fusion switch: whether recorded forwards run the fused training ops (BN + activation in
 * nn.convBatchNorm, squeeze-excitation in F.squeezeExcitation) or the separate ops they replace. On by default; off
 * is the previous path, kept for the bench's same-sitting comparison and as the fused ops' test oracle.
 */
let trainingFusion = true;

export function setTrainingFusion(enabled: boolean): void {
  trainingFusion = enabled;
}

export function trainingFusionEnabled(): boolean {
  return trainingFusion;
}
