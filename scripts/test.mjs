#!/usr/bin/env node
// The whole test suite: import rules, typecheck, then vitest (Node adapters, and headless Chromium through
// test/browser). Prints one closing line `N passed, N failed[, N skipped]` and exits non-zero on any failure.
// Extra arguments go to vitest (e.g. a path filter).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.FORCE_COLOR ?? '1' };
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;

let passed = 0;
let failed = 0;
let skipped = 0;
const check = (name, status) => {
  if (status === 0) passed++;
  else {
    failed++;
    console.error(`✗ ${name} failed`);
  }
};

check('import rules (pnpm check:imports)', run('pnpm', ['run', '--silent', 'check:imports']));
// The packages' typechecks as one program (tsconfig.packages.json: the options and files of every packages/*/tsconfig.json),
// which checks each source once; `turbo run typecheck` runs one program per package, and as each resolves the
// packages it imports to their sources, the lower packages were checked again by every package above them. The app, the example and bench set other options and ambient files: their own typechecks.
check('typecheck of the packages (tsc -p tsconfig.packages.json)', run('pnpm', ['exec', 'tsc', '--noEmit', '-p', 'tsconfig.packages.json']));
check('typecheck of the app, example and bench (turbo run typecheck)', run('pnpm', ['exec', 'turbo', 'run', 'typecheck', '--filter=!./packages/*', '--output-logs=errors-only']));
check('build (turbo run build)', run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']));
check('typecheck of the root tests (tsc -p test/tsconfig.json)', run('pnpm', ['exec', 'tsc', '--noEmit', '-p', 'test/tsconfig.json']));

mkdirSync(`${root}.tmp`, { recursive: true });
const report = `${root}.tmp/vitest-report.json`;
rmSync(report, { force: true });
const status = run('pnpm', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  skipped += results.numPendingTests + results.numTodoTests;
  // A file that fails to load has no tests to count: count it as a failure.
  failed += results.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
  if (status !== 0 && results.numFailedTests === 0 && failed === 0) failed++;
} catch {
  console.error('vitest wrote no report');
  failed++;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
