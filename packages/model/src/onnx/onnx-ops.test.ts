/**
 * The ONNX mappings of op kinds no Linknet-EfficientNet forward runs (pooling, concatenation, resizing, group norm), on
 * hand-made traces with odd sizes: the nodes each op becomes and their attributes. Every mapping a network runs is
 * checked against ONNX Runtime by onnx-networks.test.ts (and Linknet-B0 by test/onnx-runtime.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Trace, TracedOp, TraceValue } from '@ulseg/autograd';
import { buildGraph, ONNX_INPUT_NAME } from './export-onnx.js';
import { inspectOnnx, readOnnxInitializers } from './inspect-onnx.js';

const input = (shape: number[]): TraceValue => ({ kind: 'input', index: 0, shape });
const output = (op: number, shape: number[]): TraceValue => ({ kind: 'op', op, shape });

function traced(ops: Omit<TracedOp, 'index' | 'tensorAttributes'>[]): Trace {
  return {
    inputs: [[1, 3, 9, 12]],
    ops: ops.map((op, index) => ({ ...op, index, tensorAttributes: {} })),
    outputs: [output(ops.length - 1, [...ops.at(-1)!.shape])],
    dispose: () => undefined,
  };
}

function nodes(trace: Trace) {
  const { graph, result } = buildGraph(trace);
  const bytes = graph.encode(
    { graphName: 'g', opset: 17, irVersion: 8, producerName: 'test', producerVersion: '0', input: { name: ONNX_INPUT_NAME, shape: [1, 3, 9, 12] }, output: { name: 'y', shape: [] } },
    result,
  );
  return inspectOnnx(bytes).nodes;
}

describe('ONNX mappings of pooling and concatenation', () => {
  it('maxPool2d → MaxPool with the kernel, stride (default: the kernel) and symmetric pads', () => {
    const [pool, strided] = nodes(
      traced([
        { op: 'maxPool2d', inputs: [input([1, 3, 9, 12])], attributes: { kernelSize: 3, options: { padding: 1 } }, shape: [1, 3, 3, 4] },
        { op: 'maxPool2d', inputs: [output(0, [1, 3, 3, 4])], attributes: { kernelSize: [3, 2], options: { stride: [2, 1], padding: [1, 0] } }, shape: [1, 3, 2, 3] },
      ]),
    );
    expect(pool).toMatchObject({ opType: 'MaxPool', inputs: [ONNX_INPUT_NAME], attributes: { kernel_shape: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1] } });
    expect(strided).toMatchObject({ opType: 'MaxPool', attributes: { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 0] } });
    expect(strided!.inputs).toEqual(pool!.outputs);
  });

  it('adaptiveAvgPool2d → GlobalAveragePool for 1x1, AveragePool over even windows', () => {
    const [global, even] = nodes(
      traced([
        { op: 'adaptiveAvgPool2d', inputs: [input([1, 3, 9, 12])], attributes: undefined, shape: [1, 3, 1, 1] },
        { op: 'adaptiveAvgPool2d', inputs: [input([1, 3, 9, 12])], attributes: [3, 4], shape: [1, 3, 3, 4] },
      ]),
    );
    expect(global).toMatchObject({ opType: 'GlobalAveragePool', attributes: {} });
    expect(even).toMatchObject({ opType: 'AveragePool', attributes: { kernel_shape: [3, 3], strides: [3, 3], pads: [0, 0, 0, 0] } });
  });

  it('adaptiveAvgPool2d over uneven windows → Y = P_h · X · P_wᵀ, two MatMuls against pooling-matrix initializers', () => {
    // 9 → 2 rows: windows [0, 5), [4, 9) (overlapping at 4); 12 → 5 columns: [0, 3), [2, 5), [4, 8), [7, 10), [9, 12).
    const rowWindows = [[0, 5], [4, 9]];
    const columnWindows = [[0, 3], [2, 5], [4, 8], [7, 10], [9, 12]];
    const { graph, result } = buildGraph(
      traced([
        { op: 'adaptiveAvgPool2d', inputs: [input([1, 3, 9, 12])], attributes: [2, 5], shape: [1, 3, 2, 5] },
        { op: 'relu', inputs: [input([1, 3, 9, 12])], attributes: undefined, shape: [1, 3, 9, 12] },
        { op: 'adaptiveAvgPool2d', inputs: [output(1, [1, 3, 9, 12])], attributes: [2, 5], shape: [1, 3, 2, 5] },
      ]),
    );
    const bytes = graph.encode(
      { graphName: 'g', opset: 17, irVersion: 8, producerName: 'test', producerVersion: '0', input: { name: ONNX_INPUT_NAME, shape: [1, 3, 9, 12] }, output: { name: 'y', shape: [] } },
      result,
    );
    const summary = inspectOnnx(bytes);
    const [columnsProduct, pooled, relu, columnsProduct2, pooled2] = summary.nodes;
    // The same sizes share one pair of matrices.
    expect(summary.initializers).toEqual([
      { name: 'adaptive_avg_pool.12to5.columns', shape: [12, 5] },
      { name: 'adaptive_avg_pool.9to2.rows', shape: [2, 9] },
    ]);
    expect(columnsProduct).toMatchObject({ opType: 'MatMul', inputs: [ONNX_INPUT_NAME, 'adaptive_avg_pool.12to5.columns'] });
    expect(pooled).toMatchObject({ opType: 'MatMul', inputs: ['adaptive_avg_pool.9to2.rows', columnsProduct!.outputs[0]] });
    expect(columnsProduct2).toMatchObject({ opType: 'MatMul', inputs: [relu!.outputs[0], 'adaptive_avg_pool.12to5.columns'] });
    expect(pooled2).toMatchObject({ opType: 'MatMul', inputs: ['adaptive_avg_pool.9to2.rows', columnsProduct2!.outputs[0]] });
    const values = readOnnxInitializers(bytes);
    const expected = (windows: number[][], n: number, transposed: boolean): Float32Array => {
      const o = windows.length;
      const matrix = new Float32Array(n * o);
      windows.forEach(([start, end], k) => {
        for (let i = start!; i < end!; i++) matrix[transposed ? i * o + k : k * n + i] = 1 / (end! - start!);
      });
      return matrix;
    };
    expect(values.get('adaptive_avg_pool.12to5.columns')).toEqual(expected(columnWindows, 12, true));
    expect(values.get('adaptive_avg_pool.9to2.rows')).toEqual(expected(rowWindows, 9, false));
  });

  it('cat → Concat along the op’s dimension, inputs in order; an op without a mapping is named', () => {
    const [relu, concat] = nodes(
      traced([
        { op: 'relu', inputs: [input([1, 3, 9, 12])], attributes: undefined, shape: [1, 3, 9, 12] },
        { op: 'cat', inputs: [input([1, 3, 9, 12]), output(0, [1, 3, 9, 12])], attributes: 1, shape: [1, 6, 9, 12] },
      ]),
    );
    expect(concat).toMatchObject({ opType: 'Concat', inputs: [ONNX_INPUT_NAME, relu!.outputs[0]], attributes: { axis: 1 } });
    expect(() => nodes(traced([{ op: 'dropout', inputs: [input([1, 3, 9, 12])], attributes: { p: 0.5 }, shape: [1, 3, 9, 12] }]))).toThrow(
      /the forward ran 'dropout', which has no ONNX mapping/,
    );
  });

  it('interpolate → Resize to the traced size: nearest as PyTorch (asymmetric, floor), bilinear aligned or half-pixel', () => {
    const all = nodes(
      traced([
        { op: 'interpolate', inputs: [input([1, 3, 9, 12])], attributes: { mode: 'nearest', alignCorners: false, size: [18, 24] }, shape: [1, 3, 18, 24] },
        { op: 'interpolate', inputs: [output(0, [1, 3, 18, 24])], attributes: { mode: 'bilinear', alignCorners: true, size: [37, 49] }, shape: [1, 3, 37, 49] },
        { op: 'interpolate', inputs: [output(1, [1, 3, 37, 49])], attributes: { mode: 'bilinear', alignCorners: false, size: [5, 7] }, shape: [1, 3, 5, 7] },
      ]),
    );
    const resizes = all.filter((node) => node.opType === 'Resize');
    expect(all.map((node) => node.opType)).toEqual(['Shape', 'Constant', 'Concat', 'Resize', 'Shape', 'Constant', 'Concat', 'Resize', 'Shape', 'Constant', 'Concat', 'Resize']);
    const [shape, spatial, sizes] = all;
    expect(shape).toMatchObject({ inputs: [ONNX_INPUT_NAME], attributes: { end: 2 } });
    expect(spatial!.attributes).toEqual({ value_ints: [18, 24] });
    expect(sizes).toMatchObject({ inputs: [shape!.outputs[0], spatial!.outputs[0]], attributes: { axis: 0 } });
    const [nearest, aligned, halfPixel] = resizes;
    expect(nearest).toMatchObject({ inputs: [ONNX_INPUT_NAME, '', '', sizes!.outputs[0]], attributes: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } });
    expect(all[5]!.attributes).toEqual({ value_ints: [37, 49] });
    expect(aligned).toMatchObject({ inputs: [nearest!.outputs[0], '', '', all[6]!.outputs[0]], attributes: { mode: 'linear', coordinate_transformation_mode: 'align_corners' } });
    expect(halfPixel!.attributes).toEqual({ mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' });
  });

  it('groupNorm → Reshape [N, G, -1], InstanceNormalization (scale 1, bias 0, eps), Reshape back, per-channel Mul and Add', () => {
    const weight: TraceValue = { kind: 'constant', tensor: undefined as never, shape: [6] };
    const all = nodes({
      ...traced([{ op: 'groupNorm', inputs: [input([1, 6, 9, 12]), weight, weight], attributes: { groups: 3, eps: 1e-5 }, shape: [1, 6, 9, 12] }]),
    });
    expect(all.map((node) => node.opType)).toEqual(['Constant', 'Reshape', 'Constant', 'Constant', 'InstanceNormalization', 'Shape', 'Reshape', 'Constant', 'Reshape', 'Mul', 'Reshape', 'Add']);
    const byType = (type: string) => all.filter((node) => node.opType === type);
    expect(byType('Constant').map((node) => node.attributes)).toEqual([{ value_ints: [0, 3, -1] }, { value_floats: [1, 1, 1] }, { value_floats: [0, 0, 0] }, { value_ints: [6, 1, 1] }]);
    expect(byType('InstanceNormalization')[0]!.attributes.epsilon).toBeCloseTo(1e-5, 10);
    expect(byType('Reshape')[0]!.inputs[0]).toBe(ONNX_INPUT_NAME);
    expect(byType('Shape')[0]!.inputs).toEqual([ONNX_INPUT_NAME]);
  });
});
