/** ONNX export of a SegmentationModel (any network and backbone) and a reader for ONNX files (onnx-proto encoding). */
export {
  exportOnnx,
  ONNX_BATCH_DIMENSION,
  ONNX_INPUT_NAME,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  ONNX_OUTPUT_NAME,
  type OnnxExportOptions,
} from './export-onnx.js';
export { inspectOnnx, readOnnxInitializers, type OnnxNodeSummary, type OnnxSummary } from './inspect-onnx.js';
export type { Dimension as OnnxDimension } from './graph-builder.js';
