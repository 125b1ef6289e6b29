import { describe, expect, it } from 'vitest';
import { expectError } from '../testing/index.js';
import { classifyAdapter, isCpuAdapter, parseAdapterKind } from './adapters.js';
import { createGpu, describeGpu } from './create-gpu.js';
import { listAdapterNames } from './provider-node.js';
import { profileFor } from './profile.js';

describe('adapter kinds', () => {
  it('parses the flag and the environment value, and names the source of a bad one', () => {
    expect(parseAdapterKind(undefined, 'ULSEG_ADAPTER')).toBe('auto');
    expect(parseAdapterKind('LavaPipe', 'ULSEG_ADAPTER')).toBe('lavapipe');
    expect(() => parseAdapterKind('cuda', 'ULSEG_ADAPTER')).toThrow(/ULSEG_ADAPTER: unknown adapter 'cuda'.*auto, lavapipe, swiftshader, hardware/);
  });
  it('classifies adapters by what they report', () => {
    expect(classifyAdapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('lavapipe');
    expect(classifyAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe('swiftshader');
    expect(classifyAdapter({ vendor: 'nvidia', description: 'NVIDIA H100 80GB HBM3' })).toBe('hardware');
    expect([isCpuAdapter('lavapipe'), isCpuAdapter('swiftshader'), isCpuAdapter('hardware')]).toEqual([true, true, false]);
  });
});

describe('Node adapters (Dawn)', () => {
  it('sees lavapipe and SwiftShader in one process', async () => {
    const names = await listAdapterNames();
    expect(names.some((name) => name.includes('llvmpipe'))).toBe(true);
    expect(names.some((name) => name.includes('SwiftShader'))).toBe(true);
  });
  it('auto prefers hardware, then lavapipe, then SwiftShader', async () => {
    const names = await listAdapterNames();
    const kinds = names.map((name) => classifyAdapter({ description: name }));
    const expected = kinds.includes('hardware') ? 'hardware' : kinds.includes('lavapipe') ? 'lavapipe' : 'swiftshader';
    const gpu = await createGpu({ adapter: 'auto' });
    expect(gpu.info.kind).toBe(expected);
    gpu.destroy();
  });
  it('ULSEG_ADAPTER chooses the adapter when no option is given', async () => {
    const saved = process.env.ULSEG_ADAPTER;
    process.env.ULSEG_ADAPTER = 'swiftshader';
    try {
      const gpu = await createGpu();
      expect(gpu.info.kind).toBe('swiftshader');
      expect(gpu.info.limits.maxComputeInvocationsPerWorkgroup).toBe(256);
      expect(describeGpu(gpu)).toMatch(/SwiftShader.*swiftshader/s);
      gpu.destroy();
      process.env.ULSEG_ADAPTER = 'not-an-adapter';
      await expectError(() => createGpu(), ['ULSEG_ADAPTER', "unknown adapter 'not-an-adapter'"]);
    } finally {
      if (saved === undefined) delete process.env.ULSEG_ADAPTER;
      else process.env.ULSEG_ADAPTER = saved;
    }
  });
  it('requests the adapter maxima for the limits the kernels depend on', async () => {
    const gpu = await createGpu({ adapter: 'lavapipe' });
    expect(gpu.info.limits.maxStorageBufferBindingSize).toBe(128 * 2 ** 20);
    expect(gpu.info.limits.maxComputeInvocationsPerWorkgroup).toBe(1024);
    expect(gpu.info.features).toContain('timestamp-query');
    gpu.destroy();
  });
  it('makes one device profile from the adapter, and a profile override replaces its fields', async () => {
    const lavapipe = await createGpu({ adapter: 'lavapipe' });
    expect(lavapipe.deviceProfile).toMatchObject({ class: 'cpu-simd', subgroups: true, subgroupMinSize: 8, gemm: 'subgroup', conv: 'tiled', reduction: 'lane', convIm2col: false });
    expect(lavapipe.deviceProfile.cores).toBeGreaterThanOrEqual(1);
    expect(describeGpu(lavapipe)).toMatch(/profile: cpu-simd, gemm subgroup, conv tiled/);
    lavapipe.destroy();
    const forced = await createGpu({ adapter: 'swiftshader', profile: { gemm: 'tiled', reduction: 'workgroup' } });
    expect(forced.deviceProfile).toMatchObject({ class: 'cpu-simd', gemm: 'tiled', reduction: 'workgroup', subgroupMinSize: 4 });
    forced.destroy();
    expect(profileFor({ kind: 'hardware', features: ['subgroups'] })).toMatchObject({ class: 'gpu', gemm: 'tiled', reduction: 'workgroup', convIm2col: false });
    expect(profileFor({ kind: 'lavapipe', features: [] })).toMatchObject({ subgroups: false, subgroupMinSize: 1, gemm: 'tiled', convIm2col: false });
    expect(profileFor({ kind: 'swiftshader', features: ['subgroups'] })).toMatchObject({ convIm2col: false });
    expect(profileFor({ kind: 'lavapipe', features: ['subgroups'] }, { convIm2col: true })).toMatchObject({ gemm: 'subgroup', convIm2col: true });
    await expectError(
      () => createGpu({ adapter: 'lavapipe', profile: { gemm: 'fast' as 'tiled', tiledBk: 3 } }),
      ['device profile', "gemm 'fast' is not one of tiled, lanes", 'tiledBk must be 4, 8, 16 or 32, got 3'],
    );
  });
  it('close() destroys only after the queue has finished the submitted work; later calls are refused, a second close() is a no-op', async () => {
    const gpu = await createGpu({ adapter: 'lavapipe' });
    const events: string[] = [];
    const queue = gpu.device.queue;
    const done = queue.onSubmittedWorkDone.bind(queue);
    queue.onSubmittedWorkDone = async () => {
      events.push('wait');
      await done();
      events.push('work done');
    };
    const destroyDevice = gpu.device.destroy.bind(gpu.device);
    gpu.device.destroy = () => {
      events.push('destroy');
      destroyDevice();
    };
    gpu.upload(new Float32Array(1 << 16).fill(1), [1 << 16]);
    await gpu.close();
    expect(events).toEqual(['wait', 'work done', 'destroy']);
    await gpu.close();
    expect(events).toHaveLength(3);
    expect(() => gpu.dispatch({ kernel: { name: 'k', code: '' }, uniforms: new ArrayBuffer(0), tensors: [], workgroups: [1] })).toThrow(/destroyed/);
  });
  it('asking for a kind that is absent says which driver to install', async () => {
    const names = await listAdapterNames();
    if (names.some((name) => classifyAdapter({ description: name }) === 'hardware')) return;
    await expectError(() => createGpu({ adapter: 'hardware' }), ["No WebGPU adapter of kind 'hardware'", 'llvmpipe', 'ULSEG_ADAPTER=lavapipe']);
  });
});
