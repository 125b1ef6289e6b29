import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAtomic } from './atomic-write.js';

const scratch = mkdtempSync(join(tmpdir(), 'ulseg-base-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('writeAtomic', () => {
  it('makes the folders, replaces an existing file whole and leaves no temporary file', async () => {
    const target = join(scratch, 'a', 'b', 'out.bin');
    await writeAtomic(target, Uint8Array.from([1, 2, 3]));
    await writeAtomic(target, 'text');
    expect(readFileSync(target, 'utf8')).toBe('text');
    expect(readdirSync(join(scratch, 'a', 'b'))).toEqual(['out.bin']);
  });
  it('rethrows node:fs\'s error with its code and cleans up', async () => {
    writeFileSync(join(scratch, 'file'), 'x');
    const error = (await writeAtomic(join(scratch, 'file', 'under'), 'y').catch((caught: unknown) => caught)) as NodeJS.ErrnoException;
    expect(['ENOTDIR', 'EEXIST']).toContain(error.code);
    expect(readdirSync(scratch).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
