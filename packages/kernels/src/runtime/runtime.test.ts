import { describe, expect, it } from 'vitest';
import { registerCases } from '../testing/vitest.js';
import { sizeClass } from './buffer-pool.js';
import { flatGrid } from './grid.js';
import { kernelKey } from './kernel.js';
import { runtimeCases } from './runtime.cases.js';

describe('runtime helpers', () => {
  it('size classes are powers of two to 1 MiB, then 16 per octave', () => {
    expect(sizeClass(1)).toBe(256);
    expect(sizeClass(3000)).toBe(4096);
    expect(sizeClass(1 << 20)).toBe(1 << 20);
    expect(sizeClass((1 << 20) + 1)).toBe((1 << 20) + (1 << 16));
    expect(sizeClass(3_000_000)).toBe(3_014_656);
    for (let bytes = 1; bytes < 1e9; bytes = Math.ceil(bytes * 1.37)) {
      const size = sizeClass(bytes);
      expect(size).toBeGreaterThanOrEqual(bytes);
      if (bytes > 256) expect(size / bytes).toBeLessThanOrEqual(2);
      if (bytes > 1 << 20) expect(size / bytes).toBeLessThanOrEqual(1.0625 + 1e-9);
    }
  });
  it('flatGrid covers the range and folds into y over the per-dimension limit', () => {
    expect(flatGrid(1000, 256, 65535)).toEqual([4, 1]);
    const [x, y] = flatGrid(2 ** 24 + 3, 256, 65535);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y * 256).toBeGreaterThanOrEqual(2 ** 24 + 3);
  });
  it('kernel keys differ by constants, entry point and code, not by constant order', () => {
    const code = 'x';
    expect(kernelKey({ name: 'k', code, constants: { A: 1, B: 2 } })).toBe(kernelKey({ name: 'k', code, constants: { B: 2, A: 1 } }));
    expect(kernelKey({ name: 'k', code, constants: { A: 1 } })).not.toBe(kernelKey({ name: 'k', code, constants: { A: 2 } }));
    expect(kernelKey({ name: 'k', code, entryPoint: 'a' })).not.toBe(kernelKey({ name: 'k', code, entryPoint: 'b' }));
    // Two kernels may share a name and constants: the code tells them apart (a collision ran one kernel's pipeline for the other).
    expect(kernelKey({ name: 'k', code, constants: { A: 1 } })).not.toBe(kernelKey({ name: 'k', code: code + '\n', constants: { A: 1 } }));
  });
});

registerCases(runtimeCases);
