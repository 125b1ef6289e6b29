/** @ulseg/model: Linknet, Unet, FPN, PSPNet, PAN and DeepLabV3+ on ResNet and EfficientNet, weight-compatible with the original PyTorch code. */
export { readPth, isPthFile, ALLOWED_GLOBALS } from './weights/pth.js';
export { readSafetensors, writeSafetensors, isSafetensors, readWeights, OPTIMIZER_STATE_PREFIX, type Safetensors } from './weights/safetensors.js';
export { unpickle, PickleSecurityError } from './weights/pickle.js';
export { ZipArchive } from './weights/zip.js';
export type { WeightEntry, WeightMap } from './weights/state-dict.js';
export { SegmentationModel, checkInput, INPUT_MULTIPLE, smallestInput, inferEncoder, inferArchitecture, inferNetwork, modelSpecFromWeights, type Architecture, type ModelConfig, type ModelSpec } from './segmentation-model.js';
export { EfficientNetEncoder, MBConvBlock, type EncoderOptions } from './encoders/efficientnet.js';
export { ResNetEncoder, RESNET_NAMES, type ResNetName } from './encoders/resnet.js';
export { BACKBONES, checkBackbone, createEncoder, isBackbone, type BackboneName, type Encoder, type EncoderBuildOptions } from './encoders/encoder.js';
export { LinknetDecoder, LinknetDecoderBlock } from './decoders/linknet.js';
export { FpnDecoder } from './decoders/fpn.js';
export { PspDecoder } from './decoders/pspnet.js';
export { PanDecoder } from './decoders/pan.js';
export { DeepLabV3PlusDecoder } from './decoders/deeplabv3plus.js';
export { UnetDecoder, UnetDecoderBlock, SCSEModule, DECODER_ATTENTIONS, UNET_DECODER_CHANNELS, type DecoderAttention } from './decoders/unet.js';
export {
  NETWORKS,
  NETWORK_TITLES,
  checkNetwork,
  checkDecoderAttention,
  describeNetwork,
  isNetwork,
  inputTooSmall,
  NETWORK_MIN_INPUT,
  type NetworkName,
} from './networks.js';
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
