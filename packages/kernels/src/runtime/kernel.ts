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

/** The pipeline cache's key: name, entry point, constants and the code itself (two kernels may share a name). */
export function kernelKey(kernel: KernelSource): string {
  const constants = kernel.constants
    ? Object.entries(kernel.constants)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => `${key}=${Number(value)}`)
        .join(',')
    : '';
  return `${kernel.name}|${kernel.entryPoint ?? 'main'}|${constants}|${codeId(kernel.code)}`;
}

export function kernelLabel(kernel: KernelSource): string {
  const constants = kernel.constants ? Object.entries(kernel.constants).map(([k, v]) => `${k}=${Number(v)}`) : [];
  return constants.length ? `${kernel.name}(${constants.join(', ')})` : kernel.name;
}
