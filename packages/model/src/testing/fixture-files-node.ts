/** The test fixtures in Node: test/fixtures/<path> from the repository's file system. */
import { readFile } from 'node:fs/promises';

const root = new URL('../../../../test/fixtures/', import.meta.url);

export async function readFixture(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(new URL(path, root)));
}
