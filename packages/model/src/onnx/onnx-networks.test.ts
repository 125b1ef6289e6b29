/**
 * The ONNX export of every network ulseg builds runs in ONNX Runtime (onnxruntime-web's Node build: the wasm CPU
 * provider, one thread) and gives our eval-mode logits: Linknet and Unet on ResNet-18 (the ResNet stem's max-pool,
 * nearest ×2 resizing, concatenation), Unet on EfficientNet-B0 (static-same pads, squeeze-excitation), the attention
 * Unet (scSE) and FPN (group norm, nearest and align_corners bilinear resizing; assembled from its parts as the
 * fpn-resnet34 fixture test does). Seeded random weights with random BatchNorm statistics and affine parameters
 * (none an identity), a random input of batch 2 at 64x96 (height ≠ width, so a swapped axis shows).
 */
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nn, noGrad, Tensor } from '@ulseg/autograd';
import { compare, gpuFor, Random, testAdapterKinds } from '@ulseg/kernels/testing';
import { AssembledFpn } from '../../test/assembled-fpn.js';
import { SegmentationModel, type ModelConfig } from '../segmentation-model.js';
import { exportModuleOnnx, exportOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './export-onnx.js';
import { inspectOnnx } from './inspect-onnx.js';

type Gpu = Tensor['gpu'];

/**
 * ORT's CPU kernels against ours: float32 summation order only (observed 3e-7 to 3e-6 here). A wrong mapping is far
 * off: bilinear without align_corners, or group norm over the wrong axes, moves every value it touches.
 */
const AGREEMENT = 1e-5;
const SHAPE = [2, 1, 64, 96] as const;

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

type Network = nn.Module & { forward(x: Tensor): Tensor };

interface NetworkCase {
  readonly name: string;
  /** ONNX op types the graph must hold (what this network adds to the mappings under test). */
  readonly ops: readonly string[];
  build(gpu: Gpu): Network;
  exportBytes(module: Network): Promise<Uint8Array>;
}

const segmentationModel = (name: string, config: Omit<ModelConfig, 'inChannels' | 'classes'>, ops: readonly string[]): NetworkCase => ({
  name,
  ops,
  build: (gpu) => new SegmentationModel(gpu, { ...config, inChannels: 1, classes: 1, seed: 20_211 }),
  exportBytes: (module) => exportOnnx(module as SegmentationModel, { height: SHAPE[2], width: SHAPE[3], batch: SHAPE[0] }),
});

const CASES: readonly NetworkCase[] = [
  segmentationModel('Linknet on resnet18', { network: 'linknet', encoder: 'resnet18' }, ['MaxPool', 'ConvTranspose', 'Add']),
  segmentationModel('Unet on resnet18', { network: 'unet', encoder: 'resnet18' }, ['MaxPool', 'Resize', 'Concat']),
  segmentationModel('Unet on efficientnet-b0', { network: 'unet', encoder: 'efficientnet-b0' }, ['Resize', 'Concat', 'GlobalAveragePool']),
  segmentationModel('Unet (scSE) on resnet18', { network: 'unet', encoder: 'resnet18', decoderAttention: 'scse' }, ['Resize', 'Concat', 'GlobalAveragePool', 'Sigmoid']),
  {
    name: 'FPN on resnet18 (assembled)',
    ops: ['MaxPool', 'Resize', 'InstanceNormalization'],
    build: (gpu) => new AssembledFpn(gpu, 'resnet18', { seed: 4321, dropout: 0.2 }),
    exportBytes: (module) =>
      exportModuleOnnx(
        module,
        { name: 'fpn-resnet18', title: 'FPN on resnet18', inChannels: 1, classes: 1, metadata: { network: 'fpn', encoder: 'resnet18' } },
        { height: SHAPE[2], width: SHAPE[3], batch: SHAPE[0] },
      ),
  },
];

async function ortLogits(bytes: Uint8Array, input: Float32Array): Promise<{ logits: Float32Array; shape: readonly number[] }> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  try {
    const outputs = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', input, [...SHAPE]) });
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
    const random = new Random(77);
    const input = Float32Array.from({ length: SHAPE.reduce<number>((product, size) => product * size, 1) }, () => random.uniform(0, 1));
    beforeAll(async () => {
      gpu = await gpuFor(kind);
    }, 120_000);
    afterAll(async () => {
      await gpu?.sync();
    });

    for (const network of CASES) {
      it(network.name, { timeout: 300_000 }, async () => {
        const module = network.build(gpu);
        try {
          randomiseState(module, 4242);
          // The export traces the eval forward whatever the mode: leave the module training (dropout on) to show it.
          module.train();
          const bytes = await network.exportBytes(module);
          module.eval();
          const x = Tensor.fromArray(gpu, input, [...SHAPE]);
          const logits = noGrad(() => module.forward(x));
          const ours = await logits.toArray();
          logits.dispose();
          x.dispose();
          const summary = inspectOnnx(bytes);
          for (const op of network.ops) expect(summary.opCounts[op], op).toBeGreaterThan(0);
          const peer = await ortLogits(bytes, input);
          expect(peer.shape).toEqual([...SHAPE]);
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
