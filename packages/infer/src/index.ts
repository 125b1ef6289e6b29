/** @ulseg/infer: ensemble of K models × test-time augmentation, resize back to the source size, threshold. Browser-safe. */
export { TTA_VIEWS, TTA_PRESETS, resolveViews, augmentViews, mergeViews, batchItems, bindableItems, type TtaView, type TtaPreset } from './views.js';
export { viewReference, augmentViewsReference, mergeViewsReference, ensembleReference } from './views.reference.js';
export { INPUT_RESIZES, checkResolution, planarChannels, preprocessImage, preprocessReference, type InputResize } from './preprocess.js';
export { leanForward } from './lean-forward.js';
export { weightsMember, type EnsembleMember, type LoadedMember, type SegmentationNetwork } from './members.js';
export {
  LOAD_MODES,
  predictBatch,
  predictEnsemble,
  type InferOptions,
  type InferProgress,
  type InferenceImage,
  type LoadMode,
  type Prediction,
} from './ensemble.js';
export { checkShard, shardNames, type Shard } from './shard.js';
export { inferFolder, readNamed, type InferFolderOptions, type InferFolderSummary } from './folder.js';
