/**
 * onnxruntime-web's WebGPU provider in Node on Dawn's lavapipe adapter (@ulseg/model/testing/ort-node, which the
 * bench's ORT peer loads too), and its Node wasm build,
 * on a small graph in the exporter's vocabulary: swish(Conv) with an asymmetric explicit pad and stride 2 on an
 * odd-sized input, against the float64 reference of our conv2d kernel. (The whole exported B0 is checked against
 * ORT in onnx-runtime.test.ts; on lavapipe ORT's WebGPU provider needs minutes to compile it, see the report.)
 */
import { describe, expect, it } from 'vitest';
import { activationReference, conv2dReference } from '@ulseg/kernels/reference';
import { assertClose, Random } from '@ulseg/kernels/testing';
import { runOrt } from '@ulseg/model/testing/ort';
import { dawnAdapter, loadOrtWasm, loadOrtWebGpu } from '@ulseg/model/testing/ort-node';
import { GraphBuilder } from '../src/onnx/graph-builder.js';

const X_SHAPE = [2, 3, 9, 11];
const W_SHAPE = [5, 3, 3, 3];
/** [left, right, top, bottom] as our kernels take it; ONNX pads are [top, left, bottom, right]. */
const PAD = [1, 2, 0, 1] as const;

function smallModel(random: Random): { bytes: Uint8Array; x: Float32Array; expected: Float64Array; outputShape: number[] } {
  const draw = (count: number): Float32Array => Float32Array.from({ length: count }, () => random.uniform(-1, 1));
  const x = draw(X_SHAPE.reduce((a, b) => a * b, 1));
  const w = draw(W_SHAPE.reduce((a, b) => a * b, 1));
  const b = draw(W_SHAPE[0]!);
  const graph = new GraphBuilder();
  graph.initializer({ name: 'conv.weight', shape: W_SHAPE, data: w });
  graph.initializer({ name: 'conv.bias', shape: [W_SHAPE[0]!], data: b });
  const [left, right, top, bottom] = PAD;
  const y = graph.node('conv', 'Conv', ['input', 'conv.weight', 'conv.bias'], {
    kernel_shape: { ints: [3, 3] },
    strides: { ints: [2, 2] },
    pads: { ints: [top, left, bottom, right] },
    dilations: { ints: [1, 1] },
    group: { int: 1 },
  });
  const swish = graph.node('swish', 'Mul', [y, graph.node('swish', 'Sigmoid', [y])]);
  const reference = conv2dReference(x, X_SHAPE, w, W_SHAPE, { stride: 2, padding: PAD, bias: b });
  const expected = reference.data.map((value) => activationReference('silu', value));
  const bytes = graph.encode(
    {
      graphName: 'swish-conv',
      opset: 17,
      irVersion: 8,
      producerName: 'ulseg test',
      producerVersion: '0',
      input: { name: 'input', shape: X_SHAPE },
      output: { name: 'output', shape: reference.shape },
    },
    swish,
  );
  return { bytes, x, expected, outputShape: reference.shape };
}

describe('onnxruntime-web in Node', () => {
  it('wasm (Node build) and WebGPU (browser bundle on the Dawn lavapipe adapter) compute swish(Conv) with asymmetric pads', { timeout: 300_000 }, async () => {
    const { bytes, x, expected, outputShape } = smallModel(new Random(9));
    const wasm = await runOrt(await loadOrtWasm(), bytes, x, X_SHAPE, { executionProviders: ['wasm'] });
    expect(wasm.logitsShape).toEqual(outputShape);
    assertClose(wasm.logits, expected, 'forward', 'ORT wasm');
    const adapter = await dawnAdapter('lavapipe');
    const webgpu = await runOrt(await loadOrtWebGpu(adapter), bytes, x, X_SHAPE, { executionProviders: ['webgpu'] });
    expect(webgpu.executionProvider).toBe('webgpu');
    expect(webgpu.logitsShape).toEqual(outputShape);
    assertClose(webgpu.logits, expected, 'forward', 'ORT WebGPU');
  });
});
