/**
 * The benchmark list, the B6 layer list (against a trace of the model's forward and the PyTorch fixture), statistics
 * and arguments. Only the trace uses a GPU (lavapipe).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArguments, parseKernelsArguments, UsageError } from '../src/args.js';
import { FAMILIES } from '../src/definition.js';
import { layerShapes as convShapes } from '../src/families/convolution.js';
import { BATCH, IMAGE, layerShapes, modelConvs, modelConvsFromTrace, tenMostExpensive } from '../src/families/b6-layers.js';
import { traceEval } from '@ulseg/autograd';
import { gpuFor } from '@ulseg/kernels/testing';
import { encoderSpec, roundFilters, roundRepeats, SegmentationModel } from '@ulseg/model';
import { KERNEL_BENCHMARKS, selectBenchmarks } from '../src/families/index.js';
import { quantile } from '../src/measure.js';

const FIXTURE = new URL('../../test/fixtures/b6/static_padding.json', import.meta.url);

interface FixtureConv {
  name: string;
  kernel: [number, number];
  stride: [number, number];
  groups: number;
  in: number;
  out: number;
}

describe('benchmark list', () => {
  it('has unique names, known families and positive work', () => {
    const names = KERNEL_BENCHMARKS.map((benchmark) => benchmark.name);
    expect(new Set(names).size).toBe(names.length);
    for (const benchmark of KERNEL_BENCHMARKS) {
      expect(FAMILIES).toContain(benchmark.family);
      expect(benchmark.bytes, benchmark.name).toBeGreaterThan(0);
      if (benchmark.metric === 'gflops') expect(benchmark.flops, benchmark.name).toBeGreaterThan(0);
    }
    expect(KERNEL_BENCHMARKS.filter((benchmark) => benchmark.copyBandwidth)).toHaveLength(1);
    expect(KERNEL_BENCHMARKS[0]?.copyBandwidth).toBe(true);
  });

  it('covers the issue shapes', () => {
    const names = KERNEL_BENCHMARKS.map((benchmark) => benchmark.name);
    for (const expected of [
      'matmul 1024x1024x1024',
      'matmul 1024x1024x1024 tiled core',
      'gemm 1152x192 by 4x192x4',
      'gemm 1152x192 by 4x192x4 Cᵀ per image',
      'gemm 1152x192 by 4x192x4 C orientation',
      'sum over splits 4x221184',
      'sum over splits 4x221184 strided layout',
      'sum over H,W 8x192x128x128',
      'sum over H,W 8x192x128x128 strided layout',
      'mean over N,H,W 8x192x128x128 strided layout',
      'conv2d 3x3 64->64 @64x64 N1 fwd',
      'depthwise 5x5 144ch @64x64 N1 bwd-weight',
      'depthwise 3x3 144ch @64x64 N1 fwd',
      'B6 conv2d 1x1 200->1200 @16x16 N8 bwd-input',
      'B6 conv2d 1x1 2064->344 @8x8 N8 fwd',
      'B6 convT 4x4 s2 14->14 @128x128 N8 bwd-weight',
      'adam step 40M params',
      'median 19x19 512x512 mask',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('filters on "family name", case-insensitively', () => {
    expect(selectBenchmarks(KERNEL_BENCHMARKS, 'DEPTHWISE').every((benchmark) => benchmark.family === 'depthwise')).toBe(true);
    expect(selectBenchmarks(KERNEL_BENCHMARKS, 'b6 conv2d 1x1 200->1200').map((benchmark) => benchmark.pass)).toEqual([
      'forward',
      'backward-input',
      'backward-weight',
    ]);
    expect(selectBenchmarks(KERNEL_BENCHMARKS, null)).toHaveLength(KERNEL_BENCHMARKS.length);
    const families = new Set(selectBenchmarks(KERNEL_BENCHMARKS, 'depthwise, conv-transpose2d').map((benchmark) => benchmark.family));
    expect([...families].sort()).toEqual(['conv-transpose2d', 'depthwise']);
  });

  it('counts convolution FLOPs as 2 x multiply-adds', () => {
    expect(convShapes({ kind: 'dense', N: 1, Cin: 64, Cout: 64, H: 64, W: 64, k: 3, stride: 1, pad: 1 }).flops).toBe(2 * 64 * 64 * 64 * 64 * 9);
    const transposed = convShapes({ kind: 'transposed', N: 8, Cin: 14, Cout: 14, H: 128, W: 128, k: 4, stride: 2, pad: 1 });
    expect(transposed.y).toEqual([8, 14, 256, 256]);
    expect(transposed.w).toEqual([14, 14, 4, 4]);
    expect(convShapes({ kind: 'depthwise', N: 8, Cin: 432, Cout: 432, H: 32, W: 32, k: 5, stride: 1, pad: 2 }).w).toEqual([432, 1, 5, 5]);
  });
});

describe('Linknet-B6 layers', () => {
  it('rounds filters and repeats as efficientnet-pytorch does for width 1.8, depth 2.6 (the model registry the trace runs)', () => {
    const { widthCoefficient, depthCoefficient } = encoderSpec('efficientnet-b6');
    expect([32, 16, 24, 40, 80, 112, 192, 320].map((filters) => roundFilters(filters, widthCoefficient))).toEqual([56, 32, 40, 72, 144, 200, 344, 576]);
    expect([1, 2, 2, 3, 3, 4, 1].map((repeats) => roundRepeats(repeats, depthCoefficient))).toEqual([3, 6, 6, 8, 8, 11, 3]);
  });

  it('is the convolution list of a trace of the B6 forward at 256², batch 8 (b6-layers.traced.ts)', { timeout: 300_000 }, async () => {
    const gpu = await gpuFor('lavapipe');
    const model = new SegmentationModel(gpu, { encoder: 'efficientnet-b6', inChannels: 1, classes: 1 });
    const traced = traceEval(model, gpu, [1, 1, IMAGE, IMAGE]);
    traced.dispose();
    model.dispose();
    const convs = modelConvsFromTrace(traced, BATCH);
    const file = new URL('../src/families/b6-layers.traced.ts', import.meta.url);
    if (process.env.ULSEG_UPDATE_TRACED === '1') {
      const rows = convs.map((conv) => `  ${JSON.stringify(conv)},`).join('\n');
      writeFileSync(
        file,
        `/** Written by bench/test/definitions.test.ts from a trace of Linknet-B6's eval forward at ${IMAGE}², batch ${BATCH} (ULSEG_UPDATE_TRACED=1); checked against a new trace on every run. */\n` +
          `import type { ModelConv } from './b6-layers.js';\n\nexport const B6_TRACED_CONVS: readonly ModelConv[] = [\n${rows}\n];\n`,
      );
    }
    expect(modelConvs(), 'b6-layers.traced.ts = the trace (ULSEG_UPDATE_TRACED=1 rewrites it)').toEqual(convs);
  });

  it('costs 4.45 GMAC per 256x256 image, as ORIGINAL.md §8 says (SE convolutions left out)', () => {
    const macs = modelConvs().reduce((sum, conv) => sum + conv.macs, 0) / 8;
    expect(macs / 1e9).toBeCloseTo(4.455, 1);
  });

  it.skipIf(!existsSync(FIXTURE))('matches every encoder conv of the PyTorch fixture', () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { convs: FixtureConv[] };
    const byName = new Map(fixture.convs.map((conv) => [conv.name, conv]));
    const encoder = modelConvs().filter((conv) => conv.name.startsWith('encoder.'));
    expect(encoder).toHaveLength(fixture.convs.filter((conv) => !conv.name.includes('_se_') && !conv.name.includes('_conv_head')).length);
    for (const conv of encoder) {
      const expected = byName.get(conv.name);
      expect(expected, conv.name).toBeDefined();
      expect([conv.Cin, conv.Cout, conv.k, conv.stride], conv.name).toEqual([expected?.in, expected?.out, expected?.kernel[0], expected?.stride[0]]);
      expect(expected?.groups, conv.name).toBe(conv.kind === 'depthwise' ? conv.Cin : 1);
    }
  });

  it('picks eight 1x1 shapes, the costliest depthwise and decoder block 4 convT', () => {
    const ten = tenMostExpensive();
    expect(ten).toHaveLength(10);
    expect(ten.filter((layer) => layer.kind === 'dense' && layer.k === 1)).toHaveLength(8);
    expect(ten.find((layer) => layer.kind === 'depthwise')).toMatchObject({ Cin: 432, k: 5, stride: 1, H: 32 });
    expect(ten.find((layer) => layer.kind === 'transposed')).toMatchObject({ Cin: 14, Cout: 14, k: 4, stride: 2, H: 128 });
    expect(ten.slice(0, 4).map((layer) => `${layer.Cin}->${layer.Cout}@${layer.H}`)).toEqual(['344->2064@8', '200->1200@16', '2064->344@8', '1200->200@16']);
    expect(layerShapes()[0]?.names).toHaveLength(11);
  });
});

describe('statistics and arguments', () => {
  it('takes quantiles between neighbours', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('parses the kernels command and refuses bad input clearly', () => {
    expect(parseArguments(['--', 'kernels', '--node-only', '--filter', 'conv', '--repeats', '3', '--adapter', 'swiftshader'])).toMatchObject({
      suite: 'kernels',
      node: true,
      browser: false,
      filter: 'conv',
      repeats: 3,
      adapter: 'swiftshader',
    });
    expect(parseArguments(['kernels', '--browser-adapters', 'compat']).browserAdapters).toEqual(['compat']);
    // No suite: every suite (pnpm bench = pnpm bench all); help only when asked.
    expect(parseArguments([]).suite).toBe('all');
    expect(parseArguments(['--help']).suite).toBe('help');
    // `pnpm bench kernels --help` prints the usage and runs nothing (suiteMain reads `help`).
    expect(parseKernelsArguments(['--node-only', '--help'])).toMatchObject({ help: true });
    expect(parseKernelsArguments(['-h']).help).toBe(true);
    expect(parseKernelsArguments(['--node-only']).help).toBe(false);
    expect(parseArguments(['model']).suite).toBe('model');
    expect(() => parseArguments(['kernels', '--repeats', '0'])).toThrow(UsageError);
    expect(() => parseArguments(['kernels', '--adapter', 'cuda'])).toThrow(/--adapter must be one of lavapipe, swiftshader, hardware, auto, not 'cuda'/);
    expect(() => parseArguments(['kernels', '--node-only', '--browser-only'])).toThrow(/exclude/);
    expect(() => parseArguments(['kernels', '--bogus'])).toThrow(/unknown option/);
    expect(parseArguments(['kernels', '--variant', 'tiled']).variant).toBe('tiled');
    expect(parseArguments(['kernels']).variant).toBeNull();
    expect(() => parseArguments(['kernels', '--variant', 'fast'])).toThrow(/--variant must be tiled, lanes or subgroup, not 'fast'/);
    expect(parseArguments(['kernels', '--im2col', 'off']).im2col).toBe(false);
    expect(parseArguments(['kernels', '--im2col', 'on']).im2col).toBe(true);
    expect(parseArguments(['kernels']).im2col).toBeNull();
    expect(() => parseArguments(['kernels', '--im2col', 'yes'])).toThrow(/--im2col must be on or off, not 'yes'/);
  });
});
