/**
 * The ONNX export's structure, read back with onnx-proto's decoder: opset, input and output, the op types and their
 * counts (derived here from the fixture's conv list and ORIGINAL.md §8, not from the exporter), the initializers
 * (exactly the state_dict keys the forward uses, with their shapes and bit-identical values), the explicit
 * "static same" pads of every encoder conv against static_padding.json, a topological order, and the errors.
 * Numerical agreement with ONNX Runtime is checked in packages/model/test/onnx-runtime.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nn } from '@ulseg/autograd';
import { gpuFor, Random, testAdapterKinds } from '@ulseg/kernels/testing';
import { readPth } from '../weights/pth.js';
import { SegmentationModel } from '../segmentation-model.js';
import { onnx } from './onnx-proto.js';
import { buildForBrowser, nodeOnlyInputs } from '../testing/chromium.js';
import { exportOnnx, ONNX_BATCH_DIMENSION } from './export-onnx.js';
import { inspectOnnx, readOnnxInitializers, type OnnxSummary } from './inspect-onnx.js';

const fixtures = new URL('../../../../test/fixtures/', import.meta.url);
const read = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(path, fixtures)));
const json = <T>(path: string): T => JSON.parse(new TextDecoder().decode(read(path))) as T;

interface StaticPadding {
  image_size: number;
  convs: { name: string; kernel: [number, number]; stride: [number, number]; groups: number; in: number; out: number; pad: [number, number, number, number]; bias: boolean }[];
}

const forwardKeys = (keys: readonly string[]): string[] =>
  keys.filter((key) => !key.endsWith('.num_batches_tracked') && !/^encoder\.(_conv_head|_bn1)\./.test(key));

/** Every encoder conv of the fixture list (but the never-run head) is one ONNX Conv with the listed geometry. */
function expectStaticPads(summary: OnnxSummary, padding: StaticPadding): void {
  const convs = new Map(summary.nodes.filter((node) => node.opType === 'Conv').map((node) => [node.inputs[1]!.replace(/\.weight$/, ''), node]));
  const listed = padding.convs.filter((conv) => conv.name !== 'encoder._conv_head');
  for (const conv of listed) {
    const node = convs.get(conv.name);
    expect(node, conv.name).toBeDefined();
    const [left, right, top, bottom] = conv.pad;
    expect(node!.attributes, conv.name).toEqual({
      kernel_shape: conv.kernel,
      strides: conv.stride,
      pads: [top, left, bottom, right],
      dilations: [1, 1],
      group: conv.groups,
    });
    expect(node!.inputs.length, `${conv.name} bias`).toBe(conv.bias ? 3 : 2);
  }
  expect([...convs.keys()].filter((name) => name.startsWith('encoder.')).sort()).toEqual(listed.map((conv) => conv.name).sort());
}

describe('ONNX export of Linknet-B0 (the original model.pth)', () => {
  let model: SegmentationModel;
  let bytes: Uint8Array;
  let summary: OnnxSummary;
  const stateDict = json<[string, number[], string][]>('linknet-b0/state_dict.json');
  const progress: [number, number][] = [];

  beforeAll(async () => {
    const gpu = await gpuFor(testAdapterKinds()[0]!);
    model = new SegmentationModel(gpu, { encoder: 'efficientnet-b0', inChannels: 1, classes: 1 });
    model.load(await readPth(read('linknet-b0/model.pth'), 'model.pth'));
    bytes = await exportOnnx(model, { height: 64, width: 96, batch: 'dynamic', onProgress: (done, total) => progress.push([done, total]) });
    summary = inspectOnnx(bytes);
  }, 120_000);
  afterAll(() => model?.dispose());

  it('is an opset-17 ModelProto with input [batch, 1, 64, 96] and logits of the same shape', () => {
    const raw = onnx.ModelProto.decode(bytes);
    expect(raw.opsetImport.map((entry) => [entry.domain, Number(entry.version)])).toEqual([['', 17]]);
    expect(Number(raw.irVersion)).toBe(8);
    expect(summary.opset).toBeGreaterThanOrEqual(13);
    expect(summary.inputs).toEqual([{ name: 'input', shape: [ONNX_BATCH_DIMENSION, 1, 64, 96] }]);
    expect(summary.outputs).toEqual([{ name: 'logits', shape: [ONNX_BATCH_DIMENSION, 1, 64, 96] }]);
    expect(summary.metadata).toMatchObject({ encoder: 'efficientnet-b0', in_channels: '1', classes: '1' });
    expect(progress.at(-1)).toEqual([summary.initializers.length, summary.initializers.length]);
  });

  it('has the op types and counts of B0 Linknet', () => {
    const padding = json<StaticPadding>('linknet-b0/static_padding.json');
    const encoderConvs = padding.convs.filter((conv) => conv.name !== 'encoder._conv_head');
    const blocks = new Set(encoderConvs.map((conv) => /_blocks\.(\d+)\./.exec(conv.name)?.[1]).filter((index) => index !== undefined));
    const expanding = encoderConvs.filter((conv) => conv.name.endsWith('_expand_conv')).length;
    // Residual MBConv: stride 1 and in = out (the fixture's depthwise stride and the block's in/out channels).
    const residual = [...blocks].filter((index) => {
      const convs = encoderConvs.filter((conv) => conv.name.startsWith(`encoder._blocks.${index}.`));
      const depthwise = convs.find((conv) => conv.name.endsWith('_depthwise_conv'))!;
      const input = convs[0]!.in;
      const output = convs.find((conv) => conv.name.endsWith('_project_conv'))!.out;
      return depthwise.stride[0] === 1 && input === output;
    }).length;
    const batchNorms = stateDict.filter(([key]) => key.endsWith('.running_mean') && key !== 'encoder._bn1.running_mean').length;
    // swish = Sigmoid + Mul: stem, each expand, each depthwise, each SE reduce; the SE gate adds a Sigmoid and a Mul.
    const swishes = 1 + expanding + 2 * blocks.size;
    expect(summary.opCounts).toEqual({
      Conv: encoderConvs.length + 5 * 2 + 1, // encoder, two 1x1 per decoder block, head
      ConvTranspose: 5,
      BatchNormalization: batchNorms,
      Sigmoid: swishes + blocks.size,
      Mul: swishes + blocks.size,
      GlobalAveragePool: blocks.size,
      Relu: 5 * 3,
      Add: residual + 4, // residual blocks, the four decoder skips
    });
    expect(summary.opCounts).toMatchObject({ Conv: 91, BatchNormalization: 63, Add: 13 });
  });

  it('has exactly the state_dict keys the forward uses as initializers, with their shapes and values', async () => {
    const expected = new Map(stateDict.map(([key, shape]) => [key, shape]));
    const names = summary.initializers.map((entry) => entry.name);
    expect([...names].sort()).toEqual(forwardKeys(stateDict.map(([key]) => key)).sort());
    for (const { name, shape } of summary.initializers) expect(shape, name).toEqual(expected.get(name));
    const weights = await readPth(read('linknet-b0/model.pth'), 'model.pth');
    const values = readOnnxInitializers(bytes);
    for (const name of names) {
      expect(values.get(name)!.every((value, index) => Object.is(value, weights.get(name)!.data[index])), name).toBe(true);
    }
    expect(summary.parameterCount).toBe(forwardKeys(stateDict.map(([key]) => key)).reduce((total, key) => total + expected.get(key)!.reduce((a, b) => a * b, 1), 0));
  });

  it('pads every encoder conv explicitly with the static-same pads of static_padding.json', () => {
    expectStaticPads(summary, json<StaticPadding>('linknet-b0/static_padding.json'));
    const transposed = summary.nodes.filter((node) => node.opType === 'ConvTranspose');
    for (const node of transposed) expect(node.attributes).toEqual({ kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1], group: 1 });
  });

  it('uses the encoder and decoder BatchNorm epsilons and is in topological order', () => {
    for (const node of summary.nodes.filter((entry) => entry.opType === 'BatchNormalization')) {
      const epsilon = node.inputs[1]!.startsWith('encoder.') ? 1e-3 : 1e-5;
      expect(node.attributes.epsilon, node.name).toBe(Math.fround(epsilon));
      expect(node.inputs.slice(1).map((input) => input.split('.').at(-1))).toEqual(['weight', 'bias', 'running_mean', 'running_var']);
    }
    const known = new Set(['input', ...summary.initializers.map((entry) => entry.name)]);
    const consumed = new Set<string>();
    for (const node of summary.nodes) {
      for (const input of node.inputs) {
        expect(known.has(input), `${node.name} reads '${input}' before it is computed`).toBe(true);
        consumed.add(input);
      }
      for (const output of node.outputs) known.add(output);
    }
    const dangling = summary.nodes.flatMap((node) => node.outputs).filter((output) => output !== 'logits' && !consumed.has(output));
    expect(dangling).toEqual([]);
    expect(summary.nodes.at(-1)!.outputs).toEqual(['logits']);
  });

  it('writes a fixed batch when asked', async () => {
    const fixed = inspectOnnx(await exportOnnx(model, { height: 64, width: 64, batch: 3 }));
    expect(fixed.inputs[0]!.shape).toEqual([3, 1, 64, 64]);
    expect(fixed.outputs[0]!.shape).toEqual([3, 1, 64, 64]);
  });

  it('refuses bad sizes and batches, and module trees it does not know, saying why', async () => {
    await expect(exportOnnx(model, { height: 60, width: 64 })).rejects.toThrow(/height 60 must be a positive multiple of 32/);
    await expect(exportOnnx(model, { height: 64, width: 0 })).rejects.toThrow(/width 0 must be a positive multiple of 32/);
    await expect(exportOnnx(model, { height: 64, width: 64, batch: 0 })).rejects.toThrow(/batch must be a positive integer or 'dynamic'/);
    expect(() => inspectOnnx(new Uint8Array([0xff, 0xff, 0xff]), 'junk.onnx')).toThrow(/junk.onnx: not an ONNX model/);
  });
});

describe('ONNX export against module trees it must refuse', () => {
  it('names the state the traced forward does not use (a swapped-in module, a module the forward never runs)', async () => {
    const gpu = await gpuFor(testAdapterKinds()[0]!);
    const random = new Random(7);
    const swapped = new SegmentationModel(gpu, { encoder: 'efficientnet-b0', inChannels: 1, classes: 1 });
    [...swapped.encoder.children()].find(([name]) => name === '_blocks')![1].registerModule('2', new nn.Conv2d(new nn.InitContext(gpu, random, 'encoder._blocks.2'), 24, 24, 1));
    await expect(exportOnnx(swapped, { height: 64, width: 64 })).rejects.toThrow(/state its forward does not use: encoder\._blocks\.2\.weight, encoder\._blocks\.2\.bias/);
    swapped.dispose();
    const extended = new SegmentationModel(gpu, { encoder: 'efficientnet-b0', inChannels: 1, classes: 1 });
    extended.decoder.registerModule('extra', new nn.Conv2d(new nn.InitContext(gpu, random, 'decoder.extra'), 32, 32, 1));
    await expect(exportOnnx(extended, { height: 64, width: 64 })).rejects.toThrow(/state its forward does not use: decoder\.extra\.weight, decoder\.extra\.bias/);
    extended.dispose();
  }, 60_000);
});

describe('ONNX export of Linknet-B6 (structure only)', () => {
  it('pads every encoder conv as static_padding.json of b6 says, stride-2 k5 as (1, 2, 1, 2)', { timeout: 180_000 }, async () => {
    const gpu = await gpuFor(testAdapterKinds()[0]!);
    const model = new SegmentationModel(gpu, { encoder: 'efficientnet-b6', inChannels: 1, classes: 1 });
    const summary = inspectOnnx(await exportOnnx(model, { height: 256, width: 256, batch: 'dynamic' }));
    model.dispose();
    expectStaticPads(summary, json<StaticPadding>('b6/static_padding.json'));
    const stateDict = json<[string, number[], string][]>('b6/state_dict.json');
    expect(summary.initializers.map((entry) => entry.name).sort()).toEqual(forwardKeys(stateDict.map(([key]) => key)).sort());
    const size = (shape: number[]): number => shape.reduce((product, extent) => product * extent, 1);
    const learnable = summary.initializers.filter(({ name }) => !/running_(mean|var)$/.test(name));
    expect(learnable.reduce((total, { shape }) => total + size(shape), 0)).toBe(39_916_245); // ORIGINAL.md §8: parameters the forward uses
  });
});

describe('ONNX writer and reader in a browser bundle', () => {
  it('bundle with esbuild for the browser (onnx-proto and protobufjs inlined, nothing from Node) and round-trip a graph', { timeout: 60_000 }, async () => {
    const entry = `export { GraphBuilder } from ${JSON.stringify(fileURLToPath(new URL('./graph-builder.ts', import.meta.url)))};
export { inspectOnnx, readOnnxInitializers } from ${JSON.stringify(fileURLToPath(new URL('./inspect-onnx.ts', import.meta.url)))};`;
    const result = await buildForBrowser({ stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' } });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('onnx-proto/dist/onnx.js'))).toBe(true);
    expect(inputs.some((input) => /protobufjs\/src\/writer/.test(input))).toBe(true);
    expect(nodeOnlyInputs(result.metafile)).toEqual([]);
    const bundled = (await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0]!.text).toString('base64')}`)) as {
      GraphBuilder: new () => { initializer(entry: object): string; node(scope: string, op: string, inputs: string[]): string; encode(description: object, result: string): Uint8Array };
      inspectOnnx: typeof inspectOnnx;
      readOnnxInitializers: typeof readOnnxInitializers;
    };
    const graph = new bundled.GraphBuilder();
    graph.initializer({ name: 'b', shape: [3], data: new Float32Array([1, -2, 0.5]) });
    const output = graph.node('add', 'Add', ['x', 'b']);
    const bytes = graph.encode(
      { graphName: 'g', opset: 17, irVersion: 8, producerName: 'test', producerVersion: '0', input: { name: 'x', shape: ['n', 3] }, output: { name: 'y', shape: ['n', 3] } },
      output,
    );
    const summary = bundled.inspectOnnx(bytes);
    expect(summary.nodes.map((node) => [node.opType, node.inputs, node.outputs])).toEqual([['Add', ['x', 'b'], ['y']]]);
    expect(summary.inputs).toEqual([{ name: 'x', shape: ['n', 3] }]);
    expect([...bundled.readOnnxInitializers(bytes).get('b')!]).toEqual([1, -2, 0.5]);
    // The plain (unbundled) reader agrees with the bundled writer.
    expect(inspectOnnx(bytes).opCounts).toEqual({ Add: 1 });
  });
});
