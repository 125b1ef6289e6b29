/**
 * The ONNX protobuf messages (onnx-proto: protobufjs static code generated from onnx.proto of ONNX 1.10.2, IR
 * version 8). The package is CommonJS that assigns its namespace to `module.exports`, which Node's ESM loader
 * exposes only as the default export, so it is imported as a default and unpacked here once.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

/** TensorProto.DataType.FLOAT. */
export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const AttributeType = onnx.AttributeProto.AttributeType;
