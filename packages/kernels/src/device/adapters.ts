/** Adapter kinds a user can ask for, and how an adapter's reported info maps onto them. */

export const ADAPTER_KINDS = ['auto', 'lavapipe', 'swiftshader', 'hardware'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];
export type ResolvedAdapterKind = Exclude<AdapterKind, 'auto'>;

export function parseAdapterKind(value: string | undefined, source: string): AdapterKind {
  if (value === undefined || value === '') return 'auto';
  const kind = value.toLowerCase();
  if ((ADAPTER_KINDS as readonly string[]).includes(kind)) return kind as AdapterKind;
  throw new Error(`${source}: unknown adapter '${value}'. Choose one of: ${ADAPTER_KINDS.join(', ')}.`);
}

/**
 * Whether the adapter runs on the CPU (lavapipe, SwiftShader): invocations are SIMD lanes of CPU threads and a
 * workgroup barrier switches between coroutines, so reductions prefer one invocation per output over lane trees.
 */
export function isCpuAdapter(kind: ResolvedAdapterKind): boolean {
  return kind === 'lavapipe' || kind === 'swiftshader';
}

/** Classifies an adapter by the strings it reports (vendor, architecture, device, description). */
export function classifyAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string }): ResolvedAdapterKind {
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase();
  if (text.includes('swiftshader')) return 'swiftshader';
  if (text.includes('llvmpipe') || text.includes('lavapipe')) return 'lavapipe';
  return 'hardware';
}
