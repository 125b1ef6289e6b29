import { FLAT_INDEX_WGSL } from '../runtime/grid.js';
import { bindingsWgsl, type BindingEntry } from './bindings.wgsl.js';

/** What differs between flat element-wise kernels (runtime/flat.ts dispatches them). */
export interface FlatKernelParts {
  /**
   * The storage bindings in dispatch order (bindingsWgsl): each one the vec4 entry points index by lane carries its
   * view4, the same buffer as array<vec4<type>>.
   */
  readonly bindings: readonly BindingEntry[];
  /** WGSL functions the bodies call, placed after flat_index. */
  readonly functions?: string;
  /**
   * Statements of the vec4 entry point `main4`, or of several by name (`{ main4_vv: …, main4_vs: … }`): lane v takes
   * elements 4v .. 4v+3 through the views, and runs only for v < count / 4.
   */
  readonly vector: string | Readonly<Record<string, string>>;
  /** Statements of the scalar entry point `main`: lane takes element i in [start, count). */
  readonly scalar: string;
}

const entry = (name: string, index: string, guard: string, body: string): string => `
@compute @workgroup_size(WORKGROUP_SIZE)
fn ${name}(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  ${index}
  if (${guard}) { return; }
  ${body.trim()}
}
`;

/**
 * A flat element-wise kernel below its overrides (WORKGROUP_SIZE among them) and its `struct Params` (with `count` and
 * `start`): the binding block (uniform `params` at 0, storage from 1 with their vec4 views), flat_index, `functions`,
 * then the vec4 entry points and the scalar `main`:
 *   main4: v = flat_index(…), return when v ≥ count / 4, then `vector`
 *   main:  i = start + flat_index(…), return when i ≥ count, then `scalar`
 * runtime/flat's dispatchFlat runs main4 over [0, 4·⌊count/4⌋) and main over the tail from `start`, or main alone.
 */
export function flatKernelWgsl({ bindings, functions = '', vector, scalar }: FlatKernelParts): string {
  const vectors = typeof vector === 'string' ? { main4: vector } : vector;
  const entries = Object.entries(vectors).map(([name, body]) => entry(name, 'let v = flat_index(gid, groups, WORKGROUP_SIZE);', 'v >= params.count / 4u', body));
  entries.push(entry('main', 'let i = params.start + flat_index(gid, groups, WORKGROUP_SIZE);', 'i >= params.count', scalar));
  return `${bindingsWgsl(bindings)}${FLAT_INDEX_WGSL}${functions}${entries.join('')}`;
}
