/** @ulseg/model: Linknet + EfficientNet, weight-compatible with the original PyTorch code. */
export { readPth, isPthFile, ALLOWED_GLOBALS } from './weights/pth.js';
export { readSafetensors, writeSafetensors, isSafetensors, readWeights, type Safetensors } from './weights/safetensors.js';
export { unpickle, PickleSecurityError } from './weights/pickle.js';
export { ZipArchive } from './weights/zip.js';
export type { WeightEntry, WeightMap } from './weights/state-dict.js';
export { SegmentationModel, checkInput, INPUT_MULTIPLE, inferEncoder, type ModelConfig } from './segmentation-model.js';
export { EfficientNetEncoder, MBConvBlock, type EncoderOptions } from './encoders/efficientnet.js';
export { LinknetDecoder, LinknetDecoderBlock } from './decoders/linknet.js';
export {
  ENCODERS,
  EFFICIENTNET_VARIANTS,
  blockSpecs,
  encoderSpec,
  roundFilters,
  roundRepeats,
  staticSamePad,
  type BlockSpec,
  type EfficientNetSpec,
  type EfficientNetVariant,
  type EncoderName,
} from './encoders/efficientnet-params.js';
export {
  exportOnnx,
  inspectOnnx,
  readOnnxInitializers,
  ONNX_BATCH_DIMENSION,
  ONNX_INPUT_NAME,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  ONNX_OUTPUT_NAME,
  type OnnxDimension,
  type OnnxExportOptions,
  type OnnxNodeSummary,
  type OnnxSummary,
} from './onnx/index.js';
