import { createGpu } from '../device/create-gpu.js';
import { KernelArgumentError } from '../device/errors.js';
import { unary } from '../ops/unary/unary.js';
import { assertClose, defineCases, expectError, POISON_BITS, randomArray } from '../testing/index.js';
import type { Gpu } from './gpu.js';
import { BufferUsage, MapMode, STORAGE_USAGE } from './usage.js';

/** A buffer the caller made: `bits` (u32 patterns) or float32 `data` written at creation. */
function callerBuffer(gpu: Gpu, label: string, usage: number, contents: { data?: Float32Array; bits?: number; count: number }): GPUBuffer {
  const buffer = gpu.device.createBuffer({ label, size: contents.count * 4, usage, mappedAtCreation: true });
  const range = buffer.getMappedRange();
  if (contents.data) new Float32Array(range).set(contents.data);
  else new Uint32Array(range).fill(contents.bits ?? 0);
  buffer.unmap();
  return buffer;
}

/** The caller's own read-back: copy into a MAP_READ buffer with its own encoder and submit, then map. */
async function readOwn(device: GPUDevice, buffer: GPUBuffer): Promise<Float32Array> {
  const staging = device.createBuffer({ label: 'caller staging', size: buffer.size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(MapMode.READ);
  const values = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return values;
}

export const wrapCases = defineCases('runtime.wrap', {
  "a caller's buffer is read and written in place, and the pool never frees or reuses it": async ({ gpu, random }) => {
    // An adopted Gpu on the shared test device, so that destroying it below leaves the device alive.
    const own = await createGpu({ device: gpu.device });
    const count = 37;
    const data = randomArray(random, count);
    const xBuffer = callerBuffer(own, 'caller x', STORAGE_USAGE, { data, count });
    const yBuffer = callerBuffer(own, 'caller y', STORAGE_USAGE, { bits: POISON_BITS, count });
    const before = own.pool.stats();
    const x = own.wrap(xBuffer, [count]);
    const y = own.wrap(yBuffer, [count]);
    const after = own.pool.stats();
    if (after.created !== before.created || after.liveBytes !== before.liveBytes) throw new Error('wrap allocated pool memory');
    if (x.buffer !== xBuffer || y.buffer !== yBuffer) throw new Error('wrap did not return views of the given buffers');
    const result = unary(own, 'neg', x, y);
    if (result.buffer !== yBuffer) throw new Error('the kernel did not write into the wrapped output');
    own.release(x);
    own.release(y);
    const taken = [own.empty([count]), own.empty([count]), own.upload(data)];
    if (taken.some((tensor) => tensor.buffer === xBuffer || tensor.buffer === yBuffer)) {
      throw new Error("the pool handed out a caller's buffer after release()");
    }
    const negated = Array.from(data, (v) => -v);
    assertClose(await own.read(y), negated, 'exact', 'neg into the wrapped output, read with gpu.read');
    assertClose(await readOwn(own.device, yBuffer), negated, 'exact', "the wrapped output, read with the caller's own encoder");
    for (const tensor of taken) own.release(tensor);
    own.destroy();
    // destroy() trimmed the pool and left the caller's buffers (and device) alone.
    assertClose(await gpu.read(gpu.wrap(yBuffer, [count])), negated, 'exact', 'the wrapped output after destroy()');
    assertClose(await readOwn(gpu.device, xBuffer), data, 'exact', 'the wrapped input after destroy()');
    xBuffer.destroy();
    yBuffer.destroy();
  },
  'a view at an element offset reads and writes only its window': async ({ gpu, random }) => {
    const alignment = gpu.limits.minStorageBufferOffsetAlignment / 4;
    const count = 29;
    const base = Math.ceil(count / alignment) * alignment;
    const data = randomArray(random, 3 * base);
    const xBuffer = callerBuffer(gpu, 'caller x', STORAGE_USAGE, { data, count: 3 * base });
    const yBuffer = callerBuffer(gpu, 'caller y', STORAGE_USAGE, { bits: POISON_BITS, count: 3 * base });
    const y = unary(gpu, 'abs', gpu.wrap(xBuffer, [count], { offset: base }), gpu.wrap(yBuffer, [count], { offset: base }));
    if (y.offset !== base) throw new Error(`the output view has offset ${y.offset}, want ${base}`);
    assertClose(await gpu.read(y), Array.from(data.subarray(base, base + count), Math.abs), 'exact', 'abs of the window');
    const bits = new Uint32Array((await gpu.read(gpu.wrap(yBuffer, [3 * base]))).buffer);
    const outside = bits.findIndex((value, index) => (index < base || index >= base + count) && value !== POISON_BITS);
    if (outside >= 0) throw new Error(`element ${outside}, outside the window [${base}, ${base + count}), was written`);
    xBuffer.destroy();
    yBuffer.destroy();
  },
  'wrap and read refuse buffers they cannot use, naming the buffer and the problem': async ({ gpu }) => {
    const readback = gpu.device.createBuffer({ label: 'caller readback', size: 64, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const error = await expectError(() => gpu.wrap(readback, [16]), ['caller readback', 'MAP_READ | COPY_DST', 'STORAGE']);
    if (!(error instanceof KernelArgumentError)) throw new Error(`expected KernelArgumentError, got ${error.name}`);
    const small = gpu.device.createBuffer({ label: 'caller small', size: 16, usage: STORAGE_USAGE });
    await expectError(() => gpu.wrap(small, [5]), ['caller small', '[5]', 'needs 20 bytes', 'has 16']);
    await expectError(() => gpu.wrap(small, [2, -1]), ['shape', 'non-negative integers', '[2,-1]']);
    await expectError(() => gpu.wrap(small, [1.5]), ['shape', '[1.5]']);
    await expectError(() => gpu.wrap(small, [1], { offset: -4 }), ['offset', '-4']);
    await expectError(() => gpu.wrap(small, [1], { label: 'my weights', offset: 2 ** 40 }), ['my weights']);
    if (gpu.limits.minStorageBufferOffsetAlignment > 4) {
      await expectError(() => gpu.wrap(small, [1], { offset: 1 }), ['offset 1', 'minStorageBufferOffsetAlignment']);
    }
    const mapped = gpu.device.createBuffer({ label: 'caller mapped', size: 16, usage: STORAGE_USAGE, mappedAtCreation: true });
    await expectError(() => gpu.wrap(mapped, [4]), ['caller mapped', 'mapped', 'unmap()']);
    mapped.unmap();
    if (gpu.wrap(mapped, [4]).buffer !== mapped) throw new Error('an unmapped buffer was refused');
    const storageOnly = gpu.device.createBuffer({ label: 'caller storage only', size: 16, usage: BufferUsage.STORAGE });
    await expectError(() => gpu.read(gpu.wrap(storageOnly, [4])), ['read', '[4]', 'usage STORAGE', 'COPY_SRC']);
    for (const buffer of [readback, small, mapped, storageOnly]) buffer.destroy();
  },
});
