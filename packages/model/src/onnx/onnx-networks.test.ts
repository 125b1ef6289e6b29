/**
 * The ONNX export of every network ulseg builds runs in ONNX Runtime (onnxruntime-web's Node build: the wasm CPU
 * provider, one thread) and gives our eval-mode logits: Linknet and Unet on ResNet-18 (the ResNet stem's max-pool,
 * nearest ×2 resizing, concatenation), Unet on EfficientNet-B0 (static-same pads, squeeze-excitation), the attention
 * Unet (scSE), FPN (group norm, nearest and align_corners bilinear resizing), PSPNet on ResNet-18 and EfficientNet-B0
 * (the encoder's unread stages left out; adaptive average pooling of the 8x12 map to 3 and 6: uneven, overlapping
 * windows on the 8-long axis, so the MatMul form), PAN (FPA's max-pools
 * and 7x7/5x5 convs, GAU's global pooling) and DeepLabV3+ on ResNet-18 and EfficientNet-B0 (dilated last stage,
 * depthwise-separable convs, ASPP dilations 12/24/36). Seeded random weights with random BatchNorm statistics and
 * affine parameters (none an identity), a random input of batch 2 at 64x96 (height ≠ width, so a swapped axis
 * shows); PAN, which needs 128 px, batch 1 at 128x160.
 */
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nn, noGrad, Tensor } from '@ulseg/autograd';
import { compare, gpuFor, Random, testAdapterKinds } from '@ulseg/kernels/testing';
import { SegmentationModel, type ModelConfig } from '../segmentation-model.js';
import { exportOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './export-onnx.js';
import { inspectOnnx } from './inspect-onnx.js';

type Gpu = Tensor['gpu'];

/**
 * ORT's CPU kernels against ours: float32 summation order only (observed 3e-7 to 3e-6 here). A wrong mapping is far
 * off: bilinear without align_corners, or group norm over the wrong axes, moves every value it touches.
 */
const AGREEMENT = 1e-5;
type Shape = readonly [number, number, number, number];
const SHAPE: Shape = [2, 1, 64, 96];

/** Every 1-D state entry drawn at random: BN running means in ±0.2, variances in [0.5, 1.5], affine weights near 1, biases. */
function randomiseState(module: nn.Module, seed: number): void {
  const random = new Random(seed);
  const draw = (count: number, low: number, high: number): Float32Array => Float32Array.from({ length: count }, () => random.uniform(low, high));
  const state = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const [key, tensor] of module.stateDict()) {
    if (tensor.shape.length !== 1 || key.endsWith('.num_batches_tracked')) continue;
    const [low, high] = key.endsWith('.running_var') ? [0.5, 1.5] : key.endsWith('.weight') ? [0.7, 1.3] : [-0.2, 0.2];
    state.set(key, { shape: tensor.shape, data: draw(tensor.size, low, high) });
  }
  module.load(state, { strict: false });
}

type Network = nn.Module;

interface NetworkCase {
  readonly name: string;
  /** ONNX op types the graph must hold (what this network adds to the mappings under test). */
  readonly ops: readonly string[];
  readonly shape: Shape;
  build(gpu: Gpu): Network;
  exportBytes(module: Network): Promise<Uint8Array>;
}

const segmentationModel = (name: string, config: Omit<ModelConfig, 'inChannels' | 'classes'>, ops: readonly string[], shape = SHAPE): NetworkCase => ({
  name,
  ops,
  shape,
  build: (gpu) => new SegmentationModel(gpu, { ...config, inChannels: 1, classes: 1, seed: 20_211 }),
  exportBytes: (module) => exportOnnx(module as SegmentationModel, { height: shape[2], width: shape[3], batch: shape[0] }),
});

/** The dilations the Conv nodes use, and how many Convs have more than one group (depthwise). */
function convCounts(summary: ReturnType<typeof inspectOnnx>): { dilations: number[]; grouped: number } {
  const convs = summary.nodes.filter((node) => node.opType === 'Conv');
  return {
    dilations: [...new Set(convs.flatMap((node) => node.attributes.dilations as number[]))].sort((a, b) => a - b),
    grouped: convs.filter((node) => (node.attributes.group as number) > 1).length,
  };
}

const CASES: readonly NetworkCase[] = [
  segmentationModel('Linknet on resnet18', { network: 'linknet', encoder: 'resnet18' }, ['MaxPool', 'ConvTranspose', 'Add']),
  segmentationModel('Unet on resnet18', { network: 'unet', encoder: 'resnet18' }, ['MaxPool', 'Resize', 'Concat']),
  segmentationModel('Unet on efficientnet-b0', { network: 'unet', encoder: 'efficientnet-b0' }, ['Resize', 'Concat', 'GlobalAveragePool']),
  segmentationModel('Unet (scSE) on resnet18', { network: 'unet', encoder: 'resnet18', decoderAttention: 'scse' }, ['Resize', 'Concat', 'GlobalAveragePool', 'Sigmoid']),
  segmentationModel('FPN on resnet18', { network: 'fpn', encoder: 'resnet18' }, ['MaxPool', 'Resize', 'InstanceNormalization']),
  // 64x96 → f3 8x12: the 2x2 pool has even windows (AveragePool); 3x3 and 6x6 overlap on the 8-long axis (MatMul).
  segmentationModel('PSPNet on resnet18', { network: 'pspnet', encoder: 'resnet18' }, ['GlobalAveragePool', 'AveragePool', 'MatMul', 'Resize', 'Concat']),
  // Depth 3 on EfficientNet: the blocks after f3's are state only, as ResNet's layer3 and layer4 above.
  segmentationModel('PSPNet on efficientnet-b0', { network: 'pspnet', encoder: 'efficientnet-b0' }, ['MatMul', 'Resize']),
  segmentationModel('PAN on resnet18', { network: 'pan', encoder: 'resnet18' }, ['MaxPool', 'GlobalAveragePool', 'Resize'], [1, 1, 128, 160]),
  segmentationModel('DeepLabV3+ on resnet18', { network: 'deeplabv3plus', encoder: 'resnet18' }, ['GlobalAveragePool', 'Resize', 'Concat']),
  segmentationModel('DeepLabV3+ on efficientnet-b0', { network: 'deeplabv3plus', encoder: 'efficientnet-b0' }, ['GlobalAveragePool', 'Resize', 'Concat']),
];

async function ortLogits(bytes: Uint8Array, input: Float32Array, shape: Shape): Promise<{ logits: Float32Array; shape: readonly number[] }> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  try {
    const outputs = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', input, [...shape]) });
    const logits = outputs[ONNX_OUTPUT_NAME]!;
    return { logits: logits.data as Float32Array, shape: logits.dims };
  } finally {
    await session.release();
  }
}

// One adapter: what is under test is the export's graph; each network's forward on every adapter is the fixture tests'.
{
  const kind = testAdapterKinds()[0]!;
  describe(`ONNX export of every network in ONNX Runtime (wasm) against our eval logits on ${kind}`, () => {
    let gpu: Gpu;
    const inputFor = (shape: Shape): Float32Array => {
      const random = new Random(77);
      return Float32Array.from({ length: shape.reduce((product, size) => product * size, 1) }, () => random.uniform(0, 1));
    };
    beforeAll(async () => {
      gpu = await gpuFor(kind);
    }, 120_000);
    afterAll(async () => {
      await gpu?.sync();
    });

    for (const network of CASES) {
      it(network.name, { timeout: 300_000 }, async () => {
        const { shape } = network;
        const input = inputFor(shape);
        const module = network.build(gpu);
        try {
          randomiseState(module, 4242);
          // The export traces the eval forward whatever the mode: leave the module training (dropout on) to show it.
          module.train();
          const bytes = await network.exportBytes(module);
          module.eval();
          const x = Tensor.fromArray(gpu, input, [...shape]);
          const logits = noGrad(() => module.forward(x));
          const ours = await logits.toArray();
          logits.dispose();
          x.dispose();
          const summary = inspectOnnx(bytes);
          for (const op of network.ops) expect(summary.opCounts[op], op).toBeGreaterThan(0);
          if (network.name.startsWith('DeepLabV3+')) {
            // The stride-16 encoder's dilated last stage (2), ASPP's separable convs (12, 24, 36); the depthwise halves
            // of the five separable convs (group = channels).
            const { dilations, grouped } = convCounts(summary);
            expect(dilations).toEqual([1, 2, 12, 24, 36]);
            expect(grouped).toBeGreaterThanOrEqual(5);
          }
          const peer = await ortLogits(bytes, input, shape);
          expect(peer.shape).toEqual([...shape]);
          const result = compare(peer.logits, ours);
          console.log(`${network.name} on ${kind}, ORT wasm vs ours: rel-L2 ${result.relativeL2.toExponential(2)}, max |Δ| ${result.maxAbsolute.toExponential(2)}`);
          expect(result.nonFinite).toBe(0);
          expect(result.relativeL2).toBeLessThanOrEqual(AGREEMENT);
        } finally {
          module.dispose();
        }
      });
    }
  });
}
