/**
 * The kernel cases (packages/*\/src/**\/*.cases.ts) in headless Chromium, once per browser adapter, declared by a test
 * file with describeBrowserCases: kernels.browser.test.ts (every kernel case on every adapter) and
 * networks.browser.test.ts (the whole-network fixture cases, minutes each on a CPU adapter). Two files so that vitest
 * runs them on its two workers at once. The cases are imported here too, only to declare one it() per case; a
 * beforeAll runs the file's whole browser session once per adapter (see harness.ts) and each it() reports its case's
 * result from the page.
 *
 * Env: ULSEG_BROWSER_ADAPTERS=swiftshader,compat (default both), ULSEG_BROWSER_FILTER=<regexp on 'suite: name'>,
 * ULSEG_BROWSER_PROGRESS=1 (a line per case while it runs), ULSEG_BROWSER_COMPAT_ANGLE=vulkan|gl-egl,
 * ULSEG_CHROMIUM=<path>. A missing Chromium or adapter fails every test with what to install; nothing is skipped.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { browserAdapters } from './adapters.js';
import { findCaseFiles, repoPath, runBrowserSession, type BrowserCaseResult, type BrowserSession } from './harness.js';
import { collectCases } from './protocol.js';

const caseFiles = findCaseFiles();
const allCases = collectCases(
  await Promise.all(
    caseFiles.map(async (file) => [repoPath(file), (await import(/* @vite-ignore */ file)) as Record<string, unknown>] as const),
  ),
);
const filter = process.env.ULSEG_BROWSER_FILTER ? new RegExp(process.env.ULSEG_BROWSER_FILTER) : undefined;
const filtered = filter ? allCases.filter(({ key }) => filter.test(key)) : allCases;

/**
 * Whole-network cases (packages/model/src/network-fixtures.cases.ts: minutes each on a CPU adapter) run on the core
 * SwiftShader adapter only; the compat adapter runs every kernel they are made of through the kernels' own cases.
 */
export const NETWORK_CASE = /^network fixture: /;

/** Which cases a test file runs: every kernel case on every adapter, or the network cases on the core adapter only. */
export type BrowserCaseSet = 'kernels' | 'networks';

function casesFor(set: BrowserCaseSet, adapter: string): typeof filtered {
  if (set === 'kernels') return filtered.filter(({ key }) => !NETWORK_CASE.test(key));
  return adapter === 'chromium/compat' ? [] : filtered.filter(({ key }) => NETWORK_CASE.test(key));
}

/** The page enforces each case's timeoutMs; this only bounds a whole session (Chromium start, all cases, exit). */
const SESSION_TIMEOUT_MS = Number(process.env.ULSEG_BROWSER_SESSION_TIMEOUT_MS) || 900_000;

/** Declares the tests of `set`: per adapter, one browser session for all of its cases. */
export function describeBrowserCases(set: BrowserCaseSet): void {
  const summaries: string[] = [];

  for (const adapter of browserAdapters()) {
    const cases = casesFor(set, adapter.name);
    if (cases.length === 0) continue;
    const only = cases.length !== allCases.length ? cases.map(({ key }) => key) : undefined;
    describe(adapter.name, () => {
      let session: BrowserSession | undefined;
      let failure: Error | undefined;
      const results = new Map<string, BrowserCaseResult>();

      beforeAll(async () => {
        try {
          session = await runBrowserSession(adapter, {
            caseFiles,
            ...(only ? { only } : {}),
            ...(process.env.ULSEG_BROWSER_PROGRESS ? { log: (line: string) => console.log(line) } : {}),
          });
          for (const result of session.results) results.set(result.key, result);
          const failed = session.results.filter((result) => !result.ok).length;
          summaries.push(
            `${adapter.name}: ${session.results.length - failed} passed, ${failed} failed in ${(session.wallMs / 1000).toFixed(1)} s ` +
              `(cases ${(session.pageMs / 1000).toFixed(1)} s)`,
          );
        } catch (error) {
          failure = error as Error;
          summaries.push(`${adapter.name}: no results: ${failure.message.split('\n')[0]}`);
        }
      }, SESSION_TIMEOUT_MS);

      const sessionOrThrow = (): BrowserSession => {
        if (failure) throw failure;
        if (!session) throw new Error(`${adapter.name}: the browser session did not run`);
        return session;
      };

      it('runs on the intended adapter', () => {
        const { adapterInfo, browserVersion, flags } = sessionOrThrow();
        console.log(`${adapter.name} (${browserVersion}, ${flags.join(' ')}):\n  ${adapterInfo.replace(/\n/g, '\n  ')}`);
      });

      it('page raised no uncaught exception outside the cases', () => {
        const { messages } = sessionOrThrow();
        if (messages.length) console.log(`${adapter.name} page messages:\n  ${messages.join('\n  ')}`);
        const uncaught = messages.filter((line) => line.startsWith('uncaught'));
        if (uncaught.length) throw new Error(`${adapter.name}: ${uncaught.join('\n')}`);
      });

      for (const { key } of cases) {
        it(key, () => {
          sessionOrThrow();
          const result = results.get(key);
          if (!result) throw new Error(`${adapter.name}: '${key}' has no result from the page (not bundled or not run)`);
          if (!result.ok) {
            const console = result.console.length ? `\npage console during the case:\n  ${result.console.join('\n  ')}` : '';
            throw new Error(`${adapter.name} (${result.ms.toFixed(0)} ms): ${result.error}${console}`);
          }
        });
      }
    });
  }

  afterAll(() => {
    if (summaries.length) console.log(`browser ${set} cases:\n  ${summaries.join('\n  ')}`);
  });
}
