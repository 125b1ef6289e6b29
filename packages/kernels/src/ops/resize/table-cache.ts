/**
 * Resampling tables on the device, cached per Gpu by a key such as `bilinear:307>256`: a training loop resizes to
 * the same few sizes again and again, so each table is uploaded once. Least recently used entries beyond
 * MAX_TABLES are released (queue order keeps commands already recorded with them valid; uploads are ordered
 * after recorded work by the runtime).
 */
import type { Gpu } from '../../runtime/gpu.js';
import type { GpuTensor } from '../../runtime/tensor.js';

const MAX_TABLES = 256;
const caches = new WeakMap<Gpu, Map<string, DeviceTable>>();

/** A table on the device and where its second (column) section starts. */
export interface DeviceTable {
  readonly tensor: GpuTensor;
  readonly split: number;
}

/** Two per-axis tables, rows then columns, as one device table. */
export function cachedTable(gpu: Gpu, key: string, build: () => readonly [Float32Array, Float32Array]): DeviceTable {
  let cache = caches.get(gpu);
  if (!cache) caches.set(gpu, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  if (cache.size >= MAX_TABLES) {
    const [oldest, table] = cache.entries().next().value as [string, DeviceTable];
    cache.delete(oldest);
    gpu.release(table.tensor);
  }
  const [rows, columns] = build();
  const data = new Float32Array(rows.length + columns.length);
  data.set(rows);
  data.set(columns, rows.length);
  const table = { tensor: gpu.upload(data, [data.length], `table ${key}`), split: rows.length };
  cache.set(key, table);
  return table;
}
