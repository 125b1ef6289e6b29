/**
 * WebGPU's GPUSupportedLimits read by name. The type has one named getter a limit and no index signature, and an
 * implementation may lack a newer limit (it reads undefined), so a name from a list is read through Reflect.
 */

/** The limit called `name`, or undefined where this implementation has none. */
export function readLimit(limits: GPUSupportedLimits, name: string): number | undefined {
  const value: unknown = Reflect.get(limits, name);
  return typeof value === 'number' ? value : undefined;
}

/** The named limits this implementation has, as a plain record (names it lacks are left out). */
export function limitsRecord(limits: GPUSupportedLimits, names: Iterable<string>): Record<string, number> {
  const record: Record<string, number> = {};
  for (const name of names) {
    const value = readLimit(limits, name);
    if (value !== undefined) record[name] = value;
  }
  return record;
}
