/**
 * The repository stands alone: no tracked file reads a folder beside the checkout (the reference material that was
 * handed over once lives in test/fixtures, see its README), and every fixture the tests name is tracked.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
const text = tracked.filter((path) => /\.(ts|mts|mjs|cjs|js|json|html|sh)$/.test(path) || path.startsWith('.ci/') || path.startsWith('scripts/'));

describe('a checkout with nothing beside it', () => {
  it('has no code, test or script that reaches a sibling folder of the checkout', () => {
    // A path that climbs out of the repository into shared/ (or any sibling named shared) is what a fresh clone lacks.
    const escaping = /(?:\.\.\/)+shared\b|['"`]\.\.\/\.\.\/\.\.\/\.\.\/shared/;
    const offenders = text.filter((path) => path !== 'test/standalone/standalone.test.ts' && existsSync(join(root, path)) && escaping.test(readFileSync(join(root, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('tracks every fixture folder the README of test/fixtures describes', () => {
    const readme = readFileSync(join(root, 'test/fixtures/README.md'), 'utf8');
    const folders = [...readme.matchAll(/^## `([\w-]+)\/`/gm)].map((match) => match[1]!);
    expect(folders.length).toBeGreaterThanOrEqual(5);
    for (const folder of folders) expect(tracked.some((path) => path.startsWith(`test/fixtures/${folder}/`)), folder).toBe(true);
  });
});
