import { readdir, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeAtomic } from '@ulseg/base/node';
import type { DataFiles } from './files.js';
import { DataError } from './errors.js';

/** A write's failure in words, by error code. */
const WRITE_FAILURES: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder of that name is in the way',
  EACCES: 'permission denied: choose a place you can write to',
  EPERM: 'not permitted here: choose another place',
  EROFS: 'on a read-only file system: choose another place',
  ENOSPC: 'the disk is full: free some space',
  EDQUOT: 'over the disk quota: free some space',
};

/** {@link DataFiles} on the file system, relative to `root`. Exported only as `@ulseg/data/node`. */
export class NodeFiles implements DataFiles {
  readonly root: string;

  constructor(root = '.') {
    this.root = resolve(root);
  }

  async read(path: string): Promise<Uint8Array> {
    const buffer = await readFile(this.resolve(path));
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /**
   * Writes atomically (@ulseg/base/node's writeAtomic: a temporary file beside the target, renamed over it); a
   * failure names the target (not the temp file) and the reason in words.
   */
  async write(path: string, bytes: Uint8Array): Promise<void> {
    try {
      await writeAtomic(this.resolve(path), bytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      throw new DataError(`could not write '${path}': ${WRITE_FAILURES[code] ?? (error as Error).message}`, { file: path, cause: error });
    }
  }

  async list(dir: string): Promise<string[]> {
    return (await readdir(this.resolve(dir))).sort();
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(this.resolve(path));
      return true;
    } catch {
      return false;
    }
  }

  private resolve(path: string): string {
    return resolve(this.root, path);
  }
}
