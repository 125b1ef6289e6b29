/*
 * Scratch timing harness: round-robin over variants, best of several rounds. The host is shared, so besides GPU time
 * it reports CPU time (process user + system, which includes lavapipe's worker threads): GFLOP per CPU-second is
 * steady under load, and flops / (CPU time / cores) estimates the unloaded figure. Not a test.
 */
import type { Gpu } from '../../packages/kernels/src/runtime/gpu.js';

export interface Timed { name: string; flops: number; record: () => void; check?: () => Promise<string> }

export async function roundRobin(gpu: Gpu, items: Timed[], rounds = 5, cores = 2): Promise<void> {
  const best = new Map<string, { ms: number; cpu: number }>();
  for (const item of items) {
    const t0 = performance.now();
    item.record();
    await gpu.sync();
    const note = item.check ? await item.check() : '';
    console.log(`${item.name.padEnd(40)} cold ${(performance.now() - t0).toFixed(0)} ms ${note}`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const item of items) {
      const before = process.cpuUsage();
      const t = await gpu.time(item.record);
      const used = process.cpuUsage(before);
      const cpu = (used.user + used.system) / 1000;
      const ms = t.gpuMs ?? t.wallMs;
      const previous = best.get(item.name);
      best.set(item.name, { ms: Math.min(previous?.ms ?? Infinity, ms), cpu: Math.min(previous?.cpu ?? Infinity, cpu) });
    }
  }
  for (const item of items) {
    const { ms, cpu } = best.get(item.name)!;
    console.log(
      `${item.name.padEnd(40)} gpu ${ms.toFixed(1)} ms ${(item.flops / ms / 1e6).toFixed(2)} GFLOP/s | cpu ${cpu.toFixed(0)} ms ` +
        `${(item.flops / cpu / 1e6).toFixed(2)} GFLOP/cpu-s, ~${((item.flops * cores) / cpu / 1e6).toFixed(1)} GFLOP/s on ${cores} idle cores`,
    );
  }
}
