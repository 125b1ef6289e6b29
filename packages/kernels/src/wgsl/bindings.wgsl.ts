/** One storage binding of a kernel: `var<storage, read | read_write> <name>: array<type>`. */
export interface StorageBinding {
  readonly name: string;
  /** Element type; f32 when omitted. */
  readonly type?: string;
  /** An output (read_write); read-only when omitted. */
  readonly write?: boolean;
  /** A second view of the same binding as array<vec4<type>> under this name (a kernel's four-wide path). */
  readonly view4?: string;
}

/** A storage binding, or just its name for a read-only array<f32>. */
export type BindingEntry = string | StorageBinding;

/** An output array<f32> named `name` (with a vec4 view `view4`, if given). */
export const output = (name: string, view4?: string): StorageBinding => ({ name, write: true, ...(view4 ? { view4 } : {}) });

/**
 * A kernel's binding block in group 0: @binding(0) is `var<uniform> <uniform>: Params`, then the storage bindings
 * from @binding(1) in the order the launcher passes its tensors, then the vec4 views at their binding's number.
 */
export function bindingsWgsl(storage: readonly BindingEntry[], uniform = 'params'): string {
  const lines = [`@group(0) @binding(0) var<uniform> ${uniform}: Params;`];
  const views: string[] = [];
  storage.forEach((entry, index) => {
    const { name, type = 'f32', write = false, view4 } = typeof entry === 'string' ? { name: entry } : entry;
    const access = write ? 'read_write' : 'read';
    lines.push(`@group(0) @binding(${index + 1}) var<storage, ${access}> ${name}: array<${type}>;`);
    if (view4) views.push(`@group(0) @binding(${index + 1}) var<storage, ${access}> ${view4}: array<vec4<${type}>>;`);
  });
  return `${[...lines, ...views].join('\n')}\n`;
}
