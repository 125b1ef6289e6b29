import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files that take minutes of CPU (Chromium pages, CLI child processes training networks, whole-network
 * fixtures on SwiftShader), longest first. They start first, so that no long file begins near the end of the suite
 * and leaves one worker idle while it finishes: without a results cache (CI's fresh clone) vitest orders files by
 * size, which put the browser network cases and the CLI network runs among the last. The rest follow in vitest's
 * own order (by the durations it cached, else by size).
 */
const LONGEST_FIRST: readonly RegExp[] = [
  /^test\/browser\/networks\.browser\.test\.ts$/,
  /^packages\/cli\/test\/chromium-runtime\.test\.ts$/,
  /^packages\/cli\/test\/networks\.test\.ts$/,
  /^packages\/cli\/test\/bad-input\.test\.ts$/,
  /^test\/browser\/kernels\.browser\.test\.ts$/,
  // The ONNX export of Linknet-B0 in onnxruntime-web (WebGPU and wasm) in Chromium on SwiftShader: one page, minutes.
  /^packages\/model\/test\/onnx-browser\.test\.ts$/,
  // Each network's fixture case in Node on lavapipe and SwiftShader (describeNetworkCase), and the seed's Linknet-B0.
  /^packages\/model\/src\/[a-z0-9]+(-scse)?-(resnet34|efficientnet-b0)\.test\.ts$/,
  /^packages\/model\/src\/linknet-b0\.test\.ts$/,
];

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const path = relative(this.ctx.config.root, file.moduleId).replaceAll('\\', '/');
      const index = LONGEST_FIRST.findIndex((pattern) => pattern.test(path));
      return index < 0 ? LONGEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the files not listed keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    pool: 'forks',
    // Two files at once even on 2 cores (vitest's default is cores − 1): most test time is single-threaded shader
    // compilation, CLI child processes and Chromium pages, which leave the other core idle under one worker.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
