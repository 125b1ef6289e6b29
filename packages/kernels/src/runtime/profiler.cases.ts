import { fill } from '../ops/fill/fill.js';
import { unary } from '../ops/unary/unary.js';
import { unaryReference } from '../ops/unary/unary.reference.js';
import { assertClose, defineCases, expectError, poisoned, randomArray } from '../testing/index.js';

export const profilerCases = defineCases('runtime profile', {
  'profile() times every dispatch, sums per kernel, and leaves results, the pool and later batching as they were': async ({ gpu, random }) => {
    const count = 3001;
    const data = randomArray(random, count);
    const x = gpu.upload(data);
    if (!gpu.hasTimestamps) {
      await expectError(() => gpu.profile(() => gpu.release(unary(gpu, 'exp', x))), ['profile', 'timestamp-query', 'time()']);
      gpu.release(x);
      return;
    }
    const y = poisoned(gpu, [count]);
    const z = poisoned(gpu, [count]);
    await gpu.sync();
    const pool = gpu.pool.stats();
    const submits = gpu.counters.submits;
    const profile = await gpu.profile(() => {
      // Scalar layout: one dispatch a call whatever the count (the vec4 one adds a tail dispatch).
      unary(gpu, 'exp', x, y, 'scalar');
      unary(gpu, 'neg', y, z, 'scalar');
      unary(gpu, 'exp', z, y, 'scalar');
      fill(gpu, z, 0.25, undefined, 'scalar');
    });
    // Its query sets and buffers come from the device: the pool saw nothing of the profiling.
    const after = gpu.pool.stats();
    if (after.created !== pool.created || after.liveBytes !== pool.liveBytes || after.peakLiveBytes !== pool.peakLiveBytes) {
      throw new Error(`the pool changed under profile(): ${JSON.stringify(pool)} → ${JSON.stringify(after)}`);
    }
    if (gpu.counters.submits - submits !== 1) throw new Error(`4 profiled dispatches took ${gpu.counters.submits - submits} submits, want 1`);
    // y = exp(−exp(x)): the dispatches computed what they compute unprofiled.
    const expected = unaryReference('exp', unaryReference('neg', unaryReference('exp', Float64Array.from(data))));
    assertClose(await gpu.read(y), expected, 'elementwise', 'exp(neg(exp(x))) under profile()');
    assertClose(await gpu.read(z), new Float32Array(count).fill(0.25), 'exact', 'fill under profile()');
    if (profile.dispatches !== 4 || profile.untimed !== 0) throw new Error(`${profile.dispatches} dispatches profiled (${profile.untimed} untimed), want 4`);
    const kernels = Object.fromEntries(profile.byKernel.map((entry) => [entry.kernel, entry.dispatches]));
    // unary's ops are entry points of one module: per kernel means per name and entry point.
    if (JSON.stringify(kernels, Object.keys(kernels).sort()) !== '{"fill":1,"unary.exp":2,"unary.neg":1}') {
      throw new Error(`per kernel: ${JSON.stringify(profile.byKernel)}`);
    }
    if (profile.byVariant.length !== 3) throw new Error(`variants ${profile.byVariant.map((entry) => entry.kernel).join(', ')}: want 3`);
    const sum = profile.byKernel.reduce((total, entry) => total + entry.gpuMs, 0);
    if (!(profile.gpuMs > 0) || Math.abs(sum - profile.gpuMs) > 1e-9 * profile.gpuMs || !(profile.wallMs > 0)) {
      throw new Error(`total ${profile.gpuMs} ms (per kernel sum ${sum}), wall ${profile.wallMs} ms`);
    }
    if (profile.byKernel[0]!.gpuMs < profile.byKernel[1]!.gpuMs) throw new Error('byKernel is not sorted by time, most first');
    // Unprofiled again: dispatches share one pass and one submit.
    const later = gpu.counters.submits;
    for (let step = 0; step < 10; step++) gpu.release(unary(gpu, 'neg', x));
    if (gpu.counters.submits !== later) throw new Error('recording after profile() submitted');
    for (const tensor of [x, y, z]) gpu.release(tensor);
  },
  'profile() spans submits and query sets (1,100 dispatches over the 1,024-dispatch submit boundary)': {
    timeoutMs: 180_000,
    run: async ({ gpu, random }) => {
      if (!gpu.hasTimestamps) return;
      const x = gpu.upload(randomArray(random, 67));
      const y = gpu.empty([67]);
      const submits = gpu.counters.submits;
      const profile = await gpu.profile(() => {
        for (let step = 0; step < 1100; step++) unary(gpu, step % 2 ? 'neg' : 'abs', x, y, 'scalar');
      });
      if (gpu.counters.submits - submits < 2) throw new Error('test premise: 1,100 dispatches should take two submits');
      const kernels = profile.byKernel.map((entry) => `${entry.kernel} ${entry.dispatches}`).sort();
      if (profile.dispatches !== 1100 || kernels.join() !== 'unary.abs 550,unary.neg 550') {
        throw new Error(`profiled ${profile.dispatches} dispatches: ${kernels.join(', ')}; want 1100, half abs, half neg`);
      }
      if (profile.untimed > 0) throw new Error(`${profile.untimed} dispatches came back without usable timestamps`);
      gpu.release(x);
      gpu.release(y);
    },
  },
  'an error inside profile() reaches the caller and leaves the Gpu usable': async ({ gpu }) => {
    if (!gpu.hasTimestamps) return;
    const x = gpu.upload([1, 2, 3]);
    const wrong = gpu.empty([4]);
    await expectError(
      () =>
        gpu.profile(() => {
          gpu.release(unary(gpu, 'neg', x));
          unary(gpu, 'neg', x, wrong);
        }),
      ['unary', 'differs from input'],
    );
    const y = unary(gpu, 'neg', x);
    assertClose(await gpu.read(y), [-1, -2, -3], 'exact', 'after a failed profile()');
    for (const tensor of [x, y, wrong]) gpu.release(tensor);
  },
});
