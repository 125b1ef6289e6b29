import { describe, expect, it } from 'vitest';
import { gentleWait, POLL_MS } from './gentle-wait.js';

describe('gentleWait', () => {
  it('defers native setImmediate callbacks through a timer while open, passes JavaScript ones through, and restores setImmediate', async () => {
    const original = globalThis.setImmediate;
    const order: string[] = [];
    let during: typeof setImmediate | undefined;
    const value = await gentleWait(async () => {
      during = globalThis.setImmediate;
      // A bound function reads as native code, like the callbacks Dawn's binding queues.
      const native = ((tag: string) => order.push(tag)).bind(null, 'native');
      await new Promise<void>((resolve) => {
        globalThis.setImmediate(native);
        globalThis.setImmediate(() => order.push('js'));
        setTimeout(() => resolve(), POLL_MS + 20);
      });
      return 42;
    });
    expect(value).toBe(42);
    expect(during).not.toBe(original);
    expect(globalThis.setImmediate).toBe(original);
    // The JavaScript callback ran on the next turn; the native one only after the timer.
    expect(order).toEqual(['js', 'native']);
  });

  it('nested waits keep the deferral until the outer one ends, and a rejection still restores setImmediate', async () => {
    const original = globalThis.setImmediate;
    await expect(
      gentleWait(async () => {
        await gentleWait(async () => undefined);
        expect(globalThis.setImmediate).not.toBe(original);
        throw new Error('device lost');
      }),
    ).rejects.toThrow('device lost');
    expect(globalThis.setImmediate).toBe(original);
  });
});
