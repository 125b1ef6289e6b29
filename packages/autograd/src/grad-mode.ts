/** Whether ops record onto the tape (PyTorch's grad mode), and the stack of memory scopes. */
import type { Tensor } from './tensor.js';

let gradEnabled = true;
const scopes: Set<Tensor>[] = [];

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording: results have no history and need no saved activations (inference). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Called by every new Tensor: the innermost scope owns it. */
export function track(tensor: Tensor): void {
  scopes[scopes.length - 1]?.add(tensor);
}

/** Removes a tensor from the scopes (it outlives them: parameters, optimiser state, returned values). */
export function untrack(tensor: Tensor): void {
  for (const scope of scopes) scope.delete(tensor);
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those in its result (a tensor, or arrays and
 * plain objects of tensors, searched recursively) and those passed to `keep`. Returned tensors move to the
 * enclosing scope. Works with async functions too (the scope closes when the promise settles).
 */
export function scope<T>(fn: () => T): T {
  const created = new Set<Tensor>();
  scopes.push(created);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    close(created, undefined);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => (close(created, value), value),
      (error: unknown) => {
        close(created, undefined);
        throw error;
      },
    ) as T;
  }
  close(created, result);
  return result;
}

function close(created: Set<Tensor>, result: unknown): void {
  const index = scopes.lastIndexOf(created);
  if (index >= 0) scopes.splice(index, 1);
  const kept = new Set<Tensor>();
  collect(result, kept, new Set());
  for (const tensor of created) {
    if (kept.has(tensor)) scopes[scopes.length - 1]?.add(tensor);
    else tensor.dispose();
  }
}

function collect(value: unknown, into: Set<Tensor>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    into.add(value);
    return;
  }
  const values = value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : Object.values(value);
  for (const item of values) collect(item, into, seen);
}

function isTensor(value: object): value is Tensor {
  return (value as { isUlsegTensor?: boolean }).isUlsegTensor === true;
}
