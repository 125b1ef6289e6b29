/**
 * The model page, bundled by esbuild with the model, the autograd and the kernels: `run(options)` (page-runner.ts)
 * runs the model suite (model/suite.ts, the same code as in Node) with its GPU-sized rows and returns the rows.
 */
import { runModelSuiteWithGpuRows } from '../model/gpu-rows.js';
import { servePage } from './page-runner.js';
import { PAGE_ENTRY, type ModelPageDone, type ModelPageRunOptions } from './protocol.js';

servePage<ModelPageRunOptions, ModelPageDone>(
  PAGE_ENTRY.model,
  async (gpu, options, log) => {
    const suite = await runModelSuiteWithGpuRows({ label: options.label, gpu, runtime: 'chromium', log }, options.settings);
    return { model: suite.model, rows: suite.rows, peer: suite.peer, notes: suite.notes };
  },
  0,
);
