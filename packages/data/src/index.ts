/** @ulseg/data: the BDCI data layout, PNG I/O, size grades and folds, and the synthetic ultrasound phantom. No GPU, no Node built-ins (file access goes through DataFiles; the file system one is @ulseg/data/node). */
export { DataError } from './errors.js';
export { type DataFiles, joinPath, MemoryFiles } from './files.js';
export {
  checkGrayImage,
  type DecodedImage,
  decodePng,
  encodeGrayPng,
  encodeRgbPng,
  type GrayImage,
  inferenceGray,
  MAX_IMAGE_SIDE,
  pillowGray,
  readPngSize,
  type RgbImage,
} from './png.js';
export { interpretMask, MAX_MASK_LEVELS, MAX_MASK_MID_GREY, type MaskEncoding, MaskTally, type ReadMask } from './mask.js';
export { resizeNearest } from './resize.js';
export { compareNatural, sortNatural } from './natural-sort.js';
export {
  assignFolds,
  DEFAULT_FOLD_SEED,
  DEFAULT_FOLDS,
  type GradeThresholds,
  MASK_THRESHOLD,
  maskArea,
  README_THRESHOLDS,
  sizeGrade,
  type SizeGrade,
  tertileThresholds,
} from './grades.js';
export {
  buildTrainTable,
  formatTrainCsv,
  parseTrainCsv,
  readTrainCsv,
  type SplitOptions,
  type TrainRow,
  type TrainTable,
  writeTrainCsv,
} from './train-csv.js';
export {
  BDCI_LAYOUT,
  type ImageSample,
  type LabelledSample,
  listPngFiles,
  type Loaded,
  loadLabelledSet,
  loadPair,
  type LoadOptions,
  loadTestSet,
  loadTrainSet,
  MAX_MASK_SIZE_DIFFERENCE,
  readImage,
  writePrediction,
} from './bdci.js';
export { REAL_IMAGE_SIZE, REAL_TUMOUR_AREAS } from './real-areas.js';
export { type PhantomInfo, type PhantomScan, type PhantomSpec, renderPhantom } from './phantom/scan.js';
export {
  generatePhantomSet,
  type PhantomSetOptions,
  type PhantomSetSummary,
  type PhantomSizeOptions,
  renderPhantomSample,
  samplePhantomSpec,
} from './phantom/dataset.js';
