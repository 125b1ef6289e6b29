import { describe, expect, it } from 'vitest';
import { KernelArgumentError } from '../device/errors.js';
import { registerCases } from '../testing/vitest.js';
import { BufferUsage, STORAGE_USAGE } from './usage.js';
import { wrapCases } from './wrap.cases.js';
import { describeUsage, wrapBuffer } from './wrap.js';

/** Stands in for a GPUBuffer: wrapBuffer only reads these four fields. */
function fakeBuffer(size: number, usage: number, mapState: GPUBufferMapState = 'unmapped'): GPUBuffer {
  return { size, usage, mapState, label: '' } as unknown as GPUBuffer;
}

const LIMITS = { maxStorageBufferBindingSize: 1024, minStorageBufferOffsetAlignment: 256 };

describe('wrapBuffer (no device)', () => {
  it('names usage bits', () => {
    expect(describeUsage(STORAGE_USAGE)).toBe('COPY_SRC | COPY_DST | STORAGE');
    expect(describeUsage(BufferUsage.MAP_READ | BufferUsage.COPY_DST)).toBe('MAP_READ | COPY_DST');
    expect(describeUsage(0)).toBe('none');
  });
  it('returns a view with a copied shape, and the offset only when it is not 0', () => {
    const buffer = fakeBuffer(4096, STORAGE_USAGE);
    const shape = [2, 3];
    const tensor = wrapBuffer(LIMITS, buffer, shape);
    expect(tensor).toEqual({ buffer, shape: [2, 3] });
    expect(tensor.shape).not.toBe(shape);
    expect(wrapBuffer(LIMITS, buffer, [4], { offset: 128 })).toEqual({ buffer, shape: [4], offset: 128 });
  });
  it('refuses a binding over maxStorageBufferBindingSize, naming the limit', () => {
    const buffer = fakeBuffer(8192, STORAGE_USAGE);
    expect(() => wrapBuffer(LIMITS, buffer, [257])).toThrow(KernelArgumentError);
    expect(() => wrapBuffer(LIMITS, buffer, [257])).toThrow(/1028 bytes, over this device's maxStorageBufferBindingSize of 1024/);
    expect(wrapBuffer(LIMITS, buffer, [256]).shape).toEqual([256]);
  });
  it('refuses a buffer whose mapAsync is pending', () => {
    expect(() => wrapBuffer(LIMITS, fakeBuffer(64, STORAGE_USAGE, 'pending'), [4], { label: 'frame' })).toThrow(/frame is being mapped/);
  });
  it('needs 4 bytes for an empty or scalar shape (a binding is never empty)', () => {
    expect(() => wrapBuffer(LIMITS, fakeBuffer(0, STORAGE_USAGE), [0])).toThrow(/needs 4 bytes/);
    expect(wrapBuffer(LIMITS, fakeBuffer(4, STORAGE_USAGE), []).shape).toEqual([]);
  });
});

registerCases(wrapCases);
