import { createGpu } from '../device/create-gpu.js';
import { DeviceLostError, GpuValidationError, KernelArgumentError } from '../device/errors.js';
import { unary } from '../ops/unary/unary.js';
import { assertClose, defineCases, expectError, poisoned, randomArray } from '../testing/index.js';
import { fill, FILL_KERNEL } from '../ops/fill/fill.js';
import { FILL_PARAMS } from '../ops/fill/fill.wgsl.js';
import { formatShape } from './tensor.js';
import { STORAGE_USAGE } from './usage.js';

const BROKEN_WGSL = '@compute @workgroup_size(1) fn main() { let x: f32 = undeclared_thing; }';

export const runtimeCases = defineCases('runtime', {
  'the pool reuses a released buffer of the same size class and counts bytes': async ({ gpu }) => {
    const before = gpu.pool.stats();
    const first = gpu.pool.acquire(3000, STORAGE_USAGE, 'pool test');
    const mid = gpu.pool.stats();
    if (mid.liveBytes - before.liveBytes !== 4096) throw new Error(`live bytes grew by ${mid.liveBytes - before.liveBytes}, want 4096`);
    gpu.pool.release(first);
    const second = gpu.pool.acquire(4000, STORAGE_USAGE, 'pool test');
    if (second !== first) throw new Error('a released 4 KiB-class buffer was not reused for a 4000-byte request');
    if (gpu.pool.stats().reused <= before.reused) throw new Error('reuse was not counted');
    gpu.pool.release(second);
    if (gpu.pool.stats().liveBytes !== before.liveBytes) throw new Error('live bytes did not return to their start');
    await expectError(() => gpu.pool.release(second), ['not a live pool buffer']);
  },
  'the pool hands out the oldest free buffer of a class, whatever order they were released in': async ({ gpu }) => {
    // A size class no other case uses, so the free list holds only this case's buffers.
    const bytes = 3 * 2 ** 20 + 12345;
    const buffers = [0, 1, 2].map(() => gpu.pool.acquire(bytes, STORAGE_USAGE, 'pool order test'));
    for (const order of [[2, 0, 1], [1, 2, 0], [0, 1, 2]]) {
      for (const index of order) gpu.pool.release(buffers[index]!);
      const again = [0, 1, 2].map(() => gpu.pool.acquire(bytes, STORAGE_USAGE, 'pool order test'));
      if (again.some((buffer, index) => buffer !== buffers[index])) {
        throw new Error(`released in order ${order.join(', ')}, the buffers came back as ${again.map((buffer) => buffers.indexOf(buffer)).join(', ')}, want 0, 1, 2`);
      }
    }
    for (const buffer of buffers) gpu.pool.release(buffer);
    gpu.pool.trim();
  },
  'a repeated dispatch reuses its bind group, and a reused uniform slot carries the values of its own batch': async ({ gpu }) => {
    await gpu.sync();
    const out = poisoned(gpu, [37]);
    const device = gpu.device;
    const create = device.createBindGroup.bind(device);
    let created = 0;
    device.createBindGroup = (descriptor) => {
      created++;
      return create(descriptor);
    };
    try {
      for (const value of [1.5, -2.25, 7]) {
        // Each read submits, so every fill takes the same arena slot of a new batch with another value in it.
        fill(gpu, out, value);
        assertClose(await gpu.read(out), new Float32Array(37).fill(value), 'exact', `fill ${value}`);
      }
      const first = created;
      if (first > 2) throw new Error(`three fills of the same tensor created ${first} bind groups, want at most 2 (vec4 body and scalar tail)`);
      gpu.pool.trim();
      fill(gpu, out, 3);
      assertClose(await gpu.read(out), new Float32Array(37).fill(3), 'exact', 'fill after trim');
      if (created === first) throw new Error('trim() left the cached bind groups in place');
      // A caller's wrapped buffer is never cached (a cached bind group would keep it alive).
      const own = gpu.device.createBuffer({ size: 64, usage: STORAGE_USAGE, label: 'wrapped for bind groups' });
      const wrapped = gpu.wrap(own, [16]);
      const beforeWrapped = created;
      fill(gpu, wrapped, 4);
      fill(gpu, wrapped, 5);
      assertClose(await gpu.read(wrapped), new Float32Array(16).fill(5), 'exact', 'fill of a wrapped buffer');
      own.destroy();
      if (created - beforeWrapped !== 2) throw new Error(`two fills of a wrapped buffer created ${created - beforeWrapped} bind groups, want 2 (none cached)`);
    } finally {
      device.createBindGroup = create;
      gpu.release(out);
    }
  },
  'a hundred dispatches are recorded into one submit': async ({ gpu, random }) => {
    await gpu.sync();
    const data = randomArray(random, 257);
    let x = gpu.upload(data);
    const submits = gpu.counters.submits;
    for (let step = 0; step < 100; step++) {
      const y = unary(gpu, 'neg', x, poisoned(gpu, [257]));
      gpu.release(x);
      x = y;
    }
    if (gpu.counters.submits !== submits) throw new Error(`recording submitted ${gpu.counters.submits - submits} times`);
    assertClose(await gpu.read(x), data, 'exact', '100 negations');
    if (gpu.counters.submits !== submits + 1) throw new Error(`read needed ${gpu.counters.submits - submits} submits, want 1`);
  },
  'readMany reads tensors of odd sizes (scalar, empty, a view at an offset) in one submit, or one per chunk': async ({ gpu, random }) => {
    await gpu.sync();
    const shapes = [[3, 5, 7], [], [0], [1], [13], [2, 1, 9, 11], [257], [4]];
    const values = shapes.map((shape) => randomArray(random, shape.reduce((a, b) => a * b, 1)));
    const tensors = shapes.map((shape, index) => gpu.upload(values[index]!, shape));
    const whole = randomArray(random, 40);
    const base = gpu.upload(whole);
    tensors.push({ buffer: base.buffer, shape: [7], offset: 13 });
    values.push(whole.slice(13, 20));
    const check = (read: Float32Array[], what: string): void => {
      if (read.length !== values.length) throw new Error(`${what}: ${read.length} arrays for ${values.length} tensors`);
      values.forEach((expected, index) => assertClose(read[index]!, expected, 'exact', `${what}: tensor ${index} ${formatShape(tensors[index]!.shape)}`));
    };
    await gpu.sync();
    let submits = gpu.counters.submits;
    check(await gpu.readMany(tensors), 'one chunk');
    if (gpu.counters.submits !== submits + 1) throw new Error(`readMany of ${tensors.length} tensors needed ${gpu.counters.submits - submits} submits, want 1`);
    // 256-byte chunks (64 floats), filled in order: [3,5,7] (420 bytes) alone; [] [0] [1] [13]; [2,1,9,11] (792) alone;
    // [257] (1028) alone; [4] and the view [7] together: 5 chunks.
    submits = gpu.counters.submits;
    check(await gpu.readMany(tensors, 256), '256-byte chunks');
    if (gpu.counters.submits !== submits + 5) throw new Error(`readMany in 256-byte chunks needed ${gpu.counters.submits - submits} submits, want 5`);
    submits = gpu.counters.submits;
    if ((await gpu.readMany([])).length !== 0 || (await gpu.readMany([tensors[2]!]))[0]!.length !== 0) throw new Error('an empty read returned values');
    if (gpu.counters.submits !== submits) throw new Error('reading nothing submitted work');
    for (const tensor of tensors.slice(0, shapes.length)) gpu.release(tensor);
    gpu.release(base);
  },
  'an upload into a reused pool buffer lands after the recorded work that read the buffer before': async ({ gpu }) => {
    await gpu.sync();
    const first = gpu.upload([2, 2, 2], [3]);
    const x = gpu.upload([1, 2, 3], [3]);
    const product = unary(gpu, 'square', first);
    gpu.release(first);
    // Same size class: the pool hands `first`'s buffer out again while the square above is still unsubmitted.
    const second = gpu.upload([5, 5, 5], [3]);
    if (second.buffer !== first.buffer) throw new Error('test premise: the pool did not reuse the buffer');
    assertClose(await gpu.read(product), [4, 4, 4], 'exact', 'square read the data it was recorded with');
    assertClose(await gpu.read(second), [5, 5, 5], 'exact', 'the later upload');
    gpu.release(x);
  },
  'time() reports wall-clock, and GPU time where timestamps exist': async ({ gpu, random }) => {
    const x = gpu.upload(randomArray(random, 1 << 16));
    const timing = await gpu.time(() => {
      for (let step = 0; step < 10; step++) gpu.release(unary(gpu, 'exp', x));
    });
    if (!(timing.wallMs > 0)) throw new Error(`wall time ${timing.wallMs}`);
    if (gpu.hasTimestamps && !(timing.gpuMs !== undefined && timing.gpuMs > 0)) {
      throw new Error(`the adapter has timestamp-query but gpuMs is ${timing.gpuMs}`);
    }
  },
  'a kernel that fails to compile is named in the error at the next sync': async ({ gpu }) => {
    const out = gpu.empty([4]);
    const error = await expectError(
      async () => {
        gpu.dispatch({ kernel: { name: 'broken-kernel', code: BROKEN_WGSL }, tensors: [], workgroups: [1] });
        await gpu.sync();
      },
      ['broken-kernel'],
    );
    if (!(error instanceof GpuValidationError)) throw new Error(`expected GpuValidationError, got ${error.name}`);
    gpu.release(out);
    await expectError(() => gpu.pipelines.warmUp([{ name: 'broken-warm-up', code: BROKEN_WGSL }]), ['broken-warm-up', 'failed to compile']);
    // The Gpu stays usable after the error was reported.
    const y = unary(gpu, 'abs', gpu.upload([-1, 2]), poisoned(gpu, [2]));
    assertClose(await gpu.read(y), [1, 2], 'exact', 'abs after an error');
  },
  'warmUp compiles kernels in parallel and caches them': async ({ gpu }) => {
    const kernels = [FILL_KERNEL, { ...FILL_KERNEL, constants: { WORKGROUP_SIZE: 64 } }];
    await gpu.pipelines.warmUp(kernels);
    const size = gpu.pipelines.size;
    await gpu.pipelines.warmUp(kernels);
    if (gpu.pipelines.size !== size) throw new Error('warming the same kernels twice compiled them again');
  },
  'a dispatch over maxComputeWorkgroupsPerDimension names the kernel and the limit': async ({ gpu }) => {
    const limit = gpu.limits.maxComputeWorkgroupsPerDimension;
    const out = gpu.empty([4]);
    await expectError(
      () => gpu.dispatch({ kernel: FILL_KERNEL, uniforms: FILL_PARAMS.write({ count: 4, bits: 0, start: 0 }), tensors: [out], workgroups: [limit + 1] }),
      ['fill', `${limit + 1}`, 'maxComputeWorkgroupsPerDimension', `${limit}`],
    );
    gpu.release(out);
  },
  'a lost device turns later calls into a DeviceLostError that says what to do': async ({ gpu }) => {
    const own = await createGpu({ device: await freshDevice(gpu) });
    own.device.destroy();
    await own.device.lost;
    const error = await expectError(() => unary(own, 'relu', own.upload([1])), ['device was lost', 'createGpu']);
    if (!(error instanceof DeviceLostError)) throw new Error(`expected DeviceLostError, got ${error.name}`);
  },
  'an adopted device is used as is and not destroyed': async ({ gpu }) => {
    const adopted = await createGpu({ device: gpu.device });
    if (!adopted.info.adopted) throw new Error('info.adopted is false');
    const y = unary(adopted, 'square', adopted.upload([3]), poisoned(adopted, [1]));
    assertClose(await adopted.read(y), [9], 'exact', 'square on an adopted device');
    adopted.destroy();
    const z = unary(gpu, 'square', gpu.upload([4]), poisoned(gpu, [1]));
    assertClose(await gpu.read(z), [16], 'exact', 'the original Gpu after the adopter was destroyed');
  },
  'bad uploads and writes name the problem': async ({ gpu }) => {
    await expectError(() => gpu.upload([1, 2, 3], [2, 2]), ['upload', '3 values', '[2, 2]']);
    await expectError(() => gpu.write(gpu.empty([2]), new Float32Array(3)), ['write', '3 values', '[2]']);
    const error = await expectError(() => gpu.empty([gpu.limits.maxStorageBufferBindingSize]), ['maxStorageBufferBindingSize']);
    if (!(error instanceof KernelArgumentError)) throw new Error(`expected KernelArgumentError, got ${error.name}`);
  },
});

/** A second device from the same kind of adapter, so that destroying it leaves the shared test Gpu alone. */
async function freshDevice(gpu: { info: { featureLevel: 'core' | 'compatibility' } }): Promise<GPUDevice> {
  const other = await createGpu({ featureLevel: gpu.info.featureLevel });
  return other.device;
}
