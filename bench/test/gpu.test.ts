/**
 * The hardware-adapter path of the bench (issue #21) on a machine without a GPU: the flags and options, what
 * `hardware` and `auto` become when Chromium exposes no hardware adapter (the real probe here, a stand-in probe for
 * the other branch), the table of known GPUs, and the GPU-sized rows run at their small size on SwiftShader through
 * `--force-gpu-rows` (kernels and model). Timing is never asserted.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyAdapter } from '@ulseg/kernels';
import { COMPAT, HARDWARE, hardwareFlags, SWIFTSHADER } from '@ulseg/kernels/chromium';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapterDetails, describeAdapterDetails } from '../src/adapter-details.js';
import { parseBrowserAdapters, parseNodeAdapter, resolveBrowserAdapters, type HardwareProbe } from '../src/adapters.js';
import { allPlan, parseArguments } from '../src/args.js';
import { probeChromiumHardware } from '../src/browser/hardware-probe.js';
import { gpuRowSize, gpuSizedBenchmarks } from '../src/families/gpu-sized.js';
import { fp32PeakOf, fractionOfPeak, KNOWN_GPUS } from '../src/gpu-peaks.js';
import { parseModelArguments } from '../src/args.js';
import { GPU_MODEL_RUNS } from '../src/model/gpu-rows.js';
import { modelMarkdownSection, modelRowFlops } from '../src/model/report.js';
import type { ModelBenchSettings, ModelRunRecord } from '../src/model/schema.js';
import { runInNode, runModelInNode } from '../src/node/node-run.js';
import { markdownSection } from '../src/report/markdown.js';
import { gitInfo } from '../src/report/metadata.js';
import type { RunRecord } from '../src/schema.js';
import { UsageError } from '../src/usage-error.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function hasGpuDeviceNode(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

describe('hardware adapter options', () => {
  it('takes hardware and auto for Node and Chromium, and refuses unknown adapters by name', () => {
    expect(parseNodeAdapter('auto')).toBe('auto');
    expect(parseNodeAdapter('hardware')).toBe('hardware');
    expect(() => parseNodeAdapter('cuda')).toThrow(/--adapter must be one of lavapipe, swiftshader, hardware, auto, not 'cuda'/);
    expect(parseBrowserAdapters('chromium/hardware,swiftshader,hardware')).toEqual(['hardware', 'swiftshader']);
    expect(parseBrowserAdapters('auto')).toEqual(['auto']);
    expect(() => parseBrowserAdapters('metal')).toThrow(UsageError);
    expect(() => parseBrowserAdapters('metal')).toThrow(/unknown 'metal' \(swiftshader, compat, hardware, auto\)/);
    expect(() => parseBrowserAdapters(',')).toThrow(/at least one/);
  });

  it('pnpm bench --gpu runs both suites with --adapter auto --browser-adapters auto, keeping adapters given', () => {
    const gpu = parseArguments(['--gpu']);
    expect(allPlan(gpu)).toEqual({ kernels: ['--adapter', 'auto', '--browser-adapters', 'auto'], model: ['--peer', 'ort', '--adapter', 'auto', '--browser-adapters', 'auto'] });
    const quick = allPlan(parseArguments(['--gpu', '--quick', '--browser-adapters', 'hardware', '--force-gpu-rows']));
    expect(quick.kernels).toEqual(['--repeats', '2', '--warmup', '1', '--max-seconds', '5', '--adapter', 'auto', '--browser-adapters', 'hardware', '--force-gpu-rows']);
    expect(quick.model.slice(-7)).toEqual(['--peer', 'ort', '--adapter', 'auto', '--browser-adapters', 'hardware', '--force-gpu-rows']);
    expect(() => parseArguments(['kernels', '--gpu'])).toThrow(/--gpu goes with pnpm bench all/);
    expect(parseArguments(['kernels', '--force-gpu-rows', '--adapter', 'hardware'])).toMatchObject({ forceGpuRows: true, adapter: 'hardware' });
    expect(parseModelArguments(['--force-gpu-rows', '--browser-adapters', 'auto,compat'])).toMatchObject({ forceGpuRows: true, browserAdapters: ['auto', 'compat'] });
  });

  it('has the hardware flags of each platform: Vulkan on Linux, Metal on macOS, D3D12 (the default) on Windows', () => {
    const linux = hardwareFlags('linux');
    expect(linux).toEqual(expect.arrayContaining(['--enable-unsafe-webgpu', '--use-angle=vulkan', '--use-vulkan=native', '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan']));
    expect(linux.join(' ')).not.toMatch(/swiftshader/);
    expect(hardwareFlags('darwin')).toEqual(expect.arrayContaining(['--enable-unsafe-webgpu', '--use-angle=metal']));
    expect(hardwareFlags('win32')).toEqual(expect.arrayContaining(['--enable-unsafe-webgpu', '--use-angle=d3d11']));
    expect(hardwareFlags('win32').join(' ')).not.toMatch(/vulkan/i);
    expect(HARDWARE.flags()).toEqual(hardwareFlags(process.platform));
  });
});

describe('what hardware and auto become', () => {
  const details = adapterDetails({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3', driver: '550.54' }, { maxBufferSize: 2 ** 34 });
  const found: HardwareProbe = async () => ({ found: true, details });
  const none: HardwareProbe = async () => ({ found: false, reason: "Chromium offered only the CPU adapter 'SwiftShader Device (Subzero)' (swiftshader)" });

  it('runs Chromium on the hardware adapter when the probe finds one, asking the probe once', async () => {
    let calls = 0;
    const lines: string[] = [];
    const adapters = await resolveBrowserAdapters(['auto', 'hardware', 'compat'], () => (calls++, found()), (line) => lines.push(line));
    expect(adapters).toEqual([HARDWARE, COMPAT]);
    expect(calls).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^\[chromium\] hardware adapter: NVIDIA H100 80GB HBM3 \(flags: .*--enable-unsafe-webgpu/)]);
  });

  it('without one: one line naming the flags tried, hardware dropped, auto on SwiftShader, the rest kept', async () => {
    const lines: string[] = [];
    expect(await resolveBrowserAdapters(['auto', 'compat'], none, (line) => lines.push(line))).toEqual([SWIFTSHADER, COMPAT]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Chromium exposes no hardware adapter');
    expect(lines[0]).toContain(`flags tried: ${HARDWARE.flags().join(' ')}`);
    expect(lines[0]).toContain('going on with chromium/swiftshader, chromium/compat');
    const alone: string[] = [];
    expect(await resolveBrowserAdapters(['hardware'], none, (line) => alone.push(line))).toEqual([]);
    expect(alone[0]).toMatch(/going on with no Chromium adapter$/);
    // Software adapters alone never start the probe.
    expect(await resolveBrowserAdapters(['swiftshader'], () => Promise.reject(new Error('probed')), () => undefined)).toEqual([SWIFTSHADER]);
  });

  it('the real probe: Chromium with the hardware flags here', { timeout: 120_000 }, async () => {
    const result = await probeChromiumHardware();
    if (hasGpuDeviceNode()) {
      if (result.found) expect(classifyAdapter(result.details)).toBe('hardware');
      else expect(result.reason).not.toBe('');
    } else {
      expect(result.found).toBe(false);
      if (!result.found) expect(result.reason).toMatch(/CPU adapter|returned null|navigator.gpu/);
    }
  });

  it('prints the vendor, architecture, driver and limits', () => {
    const line = describeAdapterDetails(details);
    expect(line).toBe('vendor nvidia, architecture hopper, device NVIDIA H100 80GB HBM3, driver 550.54; limits: maxBufferSize 16 GiB');
  });
});

describe('known GPUs', () => {
  it('finds the FP32 peak by the name the adapter reports', () => {
    const peak = (description: string, device = ''): number | undefined => fp32PeakOf({ description, device })?.fp32Tflops;
    expect(peak('NVIDIA H100 80GB HBM3')).toBe(67);
    expect(peak('NVIDIA H100 PCIe')).toBe(51);
    expect(peak('NVIDIA H200')).toBe(67);
    expect(peak('NVIDIA A100-SXM4-40GB')).toBe(19.5);
    expect(peak('NVIDIA L4')).toBe(30.3);
    expect(peak('', 'Tesla T4')).toBe(8.1);
    expect(peak('NVIDIA GeForce RTX 4090')).toBe(82.6);
    expect(peak('NVIDIA GeForce RTX 4070 Ti SUPER')).toBe(44.1);
    expect(peak('NVIDIA GeForce RTX 4070 Ti')).toBe(40.1);
    expect(peak('NVIDIA GeForce RTX 3060')).toBe(12.7);
    expect(peak('NVIDIA GeForce RTX 3060 Laptop GPU')).toBeUndefined();
    expect(peak('Apple M1 Max')).toBe(10.4);
    expect(peak('Apple M2')).toBe(3.6);
    expect(peak('Apple M3 Pro')).toBe(7.4);
    expect(peak('Intel(R) Iris(R) Xe Graphics')).toBe(2.2);
    expect(peak('AMD Radeon 780M')).toBe(8.9);
    expect(peak('SwiftShader Device (Subzero)')).toBeUndefined();
    expect(peak('llvmpipe (LLVM 15.0.6, 256 bits)')).toBeUndefined();
    expect(peak('Intel(R) Arc(TM) Graphics')).toBe(4.6);
    expect(peak('Intel(R) Arc(TM) A770 Graphics')).toBe(17.2);
    expect(new Set(KNOWN_GPUS.map((gpu) => gpu.name)).size).toBe(KNOWN_GPUS.length);
    expect(fractionOfPeak(6700, { name: 'NVIDIA H100 (SXM)', fp32Tflops: 67 })).toBeCloseTo(0.1, 12);
  });

  it('model rows count 2 FLOP per multiply-add, a training step 3x the forward', () => {
    expect(modelRowFlops({ pass: 'forward', batch: 8, forwardMacsPerImage: 1e9 })).toBe(16e9);
    expect(modelRowFlops({ pass: 'train-step', batch: 8, forwardMacsPerImage: 1e9 })).toBe(48e9);
    expect(modelRowFlops({ pass: 'forward', batch: 8 })).toBeNull();
  });
});

describe('GPU-sized rows', () => {
  it('are GEMM 4096³ and the ten B6 layer shapes at batch 32 on hardware, small on a CPU adapter only when forced', () => {
    expect(gpuRowSize('hardware', false)).toBe('full');
    expect(gpuRowSize('swiftshader', false)).toBeNull();
    expect(gpuRowSize('lavapipe', true)).toBe('small');
    const full = gpuSizedBenchmarks('full');
    expect(full[0]).toMatchObject({ name: 'matmul 4096x4096x4096', flops: 2 * 4096 ** 3 });
    expect(full).toHaveLength(1 + 10 * 3);
    expect(full.slice(1).every((row) => row.shape.N === 32 && row.name.includes(' N32'))).toBe(true);
    const small = gpuSizedBenchmarks('small');
    expect(small[0]?.name).toBe('matmul 256x256x256');
    expect(small.slice(1).every((row) => row.shape.N === 1)).toBe(true);
    expect(new Set([...full, ...small].map((row) => row.name)).size).toBe(full.length + small.length);
    expect(GPU_MODEL_RUNS.full).toEqual([
      { encoder: 'efficientnet-b6', resolution: 256, batches: [1, 8, 32] },
      { encoder: 'efficientnet-b6', resolution: 512, batches: [8] },
    ]);
  });

  describe('kernels: --force-gpu-rows on Node SwiftShader (small size)', () => {
    let record: RunRecord;
    const lines: string[] = [];
    beforeAll(async () => {
      record = await runInNode({
        adapter: 'swiftshader',
        benchmarks: [],
        settings: { warmup: 1, repeats: 1, maxSeconds: 5, filter: 'matmul 256', peers: false, forceGpuRows: true },
        stamp: '2000-01-01T00-00',
        command: 'vitest bench/test/gpu.test.ts',
        git: gitInfo(ROOT),
        log: (line) => lines.push(line),
      });
    }, 600_000);

    it('runs the GPU rows that pass the filter and records the adapter details', () => {
      expect(record.label).toBe('node/swiftshader');
      expect(record.results.map((result) => result.name)).toEqual(['matmul 256x256x256']);
      for (const result of record.results) expect(result.ours.status, result.name).toBe('ok');
      expect(record.adapterDetails?.description.toLowerCase()).toContain('swiftshader');
      expect(record.adapterDetails?.limits.maxComputeInvocationsPerWorkgroup).toBe(256);
      expect(record.fp32Peak).toBeNull();
      expect(lines.some((line) => line.startsWith('[node/swiftshader] vendor '))).toBe(true);
      expect(markdownSection(record, 'x.json')).not.toContain('of FP32 peak');
    });

    it('states GFLOP/s as a fraction of the peak where the GPU is known', () => {
      const known = markdownSection({ ...record, fp32Peak: { name: 'NVIDIA H100 (SXM)', fp32Tflops: 67 } }, 'x.json');
      expect(known).toContain('FP32 peak 67 TFLOP/s (NVIDIA H100 (SXM)');
      expect(known).toMatch(/\| matmul 256x256x256 \|[^\n]*GFLOP\/s \([\d.]+% of FP32 peak\)/);
    });
  });

  describe('model: --force-gpu-rows on Node SwiftShader (small size)', () => {
    let record: ModelRunRecord;
    const settings: ModelBenchSettings = {
      encoder: 'efficientnet-b0',
      resolution: 64,
      inChannels: 1,
      classes: 1,
      batches: [2],
      passes: ['forward'],
      repeats: 1,
      steps: 1,
      warmup: 1,
      maxSeconds: 5,
      profile: false,
      seed: 7,
      peer: null,
      forceGpuRows: true,
    };
    beforeAll(async () => {
      record = await runModelInNode({ adapter: 'swiftshader', settings, stamp: '2000-01-01T00-00', command: 'vitest bench/test/gpu.test.ts', git: gitInfo(ROOT), log: () => undefined });
    }, 900_000);

    it('adds the small GPU rows after the rows asked for, without running a row twice', () => {
      expect(record.rows.map((row) => row.name)).toEqual(['forward b2', 'B0 64² train-step b2', 'B0 96² forward b1', 'B0 96² train-step b1']);
      for (const row of record.rows) {
        expect(row.ours.status, row.name).toBe('ok');
        expect(row.forwardMacsPerImage, row.name).toBeGreaterThan(0);
      }
      const at = (name: string): number => record.rows.find((row) => row.name === name)!.forwardMacsPerImage!;
      // Everything but the squeeze-excitation pairs scales with the area, (96 / 64)² = 2.25.
      expect(at('B0 96² forward b1') / record.model.forwardMacsPerImage).toBeGreaterThan(2.2);
      expect(at('B0 96² forward b1') / record.model.forwardMacsPerImage).toBeLessThanOrEqual(2.25);
      expect(at('B0 64² train-step b2')).toBe(record.model.forwardMacsPerImage);
      const section = modelMarkdownSection({ ...record, fp32Peak: { name: 'Apple M2', fp32Tflops: 3.6 } }, 'x.json');
      expect(section).toMatch(/\| B0 96² train-step b1 \|[^\n]*% of FP32 peak\)/);
    });
  });
});
