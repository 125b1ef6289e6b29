/** Registers kernel cases as vitest tests, once per adapter of testAdapterKinds(). Node only. */
import { afterAll, describe, it } from 'vitest';
import { destroyTestGpus, gpuFor, testAdapterKinds } from './adapters.js';
import { runCase, type KernelCase } from './cases.js';

export function registerCases(cases: readonly KernelCase[]): void {
  for (const kind of testAdapterKinds()) {
    describe(`node/${kind}`, () => {
      for (const kernelCase of cases) {
        it(`${kernelCase.suite}: ${kernelCase.name}`, { timeout: kernelCase.timeoutMs }, async () => {
          await runCase(kernelCase, await gpuFor(kind), `node/${kind}`);
        });
      }
    });
  }
  afterAll(destroyTestGpus);
}
