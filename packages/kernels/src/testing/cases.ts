/**
 * Test bodies that run unchanged on every adapter, in Node (vitest) and in headless Chromium (the browser harness):
 * a case is a named async function of a Gpu and a seeded generator that throws on failure.
 */
import type { Gpu } from '../runtime/gpu.js';
import { Random } from './random.js';

export interface CaseContext {
  readonly gpu: Gpu;
  /** A generator seeded from the suite and case names: the same numbers on every adapter and every run. */
  readonly random: Random;
  /** Adapter label, e.g. `node/lavapipe`, `chromium/swiftshader`. */
  readonly adapter: string;
}

export interface KernelCase {
  readonly suite: string;
  readonly name: string;
  /** Milliseconds the case may take on the slowest adapter (SwiftShader compiles pipelines slowly). */
  readonly timeoutMs: number;
  run(context: CaseContext): Promise<void>;
}

export type CaseBody = (context: CaseContext) => Promise<void>;

export function defineCases(
  suite: string,
  bodies: Record<string, CaseBody | { timeoutMs: number; run: CaseBody }>,
): KernelCase[] {
  return Object.entries(bodies).map(([name, body]) => ({
    suite,
    name,
    timeoutMs: typeof body === 'function' ? 60_000 : body.timeoutMs,
    run: typeof body === 'function' ? body : body.run,
  }));
}

export function caseRandom(kernelCase: Pick<KernelCase, 'suite' | 'name'>): Random {
  return Random.fromName(`${kernelCase.suite}/${kernelCase.name}`);
}

/** Runs one case with a fresh seeded generator; checks the Gpu's queue is clean afterwards. */
export async function runCase(kernelCase: KernelCase, gpu: Gpu, adapter: string): Promise<void> {
  await kernelCase.run({ gpu, random: caseRandom(kernelCase), adapter });
  await gpu.sync();
}

/** Expects `body` to throw an error whose message contains every one of `fragments`. */
export async function expectError(body: () => unknown, fragments: readonly (string | RegExp)[]): Promise<Error> {
  let caught: unknown;
  try {
    await body();
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof Error)) throw new Error(`expected an error mentioning ${fragments.join(', ')}, but none was thrown`);
  for (const fragment of fragments) {
    const found = typeof fragment === 'string' ? caught.message.includes(fragment) : fragment.test(caught.message);
    if (!found) throw new Error(`expected the error to mention ${String(fragment)}; it said: ${caught.message}`);
  }
  return caught;
}
