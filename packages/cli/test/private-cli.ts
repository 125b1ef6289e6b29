/**
 * The CLI as a user runs it, for tests: a private bundle made by build.mjs's buildCli in a fresh
 * dist/test-<name>-XXXXXX folder (the package's dist/ulseg.js may be rebuilt by another test file at the same time;
 * living under packages/cli lets the external `webgpu` resolve), and a runner that returns exit code and output
 * instead of throwing.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildCli } from '../build.mjs';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PrivateCli {
  /** The bundle's path. */
  readonly path: string;
  /** `node bundle ...args` on lavapipe (ULSEG_ADAPTER) unless `env` says otherwise. */
  run(args: readonly string[], options?: { cwd?: string; env?: Record<string, string> }): Promise<CliResult>;
  /** Removes the bundle's folder. */
  dispose(): void;
}

export async function privateCli(name: string): Promise<PrivateCli> {
  mkdirSync(join(packageRoot, 'dist'), { recursive: true });
  const folder = mkdtempSync(join(packageRoot, 'dist', `test-${name}-`));
  const path = join(folder, 'ulseg.js');
  await buildCli(path, 'error');
  return {
    path,
    async run(args, options = {}) {
      try {
        const { stdout, stderr } = await promisify(execFile)('node', [path, ...args], {
          env: { ...process.env, ULSEG_ADAPTER: 'lavapipe', ...options.env },
          ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
          maxBuffer: 1 << 26,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failure = error as { code: number; stdout: string; stderr: string };
        return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
      }
    },
    dispose: () => rmSync(folder, { recursive: true, force: true }),
  };
}
