/**
 * What the Node harness and the page say to each other, and how kernel cases are found in a module's exports.
 * Imported on both sides: no Node or DOM APIs here.
 */
import type { AdapterKind, GpuInfo } from '../../packages/kernels/src/index.js';
import type { KernelCase } from '../../packages/kernels/src/testing/index.js';

/** Options of `window.__ulseg.runAll` in the page. */
export interface PageRunOptions {
  /** Label passed to every case as `context.adapter`, e.g. `chromium/swiftshader`. */
  adapter: string;
  /** Kind createGpu must classify the adapter as (it throws otherwise). */
  kind: AdapterKind;
  featureLevel: 'core' | 'compatibility';
  /** Case keys (see caseKey) to run; all when absent. */
  only?: string[];
}

export interface PageCaseResult {
  key: string;
  file: string;
  suite: string;
  name: string;
  ok: boolean;
  /** The error's stack (or message) when the case failed. */
  error?: string;
  ms: number;
}

/** Events the page sends to Node through the exposed `__ulsegEmit` binding, in order. */
export type PageEvent =
  | { type: 'ready'; cases: number; userAgent: string }
  /** A Gpu was created (once per cases file): what it runs on. */
  | { type: 'gpu'; file: string; info: GpuInfo; description: string; adapterFeatures: string[] }
  | { type: 'case-start'; key: string }
  | { type: 'case-end'; result: PageCaseResult }
  /** runAll could not go on (no adapter, wrong adapter, ...): nothing after this. */
  | { type: 'fatal'; error: string }
  | { type: 'done'; ms: number };

export interface LoadedCase {
  readonly key: string;
  /** Path of the cases file relative to the repository root. */
  readonly file: string;
  readonly kernelCase: KernelCase;
}

export function caseKey(kernelCase: Pick<KernelCase, 'suite' | 'name'>): string {
  return `${kernelCase.suite}: ${kernelCase.name}`;
}

function isKernelCase(value: unknown): value is KernelCase {
  const candidate = value as Partial<KernelCase> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.suite === 'string' &&
    typeof candidate.name === 'string' &&
    typeof candidate.timeoutMs === 'number' &&
    typeof candidate.run === 'function'
  );
}

/**
 * The kernel cases of `*.cases.ts` modules: every export that is a non-empty array of KernelCase (what
 * `defineCases` returns). Throws on a module that exports none and on two cases with one key.
 */
export function collectCases(modules: ReadonlyArray<readonly [file: string, exports: Record<string, unknown>]>): LoadedCase[] {
  const cases: LoadedCase[] = [];
  const seen = new Map<string, string>();
  const objects = new Set<KernelCase>();
  for (const [file, exports] of modules) {
    let found = 0;
    for (const value of Object.values(exports)) {
      if (!Array.isArray(value) || value.length === 0 || !value.every(isKernelCase)) continue;
      for (const kernelCase of value) {
        if (objects.has(kernelCase)) continue; // the same array exported under two names
        objects.add(kernelCase);
        const key = caseKey(kernelCase);
        const other = seen.get(key);
        if (other !== undefined) throw new Error(`kernel case '${key}' is defined twice (${other} and ${file})`);
        seen.set(key, file);
        cases.push({ key, file, kernelCase });
        found++;
      }
    }
    if (found === 0) throw new Error(`${file} exports no kernel cases (an array made by defineCases)`);
  }
  return cases;
}
