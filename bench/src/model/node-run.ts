/** The model benchmark in Node: our Gpu on the requested Dawn adapter, the suite, and the run record. */
import { loadavg } from 'node:os';
import type { NodeAdapterChoice } from '../adapters.js';
import { openNodeGpu } from '../node/node-gpu.js';
import { hostInfo, nodeRuntime } from '../report/metadata.js';
import { SCHEMA } from '../schema.js';
import type { ModelBenchSettings, ModelRunRecord } from './schema.js';
import { runModelSuiteWithGpuRows } from './gpu-rows.js';
// Provides onnxruntime-web to the `--peer ort` model peer in Node (ORT's browser bundle on a Dawn adapter).
import '../node/ort-node.js';

export interface ModelRunOptions {
  readonly settings: ModelBenchSettings;
  readonly stamp: string;
  readonly command: string;
  readonly git: ModelRunRecord['git'];
  readonly log: (line: string) => void;
}

export const loadNote = (): string => `load average at the end of this adapter's run: ${loadavg().map((value) => value.toFixed(2)).join(' / ')}`;

export async function runModelInNode(
  options: ModelRunOptions & { readonly adapter: NodeAdapterChoice; readonly variant?: 'tiled' | 'lanes' | 'subgroup' | null },
): Promise<ModelRunRecord> {
  const started = new Date();
  const host = hostInfo();
  const { gpu, label, details, peak } = await openNodeGpu(options.adapter, options.variant, options.log);
  try {
    options.log(`[${label}] load average ${host.loadAverage.join(' / ')}`);
    const suite = await runModelSuiteWithGpuRows({ label, gpu, runtime: 'node', log: options.log }, options.settings);
    const notes = [...suite.notes];
    if (gpu.hasTimestamps && options.settings.profile) {
      notes.push('Dawn in Node quantizes timestamps to 65.5 µs: per-dispatch times are coarse, their per-kernel sums unbiased');
    }
    return {
      schema: SCHEMA,
      suite: 'model',
      date: started.toISOString(),
      stamp: options.stamp,
      label,
      command: options.command,
      git: options.git,
      host,
      runtime: nodeRuntime(),
      adapter: gpu.info,
      adapterDetails: details,
      fp32Peak: peak,
      settings: options.settings,
      model: suite.model,
      peer: suite.peer,
      rows: suite.rows,
      wallSeconds: (Date.now() - started.getTime()) / 1000,
      notes: [...notes, loadNote()],
    };
  } finally {
    await gpu.close();
  }
}
