/** @ulseg/kernels: the WebGPU runtime and the WGSL kernels, each with its float64 CPU reference. */
export { createGpu, describeGpu, type CreateGpuOptions } from './device/create-gpu.js';
export { ADAPTER_KINDS, classifyAdapter, parseAdapterKind, type AdapterKind, type ResolvedAdapterKind } from './device/adapters.js';
export { DeviceLostError, GpuUnavailableError, GpuValidationError, KernelArgumentError } from './device/errors.js';
export { Gpu, type Dispatch, type GpuInfo, type Timing } from './runtime/gpu.js';
export { BufferPool, sizeClass, type PoolCounters } from './runtime/buffer-pool.js';
export { PipelineCache } from './runtime/pipeline-cache.js';
export { kernelKey, kernelLabel, type KernelSource } from './runtime/kernel.js';
export { contiguousStrides, formatShape, numel, sameShape, type GpuTensor, type DType } from './runtime/tensor.js';
export { flatGrid, UniformWriter, FLAT_INDEX_WGSL } from './runtime/grid.js';
export { BufferUsage, MapMode, STORAGE_USAGE } from './runtime/usage.js';

export { unary, unaryKernel, UNARY_OPS, type UnaryOp } from './ops/unary/unary.js';
export { unaryReference } from './ops/unary/unary.reference.js';
export { binary, binaryKernel, BINARY_OPS, type BinaryOp } from './ops/binary/binary.js';
export { binaryReference } from './ops/binary/binary.reference.js';
export { broadcastShapes, broadcastStrides } from './ops/binary/broadcast.js';
export { fill, copyTensor, FILL_KERNEL, COPY_KERNEL } from './ops/fill/fill.js';
export { reduce, reduceKernel, REDUCE_OPS, type ReduceOp, type ReduceOptions } from './ops/reduce/reduce.js';
export { reduceReference } from './ops/reduce/reduce.reference.js';
export { reductionPlan, type ReductionPlan } from './ops/reduce/reduce-plan.js';
export { Random, randomArray } from './testing/random.js';

export { activationBackward, activationBackwardKernel, ACTIVATION_BACKWARD_OPS, type ActivationBackwardOp } from './ops/activation-backward/activation-backward.js';
export { adam, adamScalars, adamKernel, type AdamGroup, type AdamOptions, type AdamScalars } from './ops/adam/adam.js';
export { cosineAnnealingLr } from './ops/adam/lr-schedule.js';
export { globalAvgPool2d, globalAvgPool2dBackward, channelScale, channelScaleBackward, type ChannelScaleGradients } from './ops/squeeze-excitation/squeeze-excitation.js';
export { activationBackwardReference, ACTIVATION_DERIVATIVE } from './ops/activation-backward/activation-backward.reference.js';
export { batchNorm2d, batchNorm2dTraining, batchNorm2dInference, foldBatchNorm2d, type BatchNorm2dOptions, type BatchNormParameters, type BatchNormTrainingOptions, type BatchNormSaved } from './ops/batch-norm/batch-norm.js';
export { batchNorm2dBackward, type BatchNormGradients } from './ops/batch-norm/batch-norm-backward.js';
export { batchNormTrainingReference, batchNormInferenceReference, batchNormBackwardReference, foldBatchNormReference, batchStatistics, type BatchNormReferenceParameters } from './ops/batch-norm/batch-norm.reference.js';
export { globalAvgPool2dReference, globalAvgPool2dBackwardReference, channelScaleReference, channelScaleBackwardReference } from './ops/squeeze-excitation/squeeze-excitation.reference.js';
export { dropConnect, dropConnectBackward, dropConnectMask, dropConnectThreshold } from './ops/drop-connect/drop-connect.js';
export { pcgHash, dropConnectKeep, dropConnectMaskReference, dropConnectReference } from './ops/drop-connect/drop-connect.reference.js';
export { segmentationLoss, segmentationLossBackward, segmentationMetrics, type SegmentationLoss, type SegmentationLossOptions } from './ops/loss/loss.js';
export { segmentationLossReference, segmentationLossBackwardReference, segmentationMetricsReference, type LossReference } from './ops/loss/loss.reference.js';
export { adamReference, adamFloat32Emulation, type AdamState } from './ops/adam/adam.reference.js';
export { correctlyRoundedCos } from './ops/adam/lr-schedule.js';
