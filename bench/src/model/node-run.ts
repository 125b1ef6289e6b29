/** The model benchmark in Node: our Gpu on the requested Dawn adapter, the suite, and the run record. */
import { loadavg } from 'node:os';
import { createGpu, describeProfile } from '@ulseg/kernels';
import { hostInfo, nodeRuntime } from '../report/metadata.js';
import { SCHEMA } from '../schema.js';
import type { ModelBenchSettings, ModelRunRecord } from './schema.js';
import { runModelSuite } from './suite.js';
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
  options: ModelRunOptions & { readonly adapter: 'lavapipe' | 'swiftshader'; readonly variant?: 'tiled' | 'lanes' | 'subgroup' | null },
): Promise<ModelRunRecord> {
  const started = new Date();
  const host = hostInfo();
  const gpu = await createGpu({ adapter: options.adapter, ...(options.variant ? { profile: { gemm: options.variant } } : {}) });
  const label = `node/${options.adapter}`;
  try {
    options.log(`[${label}] ${gpu.info.description || gpu.info.device} (features: ${gpu.info.features.join(', ') || 'none'}); load average ${host.loadAverage.join(' / ')}`);
    options.log(`[${label}] ${describeProfile(gpu.deviceProfile)}`);
    const suite = await runModelSuite({ label, gpu, runtime: 'node', log: options.log }, options.settings);
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
