/** @ulseg/kernels: the WebGPU runtime and the WGSL kernels, each with its float64 CPU reference. */
export { createGpu, describeGpu, type CreateGpuOptions } from './device/create-gpu.js';
export { ADAPTER_KINDS, classifyAdapter, isCpuAdapter, parseAdapterKind, type AdapterKind, type ResolvedAdapterKind } from './device/adapters.js';
export {
  DEVICE_CLASSES,
  GEMM_VARIANTS,
  describeProfile,
  profileFor,
  type DeviceClass,
  type DeviceProfile,
  type GemmVariant,
  type ProfileOverrides,
  type ReductionStyle,
} from './device/profile.js';
export { DeviceLostError, GpuUnavailableError, GpuValidationError, KernelArgumentError } from './device/errors.js';
export { Gpu, type Dispatch, type GpuInfo, type Timing } from './runtime/gpu.js';
export { BufferPool, sizeClass, type PoolCounters } from './runtime/buffer-pool.js';
export { PipelineCache } from './runtime/pipeline-cache.js';
export { kernelKey, kernelLabel, type KernelSource } from './runtime/kernel.js';
export { contiguousStrides, dims4, formatShape, numel, sameShape, type GpuTensor, type DType } from './runtime/tensor.js';
export { flatGrid, FLAT_INDEX_WGSL } from './runtime/grid.js';
export { paramsStruct, type ParamsField, type ParamsFields, type ParamsStruct, type ParamsValues } from './runtime/params.js';
export { BufferUsage, MapMode, STORAGE_USAGE } from './runtime/usage.js';
export { limitsRecord, readLimit } from './runtime/limits.js';
export { type DispatchProfile, type KernelTime } from './runtime/profiler.js';
export { describeUsage, type WrapOptions } from './runtime/wrap.js';

export { unary, unaryKernel, UNARY_OPS, type UnaryOp } from './ops/unary/unary.js';
export { binary, binaryKernel, BINARY_OPS, type BinaryOp } from './ops/binary/binary.js';
export { broadcastShapes, broadcastStrides } from './ops/binary/broadcast.js';
export { fill, copyTensor, FILL_KERNEL, COPY_KERNEL } from './ops/fill/fill.js';
export { reduce, reduceKernel, reduceLeadingKernel, REDUCE_LAYOUTS, REDUCE_OPS, type ReduceLayout, type ReduceOp, type ReduceOptions } from './ops/reduce/reduce.js';
export { reductionPlan, type ReductionPlan } from './ops/reduce/reduce-plan.js';

export { activationBackward, activationBackwardKernel, ACTIVATION_BACKWARD_OPS, type ActivationBackwardOp } from './ops/activation-backward/activation-backward.js';
export {
  adam,
  adamScalars,
  adamKernel,
  adamPackedKernel,
  adamPackedSlots,
  ADAM_PACKED_MAX_ELEMENTS,
  type AdamGroup,
  type AdamOptions,
  type AdamScalars,
  type AdamVariant,
} from './ops/adam/adam.js';
export { globalAvgPool2d, globalAvgPool2dBackward, channelScale, channelScaleBackward, rowReduction, type RowReduction, type ChannelScaleGradients } from './ops/squeeze-excitation/squeeze-excitation.js';
export {
  squeezeExcitation,
  squeezeExcitationComposed,
  squeezeExcitationGate,
  type SqueezeExcitationWeights,
} from './ops/squeeze-excitation-fused/squeeze-excitation-fused.js';
export { MAX_REDUCED as SE_MAX_REDUCED } from './ops/squeeze-excitation-fused/squeeze-excitation-fused.wgsl.js';
export { squeezeExcitationTraining, squeezeExcitationBackward, type SqueezeExcitationSaved, type SqueezeExcitationGradients } from './ops/squeeze-excitation-training/squeeze-excitation-training.js';
export { batchNorm2d, batchNorm2dTraining, batchNorm2dInference, foldBatchNorm2d, batchNormReduction, type BatchNormReduction, type BatchNorm2dOptions, type BatchNormParameters, type BatchNormTrainingOptions, type BatchNormSaved } from './ops/batch-norm/batch-norm.js';
export { batchNorm2dBackward, type BatchNormGradients } from './ops/batch-norm/batch-norm-backward.js';
export { batchNorm2dActivationTraining, batchNorm2dActivationBackward, type BatchNormActivationOptions, type BatchNormActivationGradients } from './ops/batch-norm-activation/batch-norm-activation.js';
export { dropConnect, dropConnectAdd, dropConnectBackward, dropConnectMask, dropConnectThreshold } from './ops/drop-connect/drop-connect.js';
export { segmentationLoss, segmentationLossBackward, segmentationMetrics, type SegmentationLoss, type SegmentationLossOptions, type DiceReduction } from './ops/loss/loss.js';
export { resizeBilinear, resizeBilinearBackward, resizeNearest, upsampleNearest, upsampleNearestBackward, MAX_AXIS, type BilinearOptions, type ScaleFactors, type Size2 } from './ops/resize/resize.js';
export { resizePillow, PILLOW_FILTERS } from './ops/resize/pillow.js';
export { flip, rgbToGray, FLIPS, type Flip } from './ops/resize/flip.js';
export { linearAxis, alignedLinearAxis, torchNearestAxis, pillowAxis, nearestAxis, type PillowFilter } from './ops/resize/resize-tables.js';
export { medianFilter, edgeMedianFilter, edgeBand, type MedianOptions } from './ops/median/median.js';
export { dilate, erode, MAX_WINDOW } from './ops/median/morphology.js';
export { gemm, gemmShape, gemmKernel, type GemmOptions, type GemmShape } from './ops/gemm/gemm.js';
export { conv2d, conv2dKernel, isPointwise, type Conv2dForwardOptions } from './ops/conv2d/conv2d.js';
export { conv2dBackwardInput, conv2dBackwardWeight, conv2dBackwardBias, phaseTable, type Conv2dBackwardInputOptions, type Conv2dBackwardWeightOptions } from './ops/conv2d/conv2d-backward.js';
export { convGeometry, normalizePadding, outputShape as convOutputShape, type Conv2dOptions, type ConvGeometry, type Padding } from './ops/conv2d/conv2d-geometry.js';
export { ACTIVATIONS, chooseTile, epilogueFlags, type Activation, type GemmTile } from './ops/gemm/tiles.js';
export { depthwiseConv2d, depthwiseConv2dBackwardInput, depthwiseConv2dBackwardWeight, depthwiseFastPath, type DepthwiseOptions } from './ops/depthwise/depthwise.js';
export { convTranspose2d, convTranspose2dBackwardInput, convTranspose2dBackwardWeight, convTranspose2dBackwardBias, convTransposeGeometry, type ConvTranspose2dOptions, type ConvTranspose2dForwardOptions, type ConvTransposeGeometry } from './ops/conv-transpose2d/conv-transpose2d.js';
export { augmentBatch, tileBatch, AUGMENT_KERNELS, TILE_KERNEL, type AugmentLayout, type AugmentStep, type StepKernel } from './ops/augment/augment-batch.js';
export { BORDER_MODES, INTERPOLATIONS, batchShape, roundHalfEven, shapeOf, tableFromRows, type BorderMode, type Interpolation, type BatchShape } from './ops/augment/augment-common.js';
export { augmentWarp, warpKernel, WARP_FIELDS, WARP_STRIDES, type WarpField, type AugmentedPair } from './ops/augment-geometric/warp.js';
export { imgaugAffineMatrix, cropResizeStage, flipStage, foldFlips, fullWindow, affineRow, composeMatrices, invertAffine, IDENTITY_MATRIX, AFFINE_STRIDE, type Matrix2x3, type WarpStage, type AffineParameters, type CropPixels, type SourceWindow } from './ops/augment-geometric/warp-matrix.js';
export { augmentPiecewiseAffine, augmentElastic, piecewiseAffineRow, elasticRow, elasticWeights, PIECEWISE_STRIDE, ELASTIC_STRIDE, type PiecewiseAffineParameters, type ElasticParameters } from './ops/augment-deform/deform.js';
export { augmentIntensity, INTENSITY_OPS, INTENSITY_STRIDES, INTENSITY_KERNELS, sharpenRow, linearContrastRow, gaussianBlurRow, meanBlurRow, medianBlurRow, gaussianNoiseRow, pixelDropoutRow, coarseDropoutRow, imgaugGaussianBlurKsize, type IntensityOp } from './ops/augment-intensity/intensity.js';
export { maxPool2d, maxPool2dBackward, maxPoolGeometry, type MaxPool2dOptions, type MaxPool2dResult, type Pair, type PoolGeometry } from './ops/max-pool/max-pool.js';
export { concat, concatShape, narrow } from './ops/concat/concat.js';
export { transpose01 } from './ops/transpose/transpose.js';
export { im2col, im2colShape, type Im2colOptions } from './ops/im2col/im2col.js';
export { col2im, type Col2imOptions } from './ops/col2im/col2im.js';
export { im2colPlan, IM2COL_BUDGET_BYTES, type Im2colChoice, type Im2colPlan } from './ops/conv2d/conv2d-im2col.js';
export {
  concatConvGeometry,
  concatConvInPlace,
  conv2dConcat,
  conv2dConcatBackwardInput,
  conv2dConcatBackwardWeight,
  type Conv2dConcatOptions,
  type Conv2dConcatBackwardInputOptions,
  type Conv2dConcatBackwardWeightOptions,
} from './ops/conv2d-concat/conv2d-concat.js';
export { adaptiveAvgPool2d, adaptiveAvgPool2dBackward } from './ops/adaptive-pool/adaptive-pool.js';
export { groupNorm, groupNormBackward, type GroupNormResult, type GroupNormGradients } from './ops/group-norm/group-norm.js';
export { dropout, dropoutBackward, dropoutUnitSize, type DropoutUnit } from './ops/dropout/dropout.js';
