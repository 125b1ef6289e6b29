/**
 * The browser harness itself: failures, timeouts, console output and uncaught errors reach the results, and a
 * missing browser or a wrong adapter fails loudly instead of skipping. Runs fixtures/harness.cases.ts on SwiftShader.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { COMPAT, SWIFTSHADER } from './adapters.js';
import { readFileSync } from 'node:fs';
import { REPO_ROOT, runBrowserSession, servedFixture } from './harness.js';

const FIXTURE = join(REPO_ROOT, 'test/browser/fixtures/harness.cases.ts');
const savedChromium = process.env.ULSEG_CHROMIUM;

afterEach(() => {
  if (savedChromium === undefined) delete process.env.ULSEG_CHROMIUM;
  else process.env.ULSEG_CHROMIUM = savedChromium;
});

describe('browser harness', () => {
  it('serves the files of test/fixtures to the page and nothing outside it', () => {
    expect(servedFixture('networks/linknet-resnet34/loss.json')).toEqual(readFileSync(join(REPO_ROOT, 'test/fixtures/networks/linknet-resnet34/loss.json')));
    for (const path of ['../package.json', '%2e%2e/package.json', 'networks', 'networks/no-such-case/case.json', '%E0%A4%A', '']) {
      expect(servedFixture(path), path).toBeUndefined();
    }
  });

  it('reports passes, failures, timeouts, console output and uncaught errors per case', { timeout: 120_000 }, async () => {
    const session = await runBrowserSession(SWIFTSHADER, { caseFiles: [FIXTURE] });
    const result = (name: string) => {
      const found = session.results.find((entry) => entry.name === name);
      if (!found) throw new Error(`no result for '${name}'`);
      return found;
    };
    expect(session.results.map((entry) => entry.name)).toHaveLength(5);
    expect(result('passes').ok).toBe(true);
    expect(result('fails with a message')).toMatchObject({ ok: false, error: expect.stringContaining('fixture failure message') });
    const noisy = result('logs to the console and leaves an unhandled rejection, then fails');
    expect(noisy.ok).toBe(false);
    expect(noisy.console.join('\n')).toContain('console.error: fixture console error');
    expect(noisy.console.join('\n')).toContain('fixture unhandled rejection');
    const hung = result('hangs past its timeout');
    expect(hung).toMatchObject({ ok: false, error: expect.stringContaining('timeoutMs of 1000 ms') });
    expect(hung.ms).toBeGreaterThanOrEqual(990);
    expect(result('runs on a fresh Gpu after a timeout').ok).toBe(true);
  });

  it('fails, naming what it got, when the page gets another adapter than intended', { timeout: 120_000 }, async () => {
    // The compat adapter's expectations, with SwiftShader's flags.
    const wrong = { ...COMPAT, flags: SWIFTSHADER.flags, env: () => ({}) };
    await expect(runBrowserSession(wrong, { caseFiles: [FIXTURE], only: ['harness-fixture: passes'] })).rejects.toThrow(
      /chromium\/compat: .*(SwiftShader|swiftshader)/,
    );
  });

  it('fails with what to install when Chromium is missing', async () => {
    process.env.ULSEG_CHROMIUM = '/nonexistent/chromium';
    await expect(runBrowserSession(SWIFTSHADER, { caseFiles: [FIXTURE] })).rejects.toThrow(/bash scripts\/setup/);
  });
});
