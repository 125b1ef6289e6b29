/** What identifies a compiled compute pipeline: WGSL text, entry point and override constants. */
export interface KernelSource {
  /** Kernel name, used in labels and error messages (e.g. `unary`, `reduce`). */
  readonly name: string;
  readonly code: string;
  readonly entryPoint?: string;
  /** WGSL `override` constants: the way kernels are specialised. */
  readonly constants?: Readonly<Record<string, number | boolean>>;
}

/** A small id per distinct WGSL text (V8 caches a string's hash, so a repeated lookup of the same text is cheap). */
const codeIds = new Map<string, number>();

function codeId(code: string): number {
  let id = codeIds.get(code);
  if (id === undefined) {
    id = codeIds.size;
    codeIds.set(code, id);
  }
  return id;
}

/** Keys of kernel objects and of constants objects already seen: launchers reuse both, so a repeated dispatch builds no string. */
const keys = new WeakMap<KernelSource, string>();
const constantsKeys = new WeakMap<object, string>();

function constantsKey(constants: Readonly<Record<string, number | boolean>>): string {
  let key = constantsKeys.get(constants);
  if (key === undefined) {
    key = Object.entries(constants)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => `${name}=${Number(value)}`)
      .join(',');
    constantsKeys.set(constants, key);
  }
  return key;
}

/**
 * The pipeline cache's key: name, entry point, constants and the code itself (two kernels may share a name). A
 * KernelSource and its constants are treated as immutable once dispatched.
 */
export function kernelKey(kernel: KernelSource): string {
  let key = keys.get(kernel);
  if (key === undefined) {
    const constants = kernel.constants ? constantsKey(kernel.constants) : '';
    key = `${kernel.name}|${kernel.entryPoint ?? 'main'}|${constants}|${codeId(kernel.code)}`;
    keys.set(kernel, key);
  }
  return key;
}

export function kernelLabel(kernel: KernelSource): string {
  const constants = kernel.constants ? Object.entries(kernel.constants).map(([k, v]) => `${k}=${Number(v)}`) : [];
  return constants.length ? `${kernel.name}(${constants.join(', ')})` : kernel.name;
}
