/**
 * The part of a bench page that is the same for every suite: our Gpu on the browser's adapter (the one the harness
 * launched Chromium for), its details sent as the `gpu` event, the suite's progress lines relayed, then `done` or
 * `fatal`, and the Gpu destroyed. Each page (page.ts, model-page.ts) passes its suite's body.
 */
import { createGpu, type Gpu } from '@ulseg/kernels';
import { adapterDetails } from '../adapter-details.js';
import { BINDING, type PageEvent, type PageRunBase } from './protocol.js';

async function emit<Done>(event: PageEvent<Done>): Promise<void> {
  const send = (window as unknown as Record<string, ((event: PageEvent<Done>) => Promise<void>) | undefined>)[BINDING];
  if (!send) throw new Error(`the harness did not expose ${BINDING}`);
  await send(event);
}

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/** What a suite's page does on the Gpu: its outcome (the `done` event's fields); `log` sends a progress line. */
export type PageBody<Options, Done> = (gpu: Gpu, options: Options, log: (line: string) => void) => Promise<Done>;

/** Installs `window[entry].run(options)` running `body`, and says `ready`; `benchmarks`: how many rows the page knows. */
export function servePage<Options extends PageRunBase, Done>(entry: string, body: PageBody<Options, Done>, benchmarks: number): void {
  async function run(options: Options): Promise<void> {
    let gpu: Gpu | undefined;
    try {
      gpu = await createGpu({ adapter: options.kind, featureLevel: options.featureLevel });
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: options.featureLevel } as GPURequestAdapterOptions);
      const details = adapterDetails((adapter?.info ?? gpu.info) as unknown as Record<string, unknown>, gpu.device.limits);
      await emit({ type: 'gpu', info: gpu.info, adapterFeatures: adapter ? [...adapter.features].sort() : [], details });
      const lines: Promise<void>[] = [];
      const done = await body(gpu, options, (line) => lines.push(emit({ type: 'line', line })));
      await Promise.all(lines);
      await emit({ type: 'done', ...done });
    } catch (error) {
      await emit({ type: 'fatal', error: describe(error) });
    } finally {
      gpu?.destroy();
    }
  }
  Object.assign(window, { [entry]: { run } });
  void emit({ type: 'ready', userAgent: navigator.userAgent, benchmarks });
}
