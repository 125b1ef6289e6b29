import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DataFiles, joinPath, MemoryFiles } from './files.js';
import { NodeFiles } from './node-files.js';

const temporary = await mkdtemp(join(tmpdir(), 'ulseg-data-'));
afterAll(() => rm(temporary, { recursive: true, force: true }));

describe.each([
  ['MemoryFiles', () => new MemoryFiles()],
  ['NodeFiles', () => new NodeFiles(temporary)],
] as const)('%s', (_, create: () => DataFiles) => {
  it('writes (creating folders), reads, lists and tells what exists', async () => {
    const files = create();
    await files.write('a/b/one.bin', Uint8Array.from([1, 2, 3]));
    await files.write('a/b/two.bin', Uint8Array.from([4]));
    await files.write('a/three.bin', new Uint8Array(0));
    await files.write('a/b/one.bin', Uint8Array.from([9]));
    expect([...(await files.read('a/b/one.bin'))]).toEqual([9]);
    expect(await files.list('a')).toEqual(['b', 'three.bin']);
    expect(await files.list('a/b')).toEqual(['one.bin', 'two.bin']);
    expect(await files.exists('a/b')).toBe(true);
    expect(await files.exists('a/b/two.bin')).toBe(true);
    expect(await files.exists('a/c')).toBe(false);
    await expect(files.read('a/missing.bin')).rejects.toThrow(/missing\.bin/);
    await expect(files.list('nope')).rejects.toThrow(/nope/);
  });
});

describe('file helpers', () => {
  it('NodeFiles leaves no temporary files behind', async () => {
    const files = new NodeFiles(temporary);
    await Promise.all(Array.from({ length: 8 }, (_, index) => files.write('atomic/x.bin', Uint8Array.from([index]))));
    expect(await readdir(join(temporary, 'atomic'))).toEqual(['x.bin']);
  });

  it('NodeFiles names the target and the reason when a write fails, not the temporary file or an errno code', async () => {
    const files = new NodeFiles(temporary);
    await files.write('plain', Uint8Array.of(1));
    await expect(files.write('plain/under.png', Uint8Array.of(2))).rejects.toThrow(/^could not write 'plain\/under\.png': a part of the path is a file, not a folder$/);
    expect((await readdir(temporary)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('MemoryFiles copies bytes in and out', async () => {
    const files = new MemoryFiles();
    const bytes = Uint8Array.from([1]);
    await files.write('x', bytes);
    bytes[0] = 2;
    const read = await files.read('x');
    read[0] = 3;
    expect([...(await files.read('x'))]).toEqual([1]);
  });

  it('joins paths', () => {
    expect(joinPath('', 'a/', './b', 'c.png')).toBe('a/b/c.png');
    expect(joinPath('/root', 'x')).toBe('/root/x');
  });
});
