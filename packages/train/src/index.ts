/**
 * @ulseg/train: K-fold training of Linknet-EfficientNet on WebGPU (ORIGINAL.md §3–§5): GPU augmentation and resizing,
 * Adam with the original's cosine schedule, validation, the original's best-checkpoint rule, atomic safetensors
 * checkpoints, exact resume, BN recalibration. Runs in Node and in browsers: files go through TrainFiles.
 */
export {
  BN_RECALIBRATION_STEPS,
  bnRecalibrationEnabled,
  ConfigError,
  configDifferences,
  DEFAULT_TRAIN_CONFIG,
  describeResolution,
  finalResolutionStart,
  NETWORKS,
  resolutionAt,
  resolveTrainConfig,
  type BnRecalibration,
  type Network,
  type TrainConfig,
  type TrainConfigInput,
} from './config.js';
export {
  DEFAULT_AUGMENT_POLICY,
  drawSampleOps,
  ENHANCED_CHILDREN,
  GEOMETRIC_CHILDREN,
  planAugmentation,
  resolveAugmentPolicy,
  type AugmentPolicy,
  type AugmentPolicyInput,
  type AugmentRandom,
  type AugmentRange,
  type EnhancedChild,
  type GeometricChild,
} from './augment/augment-policy.js';
export { compileAugmentPlan, GEOMETRIC_KINDS, stepKey, stepOf, type AugmentPlan, type CompileOptions, type SampleOp, type SampleOpKind } from './augment/augment-plan.js';
export { augmentGrid, type AugmentGrid, type AugmentGridOptions } from './augment/augment-grid.js';
export { batchRanges, evaluationBatch, trainingBatch, type Augmentation, type Batch, type TrainingSample } from './batches.js';
export { recalibrateBatchNorm, type ForwardModule } from './bn-recalibration.js';
export {
  adaptInitWeights,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  encodeCheckpoint,
  OPTIMIZER_PREFIX,
  restoreOptimizer,
  snapshotModel,
  snapshotOptimizer,
  type Checkpoint,
  type MomentEntry,
  type TrainingState,
} from './checkpoint.js';
export { NonFiniteLossError, TrainingStoppedError, type TrainEvent, type TrainEventHandler } from './events.js';
export {
  CHECKPOINT_FILES,
  segmentationModelFactory,
  trainFold,
  type CurveRenderer,
  type FoldOptions,
  type FoldOutput,
  type FoldResult,
  type ModelFactory,
  type TrainFiles,
} from './fold.js';
export { formatLogCsv, LOG_COLUMNS, parseLogCsv, type EpochRow } from './log.js';
export { augmentPreview, type AugmentPreviewOptions, type PreviewImage } from './preview.js';
export { foldDirectory, matchTrainTable, splitFold, trainFolds, type FoldedSample, type TrainRunOptions } from './run.js';
export { BestCheckpointRule, learningRateAt } from './schedule.js';
export { augmentationRandom, dropConnectRandom, epochOrder, initialisationSeed, repeatTrainingSamples, streamSeed } from './streams.js';
