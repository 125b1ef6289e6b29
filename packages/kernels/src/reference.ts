/**
 * @ulseg/kernels/reference: the float64 CPU references every kernel is tested against (one beside each kernel), for
 * tests here and in other packages and for the bench's accuracy columns.
 */
export { unaryReference } from './ops/unary/unary.reference.js';
export { binaryReference } from './ops/binary/binary.reference.js';
export { reduceReference } from './ops/reduce/reduce.reference.js';
export { activationBackwardReference, ACTIVATION_DERIVATIVE } from './ops/activation-backward/activation-backward.reference.js';
export { batchNormTrainingReference, batchNormInferenceReference, batchNormBackwardReference, foldBatchNormReference, batchStatistics, type BatchNormReferenceParameters } from './ops/batch-norm/batch-norm.reference.js';
export { globalAvgPool2dReference, globalAvgPool2dBackwardReference, channelScaleReference, channelScaleBackwardReference } from './ops/squeeze-excitation/squeeze-excitation.reference.js';
export { squeezeExcitationReference, squeezeExcitationGateReference } from './ops/squeeze-excitation-fused/squeeze-excitation-fused.reference.js';
export { dropConnectKeep, dropConnectMaskReference, dropConnectReference } from './ops/drop-connect/drop-connect.reference.js';
export { pcgHash } from './wgsl/pcg.reference.js';
export { sigmoidReference } from './wgsl/sigmoid.reference.js';
export { segmentationLossReference, segmentationLossBackwardReference, segmentationMetricsReference, type LossReference } from './ops/loss/loss.reference.js';
export { adamReference, adamFloat32Emulation, type AdamState } from './ops/adam/adam.reference.js';
export { bilinearReference, bilinearBackwardReference, alignedBilinearReference, upsampleNearestReference, upsampleNearestBackwardReference, pillowResizeReference, nearestReference, flipReference, grayReference } from './ops/resize/resize.reference.js';
export { medianReference, binaryMedianReference, edgeMedianReference, edgeBandReference, dilationReference, erosionReference } from './ops/median/median.reference.js';
export { gemmReference, activationReference, type GemmReferenceOptions } from './ops/gemm/gemm.reference.js';
export { conv2dReference, conv2dBackwardInputReference, conv2dBackwardWeightReference, conv2dBackwardBiasReference, type Conv2dReferenceOptions } from './ops/conv2d/conv2d.reference.js';
export { depthwiseConv2dReference, depthwiseConv2dBackwardInputReference, depthwiseConv2dBackwardWeightReference } from './ops/depthwise/depthwise.reference.js';
export { convTranspose2dReference, convTranspose2dBackwardInputReference, convTranspose2dBackwardWeightReference } from './ops/conv-transpose2d/conv-transpose2d.reference.js';
export { warpReference, affineSource } from './ops/augment-geometric/warp.reference.js';
export { piecewiseAffineReference, elasticReference } from './ops/augment-deform/deform.reference.js';
export { intensityReference } from './ops/augment-intensity/intensity.reference.js';
export { maxPool2dReference, maxPool2dBackwardReference } from './ops/max-pool/max-pool.reference.js';
export { concatReference, narrowReference } from './ops/concat/concat.reference.js';
export { transpose01Reference } from './ops/transpose/transpose.reference.js';
export { conv2dConcatReference, conv2dConcatBackwardInputReference, conv2dConcatBackwardWeightReference } from './ops/conv2d-concat/conv2d-concat.reference.js';
export { adaptiveAvgPool2dReference, adaptiveAvgPool2dBackwardReference, adaptiveWindow } from './ops/adaptive-pool/adaptive-pool.reference.js';
export { groupNormReference, groupNormBackwardReference } from './ops/group-norm/group-norm.reference.js';
export { dropoutReference, dropoutMaskReference } from './ops/dropout/dropout.reference.js';
export { squeezeExcitationTrainingReference, squeezeExcitationBackwardReference } from './ops/squeeze-excitation-training/squeeze-excitation-training.reference.js';
export { batchNormActivationReference, batchNormActivationBackwardReference, ACTIVATION_REFERENCE } from './ops/batch-norm-activation/batch-norm-activation.reference.js';
