/**
 * `pnpm bench model` on a quick configuration (Linknet-B0 at 64², batch 1, Node on lavapipe): the record and its
 * rows, the per-kernel profile, the writers (JSON, RESULTS.md, report.html), the arguments and the pieces the
 * figures rest on (the model's multiply-adds, the PyTorch reference, the seeded data). Timing is never asserted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gitInfo } from '../src/report/metadata.js';
import { SCHEMA } from '../src/schema.js';
import { parseModelArguments } from '../src/args.js';
import { bundleModelPage } from '../src/browser/browser-run.js';
import { modelMain } from '../src/model/cli.js';
import { DEFAULT_MODEL_SETTINGS, forwardMacsPerImage } from '../src/model/model-config.js';
import { runModelInNode } from '../src/node/node-run.js';
import { pytorchMs } from '../src/model/pytorch.js';
import { modelRecordFileName, readModelRecords, TOP_KERNELS } from '../src/model/report.js';
import type { ModelBenchSettings, ModelMeasurement, ModelRunRecord } from '../src/model/schema.js';
import { modelInput, modelTarget } from '../src/model/suite.js';
import { writeModelRun } from '../src/model/write.js';
import { gpuFor } from '@ulseg/kernels/testing';
import { SegmentationModel } from '@ulseg/model';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const quick: ModelBenchSettings = {
  ...DEFAULT_MODEL_SETTINGS,
  encoder: 'efficientnet-b0',
  resolution: 64,
  batches: [1],
  repeats: 2,
  steps: 1,
  warmup: 2,
  maxSeconds: 60,
};

describe('model bench pieces', () => {
  it('counts the multiply-adds ORIGINAL.md §8 gives for Linknet-B6 at 256² (4.455 GMAC per image), from a trace of the forward', { timeout: 180_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const b6 = new SegmentationModel(gpu, { encoder: 'efficientnet-b6', inChannels: 1, classes: 1 });
    expect(forwardMacsPerImage(b6, 256) / 1e9).toBeCloseTo(4.455, 2);
    b6.dispose();
    // Every layer but the SE pair (on the pooled 1x1 map, ~2% of B0 at 64²) scales with the pixel count.
    const b0 = new SegmentationModel(gpu, { encoder: 'efficientnet-b0', inChannels: 1, classes: 1 });
    const [small, large] = [64, 128].map((size) => forwardMacsPerImage(b0, size)) as [number, number];
    b0.dispose();
    expect(large / small).toBeLessThan(4);
    expect(large / small).toBeGreaterThan(3.9);
  });

  it('counts the ResNet encoders as torchvision does (1.81, 3.66, 4.09 GMAC at 224², 3 channels, without the fc layer)', { timeout: 180_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    for (const [encoder, gmac] of [['resnet18', 1.81], ['resnet34', 3.66], ['resnet50', 4.09]] as const) {
      const model = new SegmentationModel(gpu, { network: 'linknet', encoder, inChannels: 3, classes: 1 });
      expect(forwardMacsPerImage(model, 224, 'encoder.') / 1e9).toBeCloseTo(gmac, 2);
      model.dispose();
    }
  });

  it('counts the decoders: Unet (3x3 pairs, scSE on top) is heavier than Linknet on the same encoder', { timeout: 180_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const macs = (network: 'linknet' | 'unet', decoderAttention: 'none' | 'scse' = 'none', statePrefix?: string): number => {
      const model = new SegmentationModel(gpu, { network, encoder: 'resnet34', decoderAttention, inChannels: 1, classes: 1 });
      const count = forwardMacsPerImage(model, 256, statePrefix);
      model.dispose();
      return count;
    };
    const encoder = macs('unet', 'none', 'encoder.');
    const unet = macs('unet');
    // Unet's five blocks at 16² … 256² (the 16-channel 3x3 head included), by hand: joined channels 768, 384, 192, 128, 32.
    const outs = [256, 128, 64, 32, 16];
    const joined = [512 + 256, 256 + 128, 128 + 64, 64 + 64, 32];
    const byHand = outs.reduce((total, out, k) => total + (16 * 2 ** k) ** 2 * 9 * (joined[k]! * out + out * out), 0) + 256 * 256 * 16 * 9;
    expect(unet - encoder).toBe(byHand);
    expect(macs('linknet')).toBeLessThan(unet);
    expect(macs('unet', 'scse')).toBeGreaterThan(unet);
  });

  it('compares with PyTorch only where the figure exists (B6, 256², one channel)', () => {
    const b6 = { encoder: 'efficientnet-b6', resolution: 256, inChannels: 1 };
    expect(pytorchMs(b6, 'forward', 1)).toBe(230);
    expect(pytorchMs(b6, 'forward', 8)).toBe(1490);
    expect(pytorchMs(b6, 'train-step', 1)).toBe(1060);
    expect(pytorchMs(b6, 'train-step', 8)).toBe(6000);
    expect(pytorchMs(b6, 'forward', 2)).toBeNull();
    expect(pytorchMs({ ...b6, resolution: 64 }, 'forward', 1)).toBeNull();
    expect(pytorchMs({ ...b6, encoder: 'efficientnet-b0' }, 'forward', 1)).toBeNull();
    expect(pytorchMs({ ...b6, network: 'unet' }, 'forward', 1)).toBeNull();
  });

  it('draws the same input and ellipse targets for the same seed, and others for another', () => {
    const input = modelInput(quick, 2);
    expect(input).toHaveLength(2 * 64 * 64);
    expect(Math.min(...input)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...input)).toBeLessThan(1);
    expect(modelInput(quick, 2)).toEqual(input);
    expect(modelInput({ ...quick, seed: 7 }, 2)).not.toEqual(input);
    const target = modelTarget(quick, 2);
    for (let image = 0; image < 2; image++) {
      const plane = target.subarray(image * 4096, (image + 1) * 4096);
      const foreground = plane.reduce((total, value) => total + value, 0);
      expect(plane.every((value) => value === 0 || value === 1)).toBe(true);
      expect(foreground / 4096).toBeGreaterThan(0.005);
      expect(foreground / 4096).toBeLessThan(0.35);
    }
  });

  it('parses the options, with the defaults of a full B6 run and clear errors', () => {
    const defaults = parseModelArguments([]);
    expect(defaults.settings).toEqual(DEFAULT_MODEL_SETTINGS);
    expect(defaults).toMatchObject({ node: true, browser: true, adapter: 'lavapipe', browserAdapters: ['swiftshader'], write: true, help: false });
    const parsed = parseModelArguments(['--', '--encoder', 'efficientnet-b0', '--resolution', '64', '--batch', '1,2,2', '--passes', 'train-step', '--repeats', '4', '--steps', '2', '--no-profile', '--node-only', '--seed', '9']);
    expect(parsed.settings).toMatchObject({ encoder: 'efficientnet-b0', resolution: 64, batches: [1, 2], passes: ['train-step'], repeats: 4, steps: 2, profile: false, seed: 9 });
    expect(parsed.browser).toBe(false);
    expect(parseModelArguments(['--runtime', 'chromium'])).toMatchObject({ node: false, browser: true });
    expect(parseModelArguments(['--runtime', 'node'])).toMatchObject({ node: true, browser: false });
    expect(parseModelArguments(['--runtime', 'both'])).toMatchObject({ node: true, browser: true });
    expect(parseModelArguments(['--passes', 'train-step,forward']).settings.passes).toEqual(['forward', 'train-step']);
    const fails = (argv: string[], message: RegExp): void => expect(() => parseModelArguments(argv), argv.join(' ')).toThrow(message);
    fails(['--resolution', '100'], /multiple of 32/);
    fails(['--encoder', 'vgg16'], /--encoder must be one of resnet18, resnet34, resnet50, efficientnet-b0, .*efficientnet-b7, not 'vgg16'/);
    fails(['--backbone', 'vgg16'], /--backbone must be one of resnet18/);
    fails(['--network', 'segnet'], /unknown network 'segnet'; available: linknet, unet, fpn, pspnet, pan, deeplabv3plus/);
    fails(['--decoder-attention', 'scse'], /decoder attention 'scse' exists for unet only, not linknet/);
    fails(['--network', 'unet', '--decoder-attention', 'cbam'], /unknown decoder attention 'cbam'; available: none, scse/);
    expect(parseModelArguments(['--network', 'Unet', '--backbone', 'resnet34', '--decoder-attention', 'scse']).settings).toMatchObject({
      network: 'unet',
      encoder: 'resnet34',
      decoderAttention: 'scse',
    });
    expect(parseModelArguments(['--encoder', 'resnet50']).settings).toMatchObject({ network: 'linknet', encoder: 'resnet50' });
    fails(['--batch', '0'], /positive integer/);
    fails(['--passes', 'backward'], /unknown 'backward'/);
    fails(['--peer', 'no-such-peer'], /no model peer named 'no-such-peer'.*peer\.ts/);
    fails(['--node-only', '--browser-only'], /exclude each other/);
    fails(['--runtime', 'firefox'], /--runtime must be node, chromium or both/);
    fails(['--filter', 'x'], /unknown option '--filter' for the model suite/);
    fails(['--steps'], /option '--steps <n>' argument missing/);
    fails(['--steps', '0'], /--steps needs a positive integer, got '0'/);
    expect(defaults.variant).toBeNull();
    expect(parseModelArguments(['--variant', 'tiled']).variant).toBe('tiled');
    fails(['--variant', 'fast'], /--variant must be tiled, lanes or subgroup, not 'fast'/);
    expect(defaults.im2col).toBeNull();
    expect(parseModelArguments(['--im2col', 'off']).im2col).toBe(false);
    fails(['--im2col', 'maybe'], /--im2col must be on or off, not 'maybe'/);
  });

  it('pnpm bench model --help explains every option; a bad option exits 2 with the usage', async () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await modelMain(['--help'], { benchDir: '/nonexistent', root: ROOT })).toBe(0);
      const usage = String(out.mock.calls[0]?.[0]);
      for (const option of ['--network', '--backbone', '--encoder', '--decoder-attention', '--resolution', '--batch', '--passes', '--repeats', '--steps', '--warmup', '--max-seconds', '--no-profile', '--seed', '--runtime', '--node-only', '--browser-only', '--adapter', '--variant', '--im2col', '--browser-adapters', '--peer', '--no-write', '--help']) {
        expect(usage, option).toContain(option);
      }
      expect(await modelMain(['--resolution', '65'], { benchDir: '/nonexistent', root: ROOT })).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/multiple of 32[\s\S]*Usage: pnpm bench model/);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('bundles the model page for the browser without Node-only modules', { timeout: 60_000 }, async () => {
    const script = await bundleModelPage(ROOT);
    expect(script).toContain('__ulsegModelBench');
    expect(script.length).toBeGreaterThan(10_000);
  });
});

describe('pnpm bench model, quick: Linknet-B0 at 64², batch 1, Node on lavapipe', () => {
  let record: ModelRunRecord;
  const lines: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'ulseg-model-bench-test-'));

  beforeAll(async () => {
    record = await runModelInNode({
      adapter: 'lavapipe',
      settings: quick,
      stamp: '2000-01-01T00-00',
      command: 'vitest bench/test/model.test.ts',
      git: gitInfo(ROOT),
      log: (line) => lines.push(line),
    });
  }, 300_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  const measured = (name: string): ModelMeasurement => {
    const row = record.rows.find((entry) => entry.name === name);
    expect(row?.ours.status, name).toBe('ok');
    return row!.ours as ModelMeasurement;
  };

  it('writes the run metadata and the model description', async () => {
    expect(record).toMatchObject({ schema: SCHEMA, suite: 'model', stamp: '2000-01-01T00-00', label: 'node/lavapipe', settings: quick, peer: null });
    expect(record.adapter.kind).toBe('lavapipe');
    expect(record.host.loadAverage).toHaveLength(3);
    expect(record.notes.some((note) => note.startsWith('load average at the end'))).toBe(true);
    // The original's Linknet-B0: 4,166,593 parameters, 455 state_dict entries (fixtures/linknet-b0).
    expect(record.model).toMatchObject({ parameters: 4_166_593, stateDictEntries: 455 });
    const b0 = new SegmentationModel(await gpuFor('lavapipe'), { encoder: 'efficientnet-b0', inChannels: 1, classes: 1 });
    expect(record.model.forwardMacsPerImage).toBe(forwardMacsPerImage(b0, 64));
    b0.dispose();
    expect(record.rows.map((row) => row.name)).toEqual(['forward b1', 'train-step b1']);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('measures cold and warm wall-clock, images/s, peak memory, dispatches and submits per run', () => {
    const forward = measured('forward b1');
    const train = measured('train-step b1');
    for (const [outcome, timed] of [[forward, 2], [train, 1]] as const) {
      expect(outcome.repeats).toBe(timed);
      expect(outcome.samplesMs).toHaveLength(timed);
      expect(outcome.warmup).toBe(2);
      for (const key of ['coldMs', 'medianMs', 'p90Ms', 'minMs', 'imagesPerSecond'] as const) expect(outcome[key], key).toBeGreaterThan(0);
      expect(outcome.p90Ms).toBeGreaterThanOrEqual(outcome.medianMs);
      expect(outcome.minMs).toBeLessThanOrEqual(outcome.medianMs);
      expect(outcome.imagesPerSecond).toBeCloseTo(1000 / outcome.medianMs, 10);
      expect(outcome.gpuMedianMs).toBeGreaterThan(0);
      expect(outcome.peakBytes).toBeGreaterThan(outcome.baseBytes);
      expect(outcome.buffersCreatedWhileTimed, 'the pool recycles every buffer of a warm run').toBe(0);
      // "Few submits": a whole forward or training step is recorded into a handful of submits.
      expect(outcome.submitsPerRun).toBeLessThanOrEqual(Math.ceil(outcome.dispatchesPerRun / 1024) + 1);
    }
    expect(forward.coldPipelines).toBeGreaterThan(10);
    expect(train.dispatchesPerRun).toBeGreaterThan(2 * forward.dispatchesPerRun);
    // Training keeps activations for the backward and creates Adam's moments: more memory than inference.
    expect(train.peakBytes - train.baseBytes).toBeGreaterThan(forward.peakBytes - forward.baseBytes);
    expect(forward.losses).toBeNull();
    expect(train.losses).toHaveLength(3);
    for (const loss of train.losses!) expect(loss > 0 && loss < 1, `Dice loss ${loss}`).toBe(true);
  });

  it('profiles one run per row: every dispatch timed, GPU time summed per kernel', () => {
    for (const row of record.rows) {
      const profile = row.profile!;
      const ours = row.ours as ModelMeasurement;
      expect(profile.dispatches, row.name).toBe(ours.dispatchesPerRun);
      expect(profile.byKernel.reduce((total, entry) => total + entry.dispatches, 0)).toBe(profile.dispatches);
      expect(profile.byKernel.reduce((total, entry) => total + entry.gpuMs, 0)).toBeCloseTo(profile.gpuMs, 6);
      expect(profile.byKernel.reduce((total, entry) => total + entry.share, 0)).toBeCloseTo(1, 9);
      expect(profile.byVariant.length).toBeLessThanOrEqual(40);
      const times = profile.byKernel.map((entry) => entry.gpuMs);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
    const forwardKernels = record.rows[0]!.profile!.byKernel.map((entry) => entry.kernel);
    const trainKernels = record.rows[1]!.profile!.byKernel.map((entry) => entry.kernel);
    expect(forwardKernels).toContain('depthwiseConv2d');
    // BatchNorm's backward, alone or fused with the activation after it (training fusion), only in the training step.
    const batchNormBackward = /^batchNorm2d(Activation)?Backward/;
    expect(forwardKernels.some((kernel) => batchNormBackward.test(kernel))).toBe(false);
    expect(trainKernels.some((kernel) => batchNormBackward.test(kernel))).toBe(true);
    // Adam, one tensor a dispatch ('adam') or several packed into one ('adam.packed', 'adam.main4' for its vec4 entry).
    expect(trainKernels.some((kernel) => /^adam(\.|$)/.test(kernel))).toBe(true);
    expect(forwardKernels.some((kernel) => /^adam(\.|$)/.test(kernel))).toBe(false);
  });

  it('has no PyTorch figure for B0 at 64² and prints progress after every run', () => {
    for (const row of record.rows) expect(row).toMatchObject({ pytorchMs: null, timeVsPyTorch: null, peer: null, timeVsPeer: null });
    expect(lines.filter((line) => /^\[node\/lavapipe\] (forward|train-step) b1: run \d\/\d/.test(line))).toHaveLength(3);
    expect(lines.some((line) => line.includes('profiled run'))).toBe(true);
  });

  it('writes the JSON, appends a RESULTS.md section and puts the rows into report.html', () => {
    const first = writeModelRun([record], outDir);
    expect(first.json).toEqual([join(outDir, 'results', modelRecordFileName(record))]);
    expect(modelRecordFileName(record)).toBe('2000-01-01T00-00-model-node-lavapipe.json');
    expect(JSON.parse(readFileSync(first.json[0]!, 'utf8'))).toEqual(record);
    expect(readModelRecords(join(outDir, 'results'))).toEqual([record]);
    const markdown = readFileSync(first.markdown, 'utf8');
    expect(markdown).toMatch(/^# Kernel benchmark results/);
    expect(markdown).toContain('— model, node/lavapipe');
    expect(markdown).toContain('- command: `vitest bench/test/model.test.ts`');
    expect(markdown).toMatch(/\| forward b1 \| [\d.]+ m?s \/ [\d.]+ m?s \(2\) \|/);
    expect(markdown).toMatch(/\| train-step b1 \| .* \| 0\.\d+ → 0\.\d+ \|/);
    expect(markdown).toContain(`GPU time per kernel (one profiled run per row, top ${TOP_KERNELS})`);
    const html = readFileSync(first.report, 'utf8');
    expect(html).toContain('<h2>Model benchmarks</h2>');
    expect(html).toContain('<td>train-step b1</td>');
    writeModelRun([{ ...record, stamp: '2000-01-02T00-00', date: '2000-01-02T00:00:00.000Z' }], outDir);
    expect(readFileSync(first.markdown, 'utf8').match(/^## .* — model, node\/lavapipe$/gm)).toHaveLength(2);
    expect(readModelRecords(join(outDir, 'results')).map((entry) => entry.stamp)).toEqual(['2000-01-01T00-00', '2000-01-02T00-00']);
  });
});

describe('pnpm bench model --network unet --backbone resnet18: Unet-ResNet-18 at 64², forward b1, Node on lavapipe', () => {
  it('builds the named network, names it and counts its multiply-adds', { timeout: 300_000 }, async () => {
    const settings: ModelBenchSettings = { ...quick, network: 'unet', encoder: 'resnet18', passes: ['forward'], repeats: 1, warmup: 1, profile: false };
    const record = await runModelInNode({
      adapter: 'lavapipe',
      settings,
      stamp: '2000-01-01T00-00',
      command: 'vitest bench/test/model.test.ts',
      git: gitInfo(ROOT),
      log: () => undefined,
    });
    expect(record.model.name).toBe('Unet on resnet18 (1 channel, 1 class)');
    // smp's Unet-ResNet-18 with one input channel and one class: 14,321,937 parameters (ResNet-18 11,170,240 with
    // a 1-channel stem, the decoder 3,151,552, the 3x3 head 145).
    expect(record.model.parameters).toBe(14_321_937);
    const unet = new SegmentationModel(await gpuFor('lavapipe'), { network: 'unet', encoder: 'resnet18', inChannels: 1, classes: 1 });
    expect(record.model.forwardMacsPerImage).toBe(forwardMacsPerImage(unet, 64));
    unet.dispose();
    expect(record.rows.map((row) => [row.name, row.ours.status])).toEqual([['forward b1', 'ok']]);
    expect(record.rows[0]!.pytorchMs).toBeNull();
  });
});
