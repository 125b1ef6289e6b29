/**
 * Ensemble inference end to end on the GPU against float64 CPU references: the input preprocessing, the TTA merge
 * with stub networks (flip-equivariant and not), real Linknet-B0 members (the original's .pth and a perturbed
 * safetensors copy in one ensemble), the mean over models, both load modes, memory, and folder IO.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { F, noGrad, parseNpy, scope, Tensor } from '@ulseg/autograd';
import type { Gpu } from '@ulseg/kernels';
import { assertClose, compare, gpuFor, Random, testAdapterKinds } from '@ulseg/kernels/testing';
import { decodePng, encodeGrayPng, MemoryFiles, type DecodedImage } from '@ulseg/data';
import { readPth, SegmentationModel, writeSafetensors, type WeightMap } from '@ulseg/model';
import { predictEnsemble, type InferenceImage, type InferOptions, type Prediction } from './ensemble.js';
import { inferFolder } from './folder.js';
import { leanForward } from './lean-forward.js';
import { weightsMember, type EnsembleMember, type SegmentationNetwork } from './members.js';
import { planarChannels, preprocessImage, preprocessReference } from './preprocess.js';
import { augmentViews, TTA_PRESETS, type TtaView } from './views.js';
import { ensembleReference, viewReference } from './views.reference.js';

const fixtures = new URL('../../../test/fixtures/', import.meta.url);
const read = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(path, fixtures)));
const decoded = (path: string): DecodedImage => decodePng(read(path), path);

const R = 32;
const REAL_VIEWS: TtaView[] = ['identity', 'rot180'];
const pth = read('linknet-b0/model.pth');

/**
 * The fixture's B0 with a steeper head (weight × 40, bias −12.6: its probabilities spread around 0.5 on the scans
 * at 64 px, where the original's stay in [0.58, 0.6]) and one decoder conv rescaled: a different model.
 */
async function perturbedSafetensors(): Promise<Uint8Array> {
  const weights: WeightMap = await readPth(pth, 'model.pth');
  const random = new Random(77);
  const changed = new Map(weights);
  const bias = weights.get('segmentation_head.0.bias')!;
  changed.set('segmentation_head.0.bias', { shape: bias.shape, data: bias.data.map((value) => 40 * value - 12.6) });
  const head = weights.get('segmentation_head.0.weight')!;
  changed.set('segmentation_head.0.weight', { shape: head.shape, data: head.data.map((value) => 40 * value) });
  const conv = weights.get('decoder.blocks.4.block.2.0.weight')!;
  changed.set('decoder.blocks.4.block.2.0.weight', { shape: conv.shape, data: conv.data.map((value) => value * random.uniform(0.2, 2)) });
  return writeSafetensors(changed, { note: 'perturbed copy of linknet-b0/model.pth' });
}

const asImages = (entries: [string, DecodedImage][]): InferenceImage[] => entries.map(([id, image]) => ({ id, load: async () => image }));

async function predictAll(gpu: Gpu, members: EnsembleMember[], images: InferenceImage[], options: InferOptions = {}): Promise<Prediction[]> {
  const out: Prediction[] = [];
  for await (const prediction of predictEnsemble(gpu, members, images, { resolution: R, ...options })) out.push(prediction);
  return out;
}

/** f(x) = A ⊙ x + B with fixed random maps A, B: not flip-equivariant. */
function affineStub(name: string, seed: number): { member: EnsembleMember; cpu: (x: Float64Array) => Float64Array } {
  const random = new Random(seed);
  const a = Float32Array.from({ length: R * R }, () => random.uniform(2, 8));
  const b = Float32Array.from({ length: R * R }, () => random.uniform(-3, 1));
  return {
    member: {
      name,
      load: async (gpu) => {
        const scale = Tensor.fromArray(gpu, a, [1, 1, R, R]).keep();
        const shift = Tensor.fromArray(gpu, b, [1, 1, R, R]).keep();
        const network: SegmentationNetwork = { forward: (x) => F.add(F.mul(x, scale), shift) };
        return { network, description: 'affine stub', dispose: () => (scale.dispose(), shift.dispose()) };
      },
    },
    cpu: (x) => x.map((value, index) => a[index]! * value + b[index]!),
  };
}

/** f(x) = k ⋆ x − 1 with a 3x3 kernel symmetric under both flips and zero padding 1: flip-equivariant. */
function symmetricStub(): EnsembleMember {
  const kernel = Float32Array.of(1, 2, 1, 2, 4, 2, 1, 2, 1).map((value) => value * 1.5);
  return {
    name: 'symmetric stub',
    load: async (gpu) => {
      const weight = Tensor.fromArray(gpu, kernel, [1, 1, 3, 3]).keep();
      const bias = Tensor.fromArray(gpu, [-4], [1]).keep();
      return { network: { forward: (x) => F.conv2d(x, weight, bias, { padding: 1 }) }, description: 'symmetric stub', dispose: () => (weight.dispose(), bias.dispose()) };
    },
  };
}

function checkMask(prediction: Prediction, threshold = 0.5): void {
  for (let index = 0; index < prediction.mask.length; index++) {
    if (prediction.mask[index] !== (prediction.probability[index]! >= threshold ? 255 : 0)) throw new Error(`${prediction.id}: mask and probability disagree at ${index}`);
  }
}

for (const kind of testAdapterKinds()) {
  describe(`infer on ${kind}`, () => {
    let gpu: Gpu;
    let scans: [string, DecodedImage][];
    let safetensors: Uint8Array;
    let members: { a: EnsembleMember; b: EnsembleMember };
    let ensemble: Prediction[] = [];
    beforeAll(async () => {
      gpu = await gpuFor(kind);
      scans = [['3.png', decoded('bdci-samples/test_data/img/3.png')], ['5.png', decoded('bdci-samples/test_data/img/5.png')]];
      safetensors = await perturbedSafetensors();
      members = { a: weightsMember('model.pth', async () => pth), b: weightsMember('perturbed.safetensors', async () => safetensors) };
    }, 120_000);

    it('preprocessing: Pillow bilinear, /255, gray, as the float64 reference and the Pillow fixture; torch bilinear too', async () => {
      const scan = decoded('bdci-samples/train_data/img/1.png');
      expect(scan.rgb).not.toBeNull();
      const got = await gpu.read(preprocessImage(gpu, scan, 256));
      assertClose(got, preprocessReference(scan, 256), { relativeL2: 1e-6, maxAbsolute: 1e-6 }, 'pillow 256');
      // R = G = B here, so gray = (0.2989 + 0.587 + 0.114) · Pillow's 8-bit resize of the channel / 255.
      const pillow = parseNpy(read('resize/pil_bilinear_256.npy')).data;
      assertClose(got, Float64Array.from(pillow, (value) => (0.9999 * value) / 255), { relativeL2: 1e-6, maxAbsolute: 1e-6 }, 'pil_bilinear_256 fixture');
      // Colour and gray files at odd sizes, up- and downscaled, both resamplers.
      const random = new Random(5);
      const rgb = Uint8Array.from({ length: 23 * 37 * 3 }, () => random.integer(0, 255));
      const colour: DecodedImage = { width: 23, height: 37, data: new Uint8Array(23 * 37), rgb, sourceFormat: 'rgb8' };
      const gray = decodePng(encodeGrayPng({ width: 91, height: 45, data: Uint8Array.from({ length: 91 * 45 }, () => random.integer(0, 255)) }), 'gray.png');
      expect(planarChannels(gray).channels).toBe(1);
      for (const image of [colour, gray]) {
        for (const resize of ['pillow', 'torch'] as const) {
          assertClose(await gpu.read(preprocessImage(gpu, image, 64, resize)), preprocessReference(image, 64, resize), { relativeL2: 1e-6, maxAbsolute: 2e-6 }, `${image.width}x${image.height} ${resize}`);
        }
      }
      expect(() => preprocessImage(gpu, scan, 100)).toThrow(/multiple of 32 .* got 100/);
    });

    it('TTA merge, resize and model mean match the CPU reference exactly in view order (non-equivariant stubs)', async () => {
      const stubs = [affineStub('stub a', 1), affineStub('stub b', 2)];
      const images = asImages(scans);
      const settings: [TtaView[], InferOptions][] = [
        [[...TTA_PRESETS.flips], {}],
        [[...TTA_PRESETS.flips], { batchSize: 2, loadModels: 'all' }],
        [[...TTA_PRESETS.none], { batchSize: 3 }],
        [['vflip', 'rot180'], { inputResize: 'pillow' }],
      ];
      for (const [views, options] of settings) {
        const predictions = await predictAll(gpu, stubs.map((stub) => stub.member), images, { views, ...options });
        expect(predictions.map((prediction) => prediction.id)).toEqual(['3.png', '5.png']);
        for (const [index, [id, image]] of scans.entries()) {
          const prediction = predictions[index]!;
          expect([prediction.width, prediction.height]).toEqual([image.width, image.height]);
          const x = preprocessReference(image, R);
          const logits = stubs.map((stub) => {
            const perView = new Float64Array(views.length * R * R);
            views.forEach((view, v) => perView.set(stub.cpu(viewReference(x, [1, 1, R, R], view)), v * R * R));
            return perView;
          });
          const want = ensembleReference(logits, R, views, image.height, image.width);
          assertClose(prediction.probability, want, { relativeL2: 1e-6 }, `${id} ${views} ${JSON.stringify(options)}`);
          checkMask(prediction);
          const foreground = prediction.mask.filter((value) => value === 255).length;
          expect(foreground, 'a mask with both classes').toBeGreaterThan(0);
          expect(foreground).toBeLessThan(prediction.mask.length);
        }
      }
      // Non-equivariant: flips and none differ; equivariant: every view agrees, so flips equals none.
      const affine = await Promise.all(['flips', 'none'].map((preset) => predictAll(gpu, [stubs[0]!.member], images, { views: TTA_PRESETS[preset as 'flips' | 'none'] })));
      expect(compare(affine[0]![0]!.probability, affine[1]![0]!.probability).relativeL2).toBeGreaterThan(1e-3);
      // A network that answers with the wrong shape: a clear error, and nothing left allocated.
      const live = gpu.pool.stats().liveBytes;
      const wrong: EnsembleMember = { name: 'wrong', load: async () => ({ network: { forward: (x) => F.reshape(x, [x.shape[0]! * 2, 1, R / 2, R]) }, description: 'reshape', dispose: () => undefined }) };
      await expect(predictAll(gpu, [wrong], images)).rejects.toThrow(`the network returned logits of shape [8, 1, ${R / 2}, ${R}] for an input of [4, 1, ${R}, ${R}]`);
      expect(gpu.pool.stats().liveBytes).toBe(live);
      const symmetric = await Promise.all(['flips', 'none'].map((preset) => predictAll(gpu, [symmetricStub()], images, { views: TTA_PRESETS[preset as 'flips' | 'none'] })));
      for (let index = 0; index < scans.length; index++) {
        assertClose(symmetric[0]![index]!.probability, symmetric[1]![index]!.probability, { relativeL2: 1e-6 }, 'equivariant: flips = none');
      }
    });

    it('the hflip view of a scan is the mirrored identity prediction of the mirrored scan (input resize, un-flip, resize back)', async () => {
      // Independent of the float64 references' conventions: only the scan is mirrored, on the CPU, at its own size.
      const mirror = <T extends Float32Array | Uint8Array>(data: T, width: number, height: number, channels: number): T => {
        const out = data.slice() as T;
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = data[(y * width + width - 1 - x) * channels + c]!;
          }
        }
        return out;
      };
      const stub = affineStub('stub a', 1).member;
      for (const [id, image] of scans) {
        const mirrored: DecodedImage = { ...image, data: mirror(image.data, image.width, image.height, 1), rgb: image.rgb && mirror(image.rgb, image.width, image.height, 3) };
        const [flipped] = await predictAll(gpu, [stub], asImages([[id, image]]), { views: ['hflip'] });
        const [identity] = await predictAll(gpu, [stub], asImages([[id, image]]), { views: ['identity'] });
        const [ofMirrored] = await predictAll(gpu, [stub], asImages([[id, mirrored]]), { views: ['identity'] });
        const want = mirror(ofMirrored!.probability, image.width, image.height, 1);
        assertClose(flipped!.probability, want, { relativeL2: 1e-6, maxAbsolute: 1e-5 }, `${id}: hflip view = mirror(identity(mirror(scan)))`);
        // The stub is not flip-equivariant, so the check above tells a missing or misplaced flip apart.
        expect(compare(flipped!.probability, identity!.probability).relativeL2).toBeGreaterThan(1e-2);
      }
    });

    it('a flip-equivariant network gives four identical de-augmented views', async () => {
      const loaded = await symmetricStub().load(gpu);
      const x = preprocessImage(gpu, scans[0]![1], R);
      const views = TTA_PRESETS.flips;
      const logits = await noGrad(() => scope(() => loaded.network.forward(Tensor.adopt(gpu, augmentViews(gpu, x, views))))).toArray();
      const restored = views.map((view, v) => viewReference(logits.subarray(v * R * R, (v + 1) * R * R), [1, 1, R, R], view));
      for (let v = 1; v < views.length; v++) assertClose(restored[v]!, restored[0]!, { maxAbsolute: 1e-5 }, `view ${views[v]} vs identity`);
      loaded.dispose();
    });

    // Real models are slow on SwiftShader (~4 s per B0 forward of 2 x 32²): one scan and two views here; the stubs
    // above cover batching and every view set, and the CLI tests run the four views with real models.
    it('real B0 members: .pth + safetensors ensemble = mean of each alone; both load modes bit-identical; no leak', { timeout: 300_000 }, async () => {
      const images = asImages([scans[0]!]);
      const [id, image] = scans[0]!;
      const alone = [await predictAll(gpu, [members.a], images, { views: REAL_VIEWS }), await predictAll(gpu, [members.b], images, { views: REAL_VIEWS })];
      const before = gpu.pool.stats().liveBytes;
      ensemble = await predictAll(gpu, [members.a, members.b], images, { views: REAL_VIEWS });
      expect(gpu.pool.stats().liveBytes, 'GPU memory after the ensemble').toBe(before);
      const allLoaded = await predictAll(gpu, [members.a, members.b], images, { views: REAL_VIEWS, loadModels: 'all' });
      const together = ensemble[0]!;
      const mean = Float64Array.from(alone[0]![0]!.probability, (value, pixel) => (value + alone[1]![0]!.probability[pixel]!) / 2);
      assertClose(together.probability, mean, { maxAbsolute: 1e-7 }, `${id} ensemble = mean of members`);
      checkMask(together);
      const foreground = together.mask.filter((value) => value === 255).length;
      expect(foreground, 'a mask with both classes').toBeGreaterThan(0);
      expect(foreground).toBeLessThan(together.mask.length);
      expect(Buffer.from(allLoaded[0]!.probability.buffer).equals(Buffer.from(together.probability.buffer)), 'load modes bit-identical').toBe(true);
      expect(Buffer.from(allLoaded[0]!.mask).equals(Buffer.from(together.mask))).toBe(true);
      // The member's own pipeline against the float64 merge of its GPU logits.
      const loaded = await members.a.load(gpu);
      const x = preprocessImage(gpu, image, R);
      const logits = await noGrad(() => scope(() => loaded.network.forward(Tensor.adopt(gpu, augmentViews(gpu, x, REAL_VIEWS))))).toArray();
      gpu.release(x);
      loaded.dispose();
      assertClose(alone[0]![0]!.probability, ensembleReference([logits], R, REAL_VIEWS, image.height, image.width), { relativeL2: 1e-6 }, `${id} B0 merge`);
    });

    /** leanForward against model.forward on one eval model: same logits bit for bit, a peak under `peakRatio` of it, nothing left. */
    async function checkLeanForward(model: SegmentationModel, peakRatio: number, side = R, batch = 2): Promise<void> {
      model.eval();
      const random = new Random(3);
      const x = Tensor.fromArray(gpu, Float32Array.from({ length: batch * side * side }, () => random.next()), [batch, 1, side, side]).keep();
      const peak = async (forward: () => Tensor): Promise<{ logits: Float32Array; peak: number; leftover: number }> => {
        await gpu.sync();
        const live = gpu.pool.stats().liveBytes;
        gpu.pool.resetPeak();
        const output = noGrad(() => scope(forward));
        const logits = await output.toArray();
        const stats = gpu.pool.stats();
        output.dispose();
        return { logits, peak: stats.peakLiveBytes - live, leftover: gpu.pool.stats().liveBytes - live };
      };
      const full = await peak(() => model.forward(x));
      // The first call traces the release plan (a [1, 1, S, S] forward, S the network's smallest input); the plan is kept.
      const first = await peak(() => leanForward(model, x));
      expect(first.leftover, 'the trace leaves nothing behind').toBe(0);
      const lean = await peak(() => leanForward(model, x));
      expect(Buffer.from(first.logits.buffer).equals(Buffer.from(lean.logits.buffer)), 'first call = later calls').toBe(true);
      expect(Buffer.from(lean.logits.buffer).equals(Buffer.from(full.logits.buffer)), 'same logits bit for bit').toBe(true);
      expect(lean.leftover).toBe(0);
      expect(lean.peak).toBeLessThan(peakRatio * full.peak);
      model.train();
      expect(() => leanForward(model, x)).toThrow(/for inference only/);
      x.dispose();
      model.dispose();
    }

    it('leanForward gives model.forward’s logits bit for bit with a lower memory peak, and leaves nothing behind', async () => {
      const model = new SegmentationModel(gpu, { encoder: 'efficientnet-b0', inChannels: 1, classes: 1 });
      model.load(await readPth(pth, 'model.pth'));
      await checkLeanForward(model, 0.6);
    });

    it('leanForward needs nothing per network: the attention Unet on ResNet-18 (skips, concatenations, scSE) the same way', async () => {
      await checkLeanForward(new SegmentationModel(gpu, { network: 'unet', encoder: 'resnet18', decoderAttention: 'scse', inChannels: 1, classes: 1 }), 1);
    });

    it('leanForward of PAN, which refuses inputs under 128 px, traces its plan at 128 px', async () => {
      await checkLeanForward(new SegmentationModel(gpu, { network: 'pan', encoder: 'resnet18', inChannels: 1, classes: 1 }), 1, 128, 1);
    });

    it('folder IO: mixed weights, PNG masks named after their images, probability .npy, clear errors', { timeout: 300_000 }, async () => {
      const original = await readPth(pth, 'model.pth');
      const files = new MemoryFiles({
        'w/a.pth': pth,
        'w/b.safetensors': safetensors,
        'w/logits.npy': read('linknet-b0/eval_logits.npy'),
        'w/rgb-stem.safetensors': writeSafetensors([...original].map(([key, entry]) => [key, key === 'encoder._conv_stem.weight' ? { shape: [32, 3, 3, 3], data: new Float32Array(32 * 27) } : entry])),
        // Block 1, not 0: the decoder's first block is what tells Linknet from Unet (inferArchitecture).
        'w/partial.safetensors': writeSafetensors([...original].filter(([key]) => !key.startsWith('decoder.blocks.1.'))),
        'w/stem-only.safetensors': writeSafetensors([['encoder._conv_stem.weight', original.get('encoder._conv_stem.weight')!]]),
        'img/3.png': read('bdci-samples/test_data/img/3.png'),
        'img/notes.txt': new TextEncoder().encode('not an image'),
        'bad/1.png': new TextEncoder().encode('not a png'),
      });
      const warnings: string[] = [];
      const summary = await inferFolder(gpu, files, { weights: ['w/a.pth', 'w/b.safetensors'], input: 'img', output: 'out', probabilities: 'prob', resolution: R, views: REAL_VIEWS, onWarning: (message) => warnings.push(message) });
      expect(summary.images).toBe(1);
      expect(summary.models.map((model) => model.description)).toEqual(['efficientnet-b0', 'efficientnet-b0']);
      expect(warnings.join()).toMatch(/skipping 1 file\(s\) that are not \.png: notes\.txt/);
      const mask = decodePng(await files.read('out/3.png'), 'out/3.png');
      const image = scans[0]![1];
      expect([mask.width, mask.height]).toEqual([image.width, image.height]);
      const probability = parseNpy(await files.read('prob/3.npy'));
      expect(probability.shape).toEqual([image.height, image.width]);
      const direct = ensemble[0] ?? (await predictAll(gpu, [members.a, members.b], asImages([scans[0]!]), { views: REAL_VIEWS }))[0]!;
      expect(Buffer.from(probability.data.buffer).equals(Buffer.from(direct.probability.buffer))).toBe(true);
      expect(Buffer.from(mask.data).equals(Buffer.from(direct.mask))).toBe(true);

      const run = (options: Partial<Parameters<typeof inferFolder>[2]>) => inferFolder(gpu, files, { weights: ['w/a.pth'], input: 'img', output: 'out', resolution: R, ...options });
      await expect(run({ input: 'absent' })).rejects.toThrow(/absent: folder not found/);
      await expect(run({ input: 'bad' })).rejects.toThrow(/bad\/1\.png: not a PNG file/);
      await expect(run({ weights: ['w/missing.pth'] })).rejects.toThrow(/weights 'w\/missing\.pth': .*no such file/);
      await expect(run({ weights: ['w/logits.npy'] })).rejects.toThrow(/w\/logits\.npy: neither a safetensors file nor a PyTorch \.pth/);
      await expect(run({ weights: ['w/rgb-stem.safetensors'] })).rejects.toThrow(/rgb-stem\.safetensors: the model takes 3 input channels/);
      await expect(run({ weights: ['w/stem-only.safetensors'] })).rejects.toThrow(/stem-only\.safetensors: the weights match no EfficientNet-B0…B7 encoder \(0 blocks/);
      await expect(run({ weights: ['w/partial.safetensors'] })).rejects.toThrow(/w\/partial\.safetensors: the weights do not match the model\s+missing keys \(\d+\): decoder\.blocks\.1\./);
      await expect(run({ output: 'img' })).rejects.toThrow(/output folder 'img' is the input folder/);
      await expect(run({ resolution: 100 })).rejects.toThrow(/multiple of 32/);
      await expect(run({ threshold: 1.5 })).rejects.toThrow(/threshold must be a probability in \[0, 1\], got 1.5/);
      await expect(run({ views: ['identity', 'turn' as TtaView] })).rejects.toThrow(/unknown view 'turn'/);
      await expect(run({ weights: [] })).rejects.toThrow(/no weights given/);

      // Shards: img holds one PNG, so of 2 shards the first is empty (writes nothing, still checks the weights) and the second is it.
      const written: string[] = [];
      await expect(run({ output: 'shards', shard: { index: 0, count: 2 }, onWrite: (path) => written.push(path) })).resolves.toEqual({ images: 0, imagesInFolder: 1, models: [], foregroundPixels: 0, pixels: 0 });
      expect(await files.exists('shards')).toBe(false);
      await expect(run({ weights: ['w/missing.pth'], shard: { index: 0, count: 2 } })).rejects.toThrow(/weights 'w\/missing\.pth': .*no such file/);
      await expect(run({ shard: { index: 2, count: 2 } })).rejects.toThrow('shard index must be an integer in 0..1, got 2');
      await expect(run({ weights: ['w/a.pth', 'w/b.safetensors'], output: 'shards', views: REAL_VIEWS, shard: { index: 1, count: 2 }, onWrite: (path) => written.push(path) })).resolves.toMatchObject({ images: 1, imagesInFolder: 1 });
      expect(written).toEqual(['shards/3.png']);
      expect(Buffer.from(await files.read('shards/3.png')).equals(Buffer.from(await files.read('out/3.png')))).toBe(true);
    });
  });
}
