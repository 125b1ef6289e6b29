/**
 * Finds the launchers benchmarks ask for, so that entries can be written before their kernels land: a name is
 * looked up in the `@ulseg/kernels` index first, then in the modules of `packages/kernels/src/ops/<folder>/`
 * that exist at bundle time (`ulseg-bench:kernel-modules`, see kernel-modules-plugin.mjs). A missing one turns the
 * row into "not available yet: <folder>.<name> (...)" instead of an error.
 */
import type { Requirement } from './definition.js';

/** Op modules found at bundle time: folder → its launcher modules' paths and a loader of their exports. */
export type OpModules = Readonly<
  Record<string, { readonly files: readonly string[]; load(): Promise<ReadonlyArray<Record<string, unknown>>> }>
>;

export type Launcher = (...args: never[]) => unknown;

export interface Resolution {
  readonly launchers: ReadonlyMap<string, Launcher>;
  /** Why the requirements are not all met; undefined when they are. */
  readonly missing?: string;
}

export class KernelResolver {
  private readonly loaded = new Map<string, Promise<Record<string, unknown>>>();

  constructor(
    private readonly index: Readonly<Record<string, unknown>>,
    private readonly opModules: OpModules,
  ) {}

  async resolve(requirements: readonly Requirement[]): Promise<Resolution> {
    const launchers = new Map<string, Launcher>();
    const problems: string[] = [];
    for (const { folder, name } of requirements) {
      const fromIndex = this.index[name];
      if (typeof fromIndex === 'function') {
        launchers.set(name, fromIndex as Launcher);
        continue;
      }
      const entry = this.opModules[folder];
      if (!entry) {
        problems.push(`${folder} (no launcher module in packages/kernels/src/ops/${folder}/)`);
        continue;
      }
      let exports: Record<string, unknown>;
      try {
        exports = await this.exportsOf(folder);
      } catch (error) {
        problems.push(`${folder} (ops/${folder} failed to load: ${(error as Error).message})`);
        continue;
      }
      const found = exports[name];
      if (typeof found === 'function') launchers.set(name, found as Launcher);
      else {
        const functions = Object.keys(exports).filter((key) => typeof exports[key] === 'function');
        problems.push(`${folder}.${name} (${entry.files.join(', ')} export: ${functions.join(', ') || 'no functions'})`);
      }
    }
    return problems.length ? { launchers, missing: problems.join('; ') } : { launchers };
  }

  /** Folders with launcher modules, for --list. */
  folders(): string[] {
    return Object.keys(this.opModules).sort();
  }

  private exportsOf(folder: string): Promise<Record<string, unknown>> {
    let exports = this.loaded.get(folder);
    if (!exports) {
      const entry = this.opModules[folder];
      if (!entry) return Promise.resolve({});
      exports = entry.load().then((modules) => Object.assign({}, ...modules) as Record<string, unknown>);
      this.loaded.set(folder, exports);
    }
    return exports;
  }
}
