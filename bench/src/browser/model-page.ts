/**
 * The model bench page, bundled by esbuild with the model, the autograd and the kernels:
 * `window.__ulsegModelBench.run(options)` creates our Gpu on the browser's adapter, runs the model suite
 * (model/suite.ts, the same code as in Node) and reports progress lines and the rows through the binding.
 */
import { createGpu, type Gpu } from '@ulseg/kernels';
import { adapterDetails } from '../adapter-details.js';
import { runModelSuiteWithGpuRows } from '../model/gpu-rows.js';
import type { ModelPageEvent, ModelPageRunOptions } from './model-protocol.js';
import { BINDING } from './protocol.js';

declare global {
  interface Window {
    __ulsegModelBench?: { run(options: ModelPageRunOptions): Promise<void> };
  }
}

async function emit(event: ModelPageEvent): Promise<void> {
  const send = (window as unknown as Record<string, ((event: ModelPageEvent) => Promise<void>) | undefined>)[BINDING];
  if (!send) throw new Error(`the harness did not expose ${BINDING}`);
  await send(event);
}

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

async function run(options: ModelPageRunOptions): Promise<void> {
  let gpu: Gpu | undefined;
  try {
    gpu = await createGpu({ adapter: options.kind, featureLevel: options.featureLevel });
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: options.featureLevel } as GPURequestAdapterOptions);
    const details = adapterDetails((adapter?.info ?? gpu.info) as unknown as Record<string, unknown>, gpu.device.limits);
    await emit({ type: 'gpu', info: gpu.info, adapterFeatures: adapter ? [...adapter.features].sort() : [], details });
    const lines: Promise<void>[] = [];
    const suite = await runModelSuiteWithGpuRows({ label: options.label, gpu, runtime: 'chromium', log: (line) => lines.push(emit({ type: 'line', line })) }, options.settings);
    await Promise.all(lines);
    await emit({ type: 'done', model: suite.model, rows: suite.rows, peer: suite.peer, notes: suite.notes });
  } catch (error) {
    await emit({ type: 'fatal', error: describe(error) });
  } finally {
    gpu?.destroy();
  }
}

window.__ulsegModelBench = { run };
void emit({ type: 'ready', userAgent: navigator.userAgent, benchmarks: 0 });
