import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixture', import.meta.url));
const depcruise = `${root}node_modules/.bin/depcruise`;

const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
// eslint-disable-next-line no-control-regex
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

async function cruise(cwd: string, target: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(depcruise, [target, '--config', `${root}.dependency-cruiser.cjs`], { cwd, env });
    return { code: 0, output: plain(stdout) };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, output: plain(failure.stdout) };
  }
}

describe('import rules (.dependency-cruiser.cjs)', () => {
  it('flag an upward import, a cycle and test helpers in production code, and allow a downward import and a test', async () => {
    const { code, output } = await cruise(fixture, 'packages');
    expect(code).not.toBe(0);
    expect(output).toMatch(/no-upward-import-from-kernels: packages\/kernels\/src\/upward\.ts → packages\/cli\/src\/main\.ts/);
    expect(output).toMatch(/no-circular: packages\/data\/src\/a\.ts → \s*packages\/data\/src\/b\.ts/);
    expect(output).toMatch(/no-testing-in-production: packages\/cli\/src\/poisoned\.ts → packages\/kernels\/src\/testing\/poison\.ts/);
    expect(output).not.toMatch(/fine\.ts|poisoned\.cases\.ts/);
  }, 60_000);
  it('pass on the repository itself', async () => {
    const { code, output } = await cruise(root, 'packages');
    expect(output).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  }, 60_000);
});
