/**
 * The driver every suite runs through (src/suite.ts), with a stand-in suite and probe, no GPU: the order of the
 * runs (the hardware probe's line before any), where hardware is dropped and auto becomes SwiftShader, a failing
 * run or page bundle that leaves the other runs going, the records written once, and the exit code.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserAdapter } from '@ulseg/kernels/chromium';
import type { HardwareProbe } from '../src/adapters.js';
import { runSuite, type Suite, type SuiteContext, type SuiteRunOptions } from '../src/suite.js';

interface FakeRecord {
  readonly label: string;
}

const none: HardwareProbe = async () => ({ found: false, reason: 'requestAdapter returned null' });

function harness(overrides: Partial<Suite<FakeRecord>> = {}) {
  const events: string[] = [];
  const written: FakeRecord[][] = [];
  const errors: string[] = [];
  const suite: Suite<FakeRecord> = {
    page: 'fake page',
    bundlePage: async () => events.push('bundle'),
    runInNode: async () => (events.push('node'), { label: 'node/lavapipe' }),
    runInBrowser: async (adapter: BrowserAdapter) => (events.push(adapter.name), { label: adapter.name }),
    write: (records) => {
      written.push([...records]);
      return { json: ['/repo/bench/results/x.json'], markdown: '/repo/bench/RESULTS.md', chart: '/repo/bench/results/x.svg', report: '/repo/bench/report.html' };
    },
    problems: () => [],
    ...overrides,
  };
  const context: SuiteContext = { stamp: '2000-01-01T00-00', command: 'vitest', git: { commit: null, dirty: null }, root: '/repo', log: (line) => events.push(line) };
  const run = (options: Partial<SuiteRunOptions> = {}) =>
    runSuite(
      suite,
      { node: true, browser: true, adapter: 'auto', browserAdapters: ['auto', 'compat'], write: true, ...options },
      context,
      { benchDir: '/repo/bench', probe: none, error: (line) => errors.push(line) },
    );
  return { events, written, errors, run };
}

describe('runSuite, the driver of every suite', () => {
  it('bundles the page, says that no hardware adapter is exposed before any run, then Node and each Chromium adapter, and writes once', async () => {
    const { events, written, errors, run } = harness();
    expect(await run()).toBe(0);
    expect(events[0]).toBe('bundle');
    expect(events[1]).toMatch(/^Chromium exposes no hardware adapter \(requestAdapter returned null; flags tried: .*\): going on with chromium\/swiftshader, chromium\/compat$/);
    expect(events.slice(2, 5)).toEqual(['node', 'chromium/swiftshader', 'chromium/compat']);
    expect(written).toEqual([[{ label: 'node/lavapipe' }, { label: 'chromium/swiftshader' }, { label: 'chromium/compat' }]]);
    expect(events.slice(5)).toEqual(['wrote bench/results/x.json', 'appended bench/RESULTS.md; chart bench/results/x.svg; report bench/report.html']);
    expect(errors).toEqual([]);
  });

  it('goes on with the other runs when one throws, writes what finished and exits 1 naming the run', async () => {
    const { events, written, errors, run } = harness({ runInNode: () => Promise.reject(new Error('no Dawn adapter')) });
    expect(await run()).toBe(1);
    expect(events).toContain('chromium/compat');
    expect(written).toEqual([[{ label: 'chromium/swiftshader' }, { label: 'chromium/compat' }]]);
    expect(errors[0]).toBe('node/auto failed: no Dawn adapter');
    expect(errors.at(-1)).toMatch(/1 problem\(s\):\n {2}node\/auto: no Dawn adapter$/);
  });

  it('runs Node alone when the page does not bundle, and counts that as a problem', async () => {
    const { events, written, errors, run } = harness({ bundlePage: () => Promise.reject(new Error('syntax error')) });
    expect(await run()).toBe(1);
    expect(events.filter((event) => !event.startsWith('wrote') && !event.startsWith('appended'))).toEqual(['node']);
    expect(written).toEqual([[{ label: 'node/lavapipe' }]]);
    expect(errors.at(-1)).toContain('bundling the fake page: syntax error');
  });

  it('fails on what went wrong inside finished runs, and writes nothing with --no-write', async () => {
    const { written, errors, run } = harness({ problems: (records) => [`rows that failed: ${records.map((record) => record.label).join(', ')}`] });
    expect(await run({ write: false, browser: false })).toBe(1);
    expect(written).toEqual([]);
    expect(errors.at(-1)).toContain('rows that failed: node/lavapipe');
  });

  it('does not probe for software adapters alone', async () => {
    const { events, run } = harness();
    expect(await run({ node: false, browserAdapters: ['swiftshader'] })).toBe(0);
    expect(events.filter((event) => event.includes('hardware'))).toEqual([]);
    expect(events.slice(0, 2)).toEqual(['bundle', 'chromium/swiftshader']);
  });
});
