/**
 * Waiting without a spinning core. Dawn's Node binding settles its promises (mapAsync, onSubmittedWorkDone,
 * popErrorScope) from a native callback that it queues with the global `setImmediate` and that queues itself again
 * while any promise is pending: a busy loop that keeps one host core at 100% for as long as the device works. On a
 * CPU adapter (lavapipe, SwiftShader) the device's work runs on the same cores, so the loop takes a core from it.
 * While a gentle wait is open, native callbacks given to `setImmediate` go through a `POLL_MS` timer instead, which
 * bounds the polling to about a thousand cheap calls a second; JavaScript callbacks keep the real `setImmediate`.
 * Where there is no `setImmediate` (browsers) this is a plain await.
 */

/** Delay of a deferred native callback: the most a wait's end is noticed late. */
export const POLL_MS = 1;

type Immediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

const host = globalThis as { setImmediate?: Immediate };
let open = 0;
let real: Immediate | undefined;

function isNative(callback: unknown): boolean {
  return typeof callback === 'function' && Function.prototype.toString.call(callback).endsWith('{ [native code] }');
}

function gentle(callback: (...args: unknown[]) => void, ...args: unknown[]): unknown {
  return isNative(callback) ? setTimeout(callback, POLL_MS, ...args) : real!(callback, ...args);
}

/** Starts `start()` (the call that creates the promise) and awaits its promise with native polling deferred. */
export async function gentleWait<T>(start: () => Promise<T>): Promise<T> {
  if (typeof host.setImmediate !== 'function') return start();
  if (open++ === 0) {
    real = host.setImmediate;
    host.setImmediate = gentle;
  }
  try {
    return await start();
  } finally {
    if (--open === 0) {
      host.setImmediate = real;
      real = undefined;
    }
  }
}
